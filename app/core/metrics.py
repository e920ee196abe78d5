"""Application-level Prometheus metrics, beside the HTTP ones the instrumentator adds.

Names are a contract with the Grafana dashboards and the alert rules in docker/.
"""

from prometheus_client import (
    CollectorRegistry,
    Counter,
    GCCollector,
    PlatformCollector,
    ProcessCollector,
)

LOG_RECORDS_SHIPPED = Counter(
    "mami_log_records_shipped",
    "Log records accepted by Elasticsearch.",
    registry=None,
)
LOG_RECORDS_DROPPED = Counter(
    "mami_log_records_dropped",
    "Log records given up on: queue full, retries exhausted or rejected by Elasticsearch.",
    registry=None,
)
LLM_ATTEMPTS = Counter(
    "mami_llm_attempts",
    "Calls to an LLM provider, by outcome.",
    ["provider", "model", "outcome"],
    registry=None,
)
LLM_CHAIN_FAILURES = Counter(
    "mami_llm_chain_failures",
    "Chat requests for which every step of the fallback chain failed.",
    registry=None,
)

# The counters live for the whole process (the log shipper counts before any app exists);
# each app gets its own registry holding them, so several apps in one process (tests)
# do not collide over the HTTP metrics the instrumentator registers.
APP_COUNTERS = (LOG_RECORDS_SHIPPED, LOG_RECORDS_DROPPED, LLM_ATTEMPTS, LLM_CHAIN_FAILURES)


def build_registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    for counter in APP_COUNTERS:
        registry.register(counter)
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    GCCollector(registry=registry)
    return registry
