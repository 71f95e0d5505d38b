"""``endpoints.describe``: LIVE or not, decided once for the client, the key picker, the
portfolio and the dialogs (r1 5a, u1: the demo's keys say DEMO, not a loopback URL)."""

from __future__ import annotations

import pytest

from tests.conftest import make_entry
from vault_app.trading.client import ExchangeClient
from vault_app.trading.endpoints import CUSTOM, DEMO, DEMO_TAG, LIVE, SANDBOX, describe


@pytest.mark.parametrize(("fields", "kind", "live", "text", "badge"), [
    ({}, LIVE, True, "LIVE binance", "LIVE: real money"),
    ({"environment": "sandbox"}, SANDBOX, False, "sandbox binance", "SANDBOX (testnet)"),
    ({"environment": "custom", "api_url": "https://eu.example.com"}, CUSTOM, True,
     "LIVE https://eu.example.com", "LIVE: custom URL https://eu.example.com"),
    ({"environment": "custom", "api_url": "http://127.0.0.1:8080"}, CUSTOM, False,
     "http://127.0.0.1:8080", "Custom URL: http://127.0.0.1:8080"),
    ({"environment": "custom", "api_url": "http://127.0.0.1:8080", "tags": (DEMO_TAG,)},
     DEMO, False, "http://127.0.0.1:8080", "DEMO: fake money"),
    # a "demo" tag never makes a remote URL look safe
    ({"environment": "custom", "api_url": "https://demo.example.com", "tags": (DEMO_TAG,)},
     CUSTOM, True, "LIVE https://demo.example.com",
     "LIVE: custom URL https://demo.example.com"),
])
def test_describe(fields: dict[str, object], kind: str, live: bool, text: str,
                  badge: str) -> None:
    entry = make_entry("k", "binance", **fields)
    endpoint = describe(entry)
    assert (endpoint.kind, endpoint.live, endpoint.text, endpoint.badge) == (
        kind, live, text, badge)
    client = ExchangeClient(entry)  # the client says the same (no network: not loaded)
    assert (client.is_live, client.describe_endpoint()) == (live, text)


def test_only_sandbox_and_demo_keys_hold_test_money() -> None:
    """A custom URL on this computer may be a tunnel to a real exchange (a2 N3)."""
    from tests.conftest import make_entry

    tunnel = describe(make_entry("k", "binance", environment="custom",
                                 api_url="https://127.0.0.1:8443"))
    assert not tunnel.test_money and tunnel.on_this_computer
    demo_key = describe(make_entry("d", "binance", environment="custom",
                                   api_url="http://127.0.0.1:1", tags=("demo",)))
    assert demo_key.test_money and not demo_key.on_this_computer
    assert describe(make_entry("t", "binance", environment="sandbox")).test_money
    for live in (make_entry("l", "binance"),
                 make_entry("r", "binance", environment="custom",
                            api_url="https://eu.example.com")):
        assert not describe(live).test_money and not describe(live).on_this_computer
