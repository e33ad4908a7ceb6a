"""RetrySettings (seconds, in payloads) as Temporal RetryPolicy objects. Pure code."""

from __future__ import annotations

from datetime import timedelta

from temporalio.common import RetryPolicy

from workflows.types import RetrySettings


def retry_policy(settings: RetrySettings, non_retryable: list[str] | None = None) -> RetryPolicy:
    """The policy `settings` describe; errors of the `non_retryable` types fail at once."""
    return RetryPolicy(
        initial_interval=timedelta(seconds=settings.initial_interval_s),
        backoff_coefficient=settings.backoff,
        maximum_interval=timedelta(seconds=settings.maximum_interval_s),
        maximum_attempts=settings.maximum_attempts,
        non_retryable_error_types=non_retryable or [],
    )
