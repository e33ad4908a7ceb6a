"""provider_from_settings: a configured endpoint gets the SDK provider, nothing gets the demo."""

from __future__ import annotations

from core.providers.base import ChatRequest
from core.providers.demo import DemoProvider
from core.providers.factory import NO_API_KEY, is_demo, provider_from_settings
from core.providers.openai_chat import OpenAIChatProvider
from core.settings import Settings
from tests.fakes.model_server import ScriptedModelServer

REQUEST = ChatRequest("gpt-4o-mini", [{"role": "user", "content": "hi"}])


def test_no_base_url_means_the_demo_model() -> None:
    settings = Settings(model_base_url=None)
    assert is_demo(settings)
    assert isinstance(provider_from_settings(settings), DemoProvider)


async def test_base_url_means_the_sdk_provider_with_the_configured_key(
    model_server: ScriptedModelServer,
) -> None:
    settings = Settings(model_base_url=model_server.base_url, model_api_key="sk-configured")
    assert not is_demo(settings)
    provider = provider_from_settings(settings)
    assert isinstance(provider, OpenAIChatProvider)
    try:
        [item async for item in provider.stream_chat(REQUEST)]
    finally:
        await provider.close()
    assert model_server.requests[-1].headers["authorization"] == "Bearer sk-configured"


async def test_keyless_endpoints_get_a_placeholder_key(model_server: ScriptedModelServer) -> None:
    """Local engines need no key, but the SDK refuses to start without one."""
    provider = provider_from_settings(
        Settings(model_base_url=model_server.base_url, model_api_key=None)
    )
    try:
        [item async for item in provider.stream_chat(REQUEST)]
    finally:
        await provider.close()
    assert model_server.requests[-1].headers["authorization"] == f"Bearer {NO_API_KEY}"
