"""The observability rule family (OB): Prometheus, its alert rules and Grafana provisioning,
read together with the compose stack that mounts them (R11, R12).

- prometheus: the config and rules mounted where Prometheus reads them, retention, and
  scrape targets that name a service and a port it listens on
- grafana: provisioning mounted, a Prometheus data source naming a service, admin password

Codes are stable and never reused. Shared helpers live in `_base`.
"""

# The document kinds these rules read: Prometheus and Grafana files through the compose stack
# that mounts them, and the app's routes (regenerate rules/_index.py after changing it).
KINDS = ("compose", "prometheus-config", "prometheus-rules", "grafana-provisioning", "python")
