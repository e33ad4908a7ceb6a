"""Calls of the built-in tools (file_search, code_interpreter) inside a model's tool-call stream.

The model calls them as functions; on the wire they are `file_search` / `code_interpreter` tool
calls. A file_search call's arguments (its queries) have no wire field; a code_interpreter
call's `code` streams into `code_interpreter.input` deltas as the model writes it.
"""

from __future__ import annotations

from typing import Any

from core import code_interpreter, file_search
from core.objects.code_interpreter_tool_call import CodeInterpreter, CodeInterpreterToolCall
from core.objects.file_search_tool_call import FileSearchToolCall
from core.objects.run import Run
from core.objects.run_step import ToolCall


class BuiltinCalls:
    """Which call indexes of one model call are built-in tools, and their wire shapes."""

    def __init__(self, run: Run) -> None:
        self._enabled = {
            name
            for name, on in (
                (file_search.TOOL_NAME, file_search.options_of(run.tools) is not None),
                (code_interpreter.TOOL_NAME, code_interpreter.enabled(run.tools)),
            )
            if on
        }
        self._kinds: dict[int, str] = {}
        self._arguments: dict[int, str] = {}
        self._sent: dict[int, int] = {}

    def kind(self, index: int, name: str | None = None) -> str | None:
        """The built-in tool call `index` is (named on its first fragment), or None."""
        if name in self._enabled and index not in self._kinds:
            self._kinds[index] = name
        return self._kinds.get(index)

    def opening_delta(self, kind: str, arguments: str, index: int) -> dict[str, Any]:
        """The call's first delta body (beside `index`, `type` and `id`)."""
        if kind == file_search.TOOL_NAME:
            return {"file_search": {}}
        return {"code_interpreter": {"input": self._new_code(index, arguments), "outputs": []}}

    def next_delta(self, kind: str, arguments: str, index: int) -> dict[str, Any] | None:
        """A later fragment's delta body, or None when there is nothing to send."""
        if kind == file_search.TOOL_NAME:
            return None
        fragment = self._new_code(index, arguments)
        return {"code_interpreter": {"input": fragment}} if fragment else None

    def _new_code(self, index: int, arguments: str) -> str:
        self._arguments[index] = self._arguments.get(index, "") + arguments
        decoded = code_interpreter.code_prefix(self._arguments[index])
        fresh = decoded[self._sent.get(index, 0) :]
        self._sent[index] = len(decoded)
        return fresh

    @staticmethod
    def finished(kind: str, call_id: str, arguments: str) -> ToolCall:
        """The complete call as the step stores it."""
        if kind == file_search.TOOL_NAME:
            return FileSearchToolCall(id=call_id)
        code = code_interpreter.code_of(arguments)
        return CodeInterpreterToolCall(id=call_id, code_interpreter=CodeInterpreter(input=code))
