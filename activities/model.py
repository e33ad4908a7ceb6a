"""ModelActivities: one model call per activity, streamed into the run's event log."""

from __future__ import annotations

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities._errors import to_application_error
from activities._step_writer import StepWriter
from activities.types import GeneratedToolCall, GenerateInput, GenerateResult
from core.context import build_context, chat_tool_choice, chat_tools
from core.objects.run import Run
from core.providers.base import ChatRequest, ChatResult, ModelProvider, TextDelta, ToolCallDelta
from core.store import Store
from core.store.run_events import RunClosedError
from core.tools import ToolRegistry
from workflows.types import TokenUsage

HISTORY_LIMIT = 1000
"""Newest thread messages read for context; older ones are beyond any model's window anyway."""


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


class ModelActivities:
    """Calls the configured provider; its one retry loop is the activity's retry policy."""

    def __init__(self, store: Store, provider: ModelProvider, tools: ToolRegistry) -> None:
        self._store = store
        self._provider = provider
        self._tools = tools

    @activity.defn(name="generate")
    async def generate(self, request: GenerateInput) -> GenerateResult:
        """Build the context, stream the reply into events, persist the step it produced."""
        ref = request.run
        run = await self._store.runs.get(ref.project_id, ref.run_id)
        history = await self._store.messages.latest(ref.project_id, ref.thread_id, HISTORY_LIMIT)
        tool_steps = await self._store.run_steps.completed_tool_steps(ref.project_id, ref.run_id)
        context = build_context(
            run, history, tool_steps, max_prompt_tokens=request.max_prompt_tokens
        )
        if not context.fits:
            return GenerateResult(kind="prompt_too_large")
        writer = StepWriter(self._store, request, run)
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
        if tool_step is None:
            return GenerateResult(kind="message", finish_reason=result.finish_reason, usage=usage)
        calls = [
            GeneratedToolCall(
                id=call.id,
                name=call.function.name,
                server_side=self._tools.get(call.function.name) is not None,
            )
            for call in getattr(tool_step.step_details, "tool_calls", [])
        ]
        return GenerateResult(
            kind="tool_calls", finish_reason=result.finish_reason, usage=usage, tool_calls=calls
        )

    async def _stream(self, chat: ChatRequest, writer: StepWriter) -> ChatResult:
        result: ChatResult | None = None
        try:
            async for item in self._provider.stream_chat(chat):
                # Heartbeats carry cancellation: a cancelled run stops the call mid-stream.
                activity.heartbeat()
                if isinstance(item, TextDelta):
                    await writer.text(item.text)
                elif isinstance(item, ToolCallDelta):
                    await writer.tool_call(item)
                else:
                    result = item
        except RunClosedError:
            raise
        except Exception as exc:
            raise to_application_error(exc) from exc
        if result is None:
            raise to_application_error(RuntimeError("the provider ended without a result"))
        return result
