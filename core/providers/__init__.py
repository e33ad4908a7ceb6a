"""Upstream model access: value types, the `ModelProvider` protocol and its implementations.

Only activities (and `worker.py`) import this package: it pulls in the `openai` SDK, which
neither workflows nor the API process need.
"""

from core.providers.base import (
    ChatRequest,
    ChatResult,
    ChatStreamItem,
    MalformedResponseError,
    ModelProvider,
    TextDelta,
    ToolCallDelta,
    ToolCallResult,
    Usage,
)
from core.providers.demo import DemoProvider
from core.providers.factory import is_demo, provider_from_settings
from core.providers.openai_chat import OpenAIChatProvider

__all__ = [
    "ChatRequest",
    "ChatResult",
    "ChatStreamItem",
    "DemoProvider",
    "MalformedResponseError",
    "ModelProvider",
    "OpenAIChatProvider",
    "TextDelta",
    "ToolCallDelta",
    "ToolCallResult",
    "Usage",
    "is_demo",
    "provider_from_settings",
]
