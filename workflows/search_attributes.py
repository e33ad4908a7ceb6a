"""Search attributes set on every run, so operators can query runs by state in Temporal.

`temporal workflow list --query 'RunStatus="failed"'` works because of these.
"""

from __future__ import annotations

from temporalio.common import SearchAttributeKey, SearchAttributePair, TypedSearchAttributes

RUN_STATUS = SearchAttributeKey.for_keyword("RunStatus")
THREAD_ID = SearchAttributeKey.for_keyword("ThreadId")
ASSISTANT_ID = SearchAttributeKey.for_keyword("AssistantId")
MODEL = SearchAttributeKey.for_keyword("Model")

ALL = (RUN_STATUS, THREAD_ID, ASSISTANT_ID, MODEL)


def at_start(thread_id: str, assistant_id: str, model: str) -> TypedSearchAttributes:
    """A new run's attributes, given when its workflow starts: the server indexes them with the
    start itself, where an upsert from the first workflow task costs one more history event and
    one more visibility write per run (measured in bench/load.py)."""
    return TypedSearchAttributes(
        [
            SearchAttributePair(RUN_STATUS, "queued"),
            SearchAttributePair(THREAD_ID, thread_id),
            SearchAttributePair(ASSISTANT_ID, assistant_id),
            SearchAttributePair(MODEL, model),
        ]
    )
