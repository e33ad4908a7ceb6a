"""The file_search tool as the model sees it, and the citations its answers carry (SPEC §7).

Pure code: no store, no network. The model is offered a `file_search` function taking `queries`;
each result goes back to it under a marker `【{call}:{result}†{filename}】`, where `call` numbers
the run's file_search calls from 0 and `result` the call's results from 0. The model quotes those
markers in its answer, and each one it quotes becomes a `file_citation` annotation whose
`start_index`/`end_index` are the marker's character offsets in the text (Python `str` indices,
i.e. code points).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from core.objects.assistant_tool import FileSearchTool
from core.objects.file_search_tool_call import FileSearchToolCall
from core.objects.message_content import FileCitation, FileCitationAnnotation
from core.objects.run_step import RunStep, ToolCallsStepDetails

TOOL_NAME: Final = "file_search"

_CHEAP_MODELS: Final = ("gpt-3.5",)
"""Models that get 5 results and a 4k-token result budget instead of 20 and 16k (SPEC §7)."""

_MARKER = re.compile(r"【(\d+):(\d+)†([^】]*)】")


def chat_tool() -> dict[str, Any]:
    """The function definition the model is offered in place of the built-in tool."""
    return {
        "type": "function",
        "function": {
            "name": TOOL_NAME,
            "description": (
                "Search the files the user and the assistant provided. Returns passages, each "
                "headed by a source marker like 【0:1†report.pdf】; quote a passage's marker "
                "verbatim right after any statement that uses it."
            ),
            "parameters": {
                "type": "object",
                "properties": {
                    "queries": {
                        "type": "array",
                        "items": {"type": "string"},
                        "description": "One or more search queries.",
                    }
                },
                "required": ["queries"],
            },
        },
    }


def default_max_num_results(model: str) -> int:
    return 5 if model.startswith(_CHEAP_MODELS) else 20


def result_token_budget(model: str) -> int:
    """The most chunk tokens one call hands the model."""
    return 4_000 if model.startswith(_CHEAP_MODELS) else 16_000


def options_of(tools: Iterable[object]) -> FileSearchTool | None:
    """The run's file_search tool, if it has one."""
    return next((t for t in tools if isinstance(t, FileSearchTool)), None)


def parse_queries(arguments: str) -> list[str]:
    """The queries of a call's JSON arguments (`queries` list, or a lone `query`); [] if none.

    Models are lenient writers; a string where a list belongs is taken as one query.
    """
    try:
        parsed = json.loads(arguments or "{}")
    except json.JSONDecodeError:
        return []
    if not isinstance(parsed, dict):
        return []
    raw = parsed.get("queries", parsed.get("query", []))
    items = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
    return [q.strip() for q in items if isinstance(q, str) and q.strip()]


def marker(call_number: int, result_index: int, filename: str) -> str:
    return f"【{call_number}:{result_index}†{filename}】"


def render_output(call_number: int, call: FileSearchToolCall) -> str:
    """What the model reads as the call's result: each passage under its marker."""
    results = call.file_search.results or []
    if not results:
        return "No results found in the attached files."
    passages = []
    for index, result in enumerate(results):
        text = "\n".join(part.text for part in result.content or [])
        passages.append(f"{marker(call_number, index, result.file_name)}\n{text}")
    return "\n\n".join(passages)


def file_search_calls(steps: Sequence[RunStep]) -> list[FileSearchToolCall]:
    """The run's file_search calls in order (their position is their marker number)."""
    calls: list[FileSearchToolCall] = []
    for step in steps:
        details = step.step_details
        if isinstance(details, ToolCallsStepDetails):
            calls += [c for c in details.tool_calls if isinstance(c, FileSearchToolCall)]
    return calls


@dataclass(frozen=True)
class CitationSources:
    """`(call number, result index) -> file_id` of the run's searches so far."""

    files: dict[tuple[int, int], str]

    @classmethod
    def of(cls, calls: Sequence[FileSearchToolCall]) -> CitationSources:
        files = {
            (number, index): result.file_id
            for number, call in enumerate(calls)
            for index, result in enumerate(call.file_search.results or [])
        }
        return cls(files)

    def annotations(self, text: str) -> list[FileCitationAnnotation]:
        """One `file_citation` per marker in `text` that points at a real result."""
        found = []
        for match in _MARKER.finditer(text):
            file_id = self.files.get((int(match.group(1)), int(match.group(2))))
            if file_id is None:
                continue  # a marker the model made up cites nothing
            found.append(
                FileCitationAnnotation(
                    text=match.group(0),
                    start_index=match.start(),
                    end_index=match.end(),
                    file_citation=FileCitation(file_id=file_id),
                )
            )
        return found
