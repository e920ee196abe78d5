"""Application-level Prometheus metrics, beside the HTTP ones the instrumentator adds.

Names are a contract with the Grafana dashboards and the alert rules in docker/.
"""

from prometheus_client import Counter

LOG_RECORDS_SHIPPED = Counter(
    "mami_log_records_shipped",
    "Log records accepted by Elasticsearch.",
)
LOG_RECORDS_DROPPED = Counter(
    "mami_log_records_dropped",
    "Log records given up on: queue full, retries exhausted or rejected by Elasticsearch.",
)
LLM_ATTEMPTS = Counter(
    "mami_llm_attempts",
    "Calls to an LLM provider, by outcome.",
    ["provider", "model", "outcome"],
)
LLM_CHAIN_FAILURES = Counter(
    "mami_llm_chain_failures",
    "Chat requests for which every step of the fallback chain failed.",
)
