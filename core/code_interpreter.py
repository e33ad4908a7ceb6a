"""The code_interpreter tool as the model sees it, and how its files come back (SPEC §8).

Pure code. The model is offered a `code_interpreter` function taking `code`; its input streams
into step deltas as the model writes it. Files the code writes become Files (purpose
`assistants_output`); a `sandbox:/mnt/data/<name>` link in the answer becomes a `file_path`
annotation, and figures the code leaves open come back as `image` outputs and `image_file`
content.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

from core.objects.assistant_tool import CodeInterpreterTool
from core.objects.code_interpreter_tool_call import CodeInterpreterToolCall
from core.objects.message_content import FilePath, FilePathAnnotation

TOOL_NAME: Final = "code_interpreter"
_LINK = re.compile(r"sandbox:/mnt/data/[^\s)\]\"'<>]+")
_ESCAPES: Final = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r",
                   "t": "\t"}  # fmt: skip


def files_key(call_id: str) -> str:
    """Where a call's written files (`{path: file_id}` JSON) are kept beside tool arguments."""
    return f"{call_id}#files"


def chat_tool() -> dict[str, Any]:
    """The function definition the model is offered in place of the built-in tool."""
    return {
        "type": "function",
        "function": {
            "name": TOOL_NAME,
            "description": (
                "Run Python 3 in a sandbox with numpy, pandas and matplotlib and no network. The "
                "working directory /mnt/data holds the user's files; save files there and link "
                "them as sandbox:/mnt/data/<name>. Variables persist between calls."
            ),
            "parameters": {
                "type": "object",
                "properties": {"code": {"type": "string", "description": "Python code to run."}},
                "required": ["code"],
            },
        },
    }


def enabled(tools: Iterable[object]) -> bool:
    return any(isinstance(t, CodeInterpreterTool) for t in tools)


def code_of(arguments: str) -> str:
    """The code in a call's arguments: `{"code": ...}`, or the raw text if it is not JSON."""
    try:
        parsed = json.loads(arguments)
    except json.JSONDecodeError:
        return arguments
    if isinstance(parsed, dict):
        code = parsed.get("code")
        return code if isinstance(code, str) else ""
    return arguments


def code_prefix(partial_arguments: str) -> str:
    """The decoded part of the `code` string in arguments still being streamed (stops before an
    escape sequence that has not fully arrived)."""
    match = re.search(r'"code"\s*:\s*"', partial_arguments)
    if match is None:
        return ""
    out: list[str] = []
    text, i = partial_arguments, match.end()
    while i < len(text):
        char = text[i]
        if char == '"':
            break
        if char != "\\":
            out.append(char)
            i += 1
            continue
        if i + 1 >= len(text):
            break
        kind = text[i + 1]
        if kind == "u":
            if i + 6 > len(text):
                break
            out.append(chr(int(text[i + 2 : i + 6], 16)))
            i += 6
            continue
        out.append(_ESCAPES.get(kind, kind))
        i += 2
    return "".join(out)


def render_output(call: CodeInterpreterToolCall, files: Mapping[str, str]) -> str:
    """What the model reads as the call's result: the logs, then the files the code wrote."""
    logs = "\n".join(o.logs for o in call.code_interpreter.outputs if o.type == "logs")
    images = sum(1 for o in call.code_interpreter.outputs if o.type == "image")
    parts = [logs or "(no output)"]
    if images:
        parts.append(f"[{images} image(s) shown to the user]")
    if files:
        parts.append("Files written: " + ", ".join(f"sandbox:{path}" for path in sorted(files)))
    return "\n".join(parts)


def file_path_annotations(text: str, files: Mapping[str, str]) -> list[FilePathAnnotation]:
    """A `file_path` annotation for each `sandbox:/mnt/data/...` link to a file the run's code
    wrote (links to anything else are left as text)."""
    found = []
    for match in _LINK.finditer(text):
        path = match.group(0).removeprefix("sandbox:")
        file_id = files.get(path)
        if file_id is not None:
            found.append(
                FilePathAnnotation(
                    text=match.group(0),
                    start_index=match.start(),
                    end_index=match.end(),
                    file_path=FilePath(file_id=file_id),
                )
            )
    return found
