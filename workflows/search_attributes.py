"""Search attributes set on every run, so operators can query runs by state in Temporal.

`temporal workflow list --query 'RunStatus="failed"'` works because of these.
"""

from __future__ import annotations

from temporalio.common import SearchAttributeKey

RUN_STATUS = SearchAttributeKey.for_keyword("RunStatus")
THREAD_ID = SearchAttributeKey.for_keyword("ThreadId")
ASSISTANT_ID = SearchAttributeKey.for_keyword("AssistantId")
MODEL = SearchAttributeKey.for_keyword("Model")

ALL = (RUN_STATUS, THREAD_ID, ASSISTANT_ID, MODEL)
