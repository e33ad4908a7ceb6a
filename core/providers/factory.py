"""Pick the model provider the settings describe: a configured endpoint, else the offline demo."""

from __future__ import annotations

from core.providers.base import ModelProvider
from core.providers.demo import DemoProvider
from core.providers.openai_chat import OpenAIChatProvider
from core.settings import Settings

NO_API_KEY = "runwright-no-api-key"
"""Sent when no key is configured: local engines ignore it, but the SDK refuses an empty key."""


def is_demo(settings: Settings) -> bool:
    """Whether runs are answered by the built-in offline demo model."""
    return not settings.model_base_url


def provider_from_settings(settings: Settings) -> ModelProvider:
    """`OpenAIChatProvider` for `model_base_url`, or `DemoProvider` when it is unset."""
    if not settings.model_base_url:
        return DemoProvider()
    key = settings.model_api_key
    api_key = key.get_secret_value() if key is not None else NO_API_KEY
    return OpenAIChatProvider(settings.model_base_url, api_key)
