"""The API process's metrics, on prometheus_client (STYLE §7): one process per container, so
no multiprocess mode.

HTTP and SSE figures live in the default registry. The store gauges are read at scrape time:
the `/metrics` handler awaits `store.runs.overview()` (async) and renders the figures with
`render()`, since prometheus_client collectors are synchronous. Names and label sets come from
`core.observability.metrics`; never import this module from workflow code.
"""

from __future__ import annotations

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector

from core.observability import metrics as m
from core.store.runs import RunsOverview

HTTP_REQUESTS = Counter(
    m.HTTP_REQUESTS,
    "HTTP requests by route template, method and status code.",
    ["route", "method", "status"],
)
HTTP_REQUEST_DURATION = Histogram(
    m.HTTP_REQUEST_DURATION,
    "HTTP request duration until the response starts (for SSE: until the stream opens).",
    ["route", "method"],
    buckets=m.HTTP_BUCKETS,
)
SSE_STREAMS_ACTIVE = Gauge(m.SSE_STREAMS_ACTIVE, "Server-sent event streams open now.")


class _RunsCollector(Collector):
    """The gauges of one store overview (every status present, zeros included)."""

    def __init__(self, overview: RunsOverview, now: float) -> None:
        self._overview = overview
        self._now = now

    def collect(self) -> list[GaugeMetricFamily]:
        overview = self._overview
        runs = GaugeMetricFamily(m.RUNS_BY_STATUS, "Runs by current status.", labels=["status"])
        for status in m.ALL_STATUSES:
            runs.add_metric([status], overview.counts.get(status, 0))
        oldest = GaugeMetricFamily(
            m.OLDEST_ACTIVE_RUN_AGE,
            "Age (since created_at) of the oldest run in each active status; 0 when none.",
            labels=["status"],
        )
        for status in m.ACTIVE_STATUSES:
            created_at = overview.oldest_created_at.get(status)
            age = 0.0 if created_at is None else max(self._now - created_at, 0.0)
            oldest.add_metric([status], age)
        expiring = GaugeMetricFamily(
            m.REQUIRES_ACTION_EXPIRING,
            f"Runs in requires_action that expire within {m.EXPIRING_WITHIN_S} s.",
            value=overview.expiring,
        )
        return [runs, oldest, expiring]


def render(overview: RunsOverview | None, now: float) -> bytes:
    """The process's metrics, plus the store gauges when the store answered."""
    body = generate_latest(REGISTRY)
    if overview is None:
        return body
    store_registry = CollectorRegistry(auto_describe=False)
    store_registry.register(_RunsCollector(overview, now))
    return body + generate_latest(store_registry)
