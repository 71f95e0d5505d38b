"""The key picker shows every key with its permission badges and, always, where the
chosen key's orders go: LIVE in red (a live key, or a custom URL that is not this
computer), SANDBOX, or the loopback URL."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from tests.conftest import make_entry
from vault_app.gui.trading.key_picker import LIVE_STYLE, KeyPicker, environment_text


def test_the_environment_is_always_said_and_live_is_red(qtbot: QtBot) -> None:
    live = make_entry("main", "binance", permissions=("read", "trade", "withdraw"))
    sandbox = make_entry("test", "binance", permissions=("read",), environment="sandbox")
    local = make_entry("demo", "binance", environment="custom",
                       api_url="http://127.0.0.1:8080")
    remote = make_entry("proxy", "binance", environment="custom",
                        api_url="https://eu.example.com")
    assert environment_text(live) == ("LIVE: real money", True)
    assert environment_text(sandbox) == ("SANDBOX (testnet)", False)
    assert environment_text(local) == ("Custom URL: http://127.0.0.1:8080", False)
    assert environment_text(remote) == ("LIVE: custom URL https://eu.example.com", True)

    picker = KeyPicker()
    qtbot.addWidget(picker)
    chosen: list[object] = []
    picker.key_changed.connect(chosen.append)
    picker.set_entries([sandbox, live, local, remote])
    picker.show()
    texts = [picker.combo.itemText(i) for i in range(picker.combo.count())]
    assert texts == ["demo (binance)", "main (binance)", "proxy (binance)", "test (binance)"]
    assert picker.select(live.id)
    assert chosen[-1] == live
    assert picker.environment.text() == "LIVE: real money"
    assert picker.environment.styleSheet() == LIVE_STYLE
    assert "withdraw" in picker.badges.text() and "withdraw funds" in picker.badges.toolTip()
    assert picker.rights.text() == "can place orders"
    assert picker.select(sandbox.id)
    assert picker.environment.text() == "SANDBOX (testnet)"
    assert picker.environment.styleSheet() != LIVE_STYLE
    assert "read-only" in picker.rights.text()
    count = len(chosen)
    picker.set_entries([sandbox, live, local, remote])  # refilled, same keys
    assert len(chosen) == count  # nothing reloads

