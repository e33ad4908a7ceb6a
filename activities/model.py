"""ModelActivities: one model call per activity, streamed into the run's event log.

Each call's context is recorded (`store.run_contexts`) before the call and again with the
provider's usage after it: truncation is visible, not silent (SPEC §3.3).
"""

from __future__ import annotations

import time

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities import _metrics
from activities._errors import error_class, to_application_error
from activities._reply_extras import ReplyExtras, code_interpreter_calls
from activities._run_patch import wire_usage
from activities._step_writer import StepWriter
from activities.types import GeneratedToolCall, GenerateInput, GenerateResult
from core import file_search
from core.code_interpreter import files_key
from core.context import Context, ContextLimits, chat_tool_choice, chat_tools, load_context
from core.context_windows import ContextWindows
from core.objects.run import Run, TruncationStrategy
from core.objects.run_context import RunContext
from core.objects.run_step import FunctionToolCall, RunStep, ToolCall
from core.observability.metrics import model_label
from core.providers.base import (
    ChatRequest,
    ChatResult,
    MalformedResponseError,
    ModelProvider,
    TextDelta,
    ToolCallDelta,
)
from core.store import Store
from core.store.run_events import RunClosedError
from core.tools import ToolRegistry
from workflows.types import TokenUsage


def _request(
    run: Run, messages: list[dict[str, object]], max_completion: int | None
) -> ChatRequest:
    response_format = None if run.response_format in (None, "auto") else run.response_format
    tools = chat_tools(run)
    return ChatRequest(
        model=run.model,
        messages=messages,
        tools=tools,
        tool_choice=chat_tool_choice(run) if tools else None,
        parallel_tool_calls=run.parallel_tool_calls if tools else None,
        temperature=run.temperature,
        top_p=run.top_p,
        response_format=response_format.model_dump(mode="json") if response_format else None,  # type: ignore[union-attr]
        max_completion_tokens=max_completion,
    )


def _record(run: Run, request: GenerateInput, context: Context, window: int) -> RunContext:
    """What this call is sent, for `GET .../runs/{run_id}/context` (usage comes later)."""
    return RunContext(
        step_id=request.step_id,
        run_id=run.id,
        thread_id=run.thread_id,
        created_at=request.at,
        model=run.model,
        truncation=run.truncation_strategy or TruncationStrategy(),
        kept_message_ids=context.kept_message_ids,
        dropped_message_ids=context.dropped_message_ids,
        unread_messages_dropped=context.unread_dropped,
        prompt_tokens_estimate=context.prompt_tokens_estimate,
        prompt_limit=context.prompt_limit,
        limited_by=context.bound_by,
        context_window=window,
        fits=context.fits,
        max_prompt_tokens=request.max_prompt_tokens,
        max_completion_tokens=request.max_completion_tokens,
        usage=None,
    )


def _does_not_fit(run: Run, context: Context, window: int) -> GenerateResult:
    """The prompt budget ends the run `incomplete`; a window too small for even the newest
    message is a prompt no provider would take, so the run fails with `invalid_prompt`."""
    if context.bound_by == "max_prompt_tokens":
        return GenerateResult(kind="prompt_too_large")
    raise ApplicationError(
        f"The instructions, tool turns and newest message need about "
        f"{context.prompt_tokens_estimate} tokens, but {run.model}'s context window of {window} "
        f"leaves {context.prompt_limit} for the prompt.",
        type="InvalidPrompt",
        non_retryable=True,
    )


def _generated(call: ToolCall, tools: ToolRegistry) -> GeneratedToolCall:
    if isinstance(call, FunctionToolCall):
        server_side = tools.get(call.function.name) is not None
        return GeneratedToolCall(id=call.id, name=call.function.name, server_side=server_side)
    # Built-in tools always run here.
    return GeneratedToolCall(id=call.id, name=call.type, server_side=True, kind=call.type)


class ModelActivities:
    """Calls the configured provider; its one retry loop is the activity's retry policy."""

    def __init__(
        self,
        store: Store,
        provider: ModelProvider,
        tools: ToolRegistry,
        windows: ContextWindows | None = None,
    ) -> None:
        self._store = store
        self._provider = provider
        self._tools = tools
        self._windows = windows or ContextWindows()

    @activity.defn(name="generate")
    async def generate(self, request: GenerateInput) -> GenerateResult:
        """Build the context, stream the reply into events, persist the step it produced."""
        ref = request.run
        run = await self._store.runs.get(ref.project_id, ref.run_id)
        window = self._windows.for_model(run.model)
        tool_steps = await self._store.run_steps.completed_tool_steps(ref.project_id, ref.run_id)
        side_records = await self._side_records(ref.project_id, tool_steps)
        context = await self._context(run, request, window, tool_steps, side_records)
        record = _record(run, request, context, window)
        await self._store.run_contexts.upsert(ref.project_id, record)
        if not context.fits:
            return _does_not_fit(run, context, window)
        extras = ReplyExtras.of(tool_steps, side_records)
        writer = StepWriter(self._store, request, run, extras)
        try:
            result = await self._stream(
                _request(run, context.messages, request.max_completion_tokens), writer
            )
            tool_step = await writer.finish(result)
        except RunClosedError as closed:
            # The workflow gave up on this call (cancel, expiry); nothing to retry.
            await writer.abandon()
            raise ApplicationError(str(closed), type="RunClosed", non_retryable=True) from closed
        usage = TokenUsage(
            prompt_tokens=result.usage.prompt_tokens,
            completion_tokens=result.usage.completion_tokens,
        )
        await self._store.run_contexts.upsert(
            ref.project_id, record.model_copy(update={"usage": wire_usage(usage)})
        )
        return self._result(result, tool_step, usage)

    async def _context(
        self,
        run: Run,
        request: GenerateInput,
        window: int,
        tool_steps: list[RunStep],
        side_records: dict[str, str],
    ) -> Context:
        """Read only as much of the thread as this call's prompt limit can hold."""
        ref = request.run
        limits = ContextLimits(request.max_prompt_tokens, request.max_completion_tokens, window)
        history = self._store.messages.history(ref.project_id, ref.thread_id)
        return await load_context(run, history, tool_steps, limits, side_records)

    async def _side_records(self, project_id: str, tool_steps: list[RunStep]) -> dict[str, str]:
        """Built-in calls' arguments and written files, kept beside the steps."""
        keys = [call.id for call in file_search.file_search_calls(tool_steps)]
        keys += [files_key(call.id) for call in code_interpreter_calls(tool_steps)]
        return await self._store.tool_call_arguments.get_many(project_id, keys)

    def _result(
        self, result: ChatResult, tool_step: RunStep | None, usage: TokenUsage
    ) -> GenerateResult:
        if tool_step is None:
            return GenerateResult(kind="message", finish_reason=result.finish_reason, usage=usage)
        calls = [
            _generated(call, self._tools)
            for call in getattr(tool_step.step_details, "tool_calls", [])
        ]
        return GenerateResult(
            kind="tool_calls", finish_reason=result.finish_reason, usage=usage, tool_calls=calls
        )

    async def _stream(self, chat: ChatRequest, writer: StepWriter) -> ChatResult:
        label = model_label(chat.model, self._windows)
        started = time.monotonic()
        try:
            result = await self._consume(chat, writer)
        except RunClosedError:
            raise  # the run gave up on the call: not a provider failure
        except Exception as exc:
            _metrics.model_call_failed(label, time.monotonic() - started, error_class(exc))
            raise to_application_error(exc) from exc
        usage = TokenUsage(
            prompt_tokens=result.usage.prompt_tokens,
            completion_tokens=result.usage.completion_tokens,
        )
        _metrics.model_called(label, time.monotonic() - started, usage)
        return result

    async def _consume(self, chat: ChatRequest, writer: StepWriter) -> ChatResult:
        result: ChatResult | None = None
        async for item in self._provider.stream_chat(chat):
            # Heartbeats carry cancellation: a cancelled run stops the call mid-stream.
            activity.heartbeat()
            if isinstance(item, TextDelta):
                await writer.text(item.text)
            elif isinstance(item, ToolCallDelta):
                await writer.tool_call(item)
            else:
                result = item
        if result is None:
            raise MalformedResponseError("the provider ended without a result")
        return result
