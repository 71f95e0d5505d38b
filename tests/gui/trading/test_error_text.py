"""Every error the trading core raises with a remedy, said in the desktop app's words:
never a CLI flag or command, and the fix names the app's own control."""

from __future__ import annotations

import re

import pytest

from tests.unit.trading.remedy_sites import demo, pure_sites, session, session_sites
from vault_app.core.errors import VaultError
from vault_app.gui.trading import error_text
from vault_app.gui.trading.error_text import (
    FAR_PRICE_CHECKBOX,
    trading_error_sentence,
    trading_error_text,
)
from vault_app.trading import remedies
from vault_app.trading.errors import TradingError
from vault_app.trading.session import TradingSession

__all__ = ["demo", "session"]  # fixtures

CLI_WORDS = re.compile(r"--|'order |\border list\b|'show'|\bedit '|\bpass\b|vault-app-cli")


def said(exc: BaseException) -> str:
    message, fix = trading_error_text(exc)
    assert message, exc
    return f"{message} | {fix}"


@pytest.mark.parametrize("name", sorted(pure_sites()))
def test_no_cli_words_for_any_site(name: str) -> None:
    text = said(pure_sites()[name])
    assert not CLI_WORDS.search(text), (name, text)


def test_no_cli_words_for_the_sessions_sites(session: TradingSession) -> None:
    for name, exc in session_sites(session).items():
        text = said(exc)
        assert not CLI_WORDS.search(text), (name, text)


def test_each_fix_names_the_apps_own_way() -> None:
    sites = pure_sites()
    assert f"tick “{FAR_PRICE_CHECKBOX}” in the ticket" in said(sites["far price"])
    assert "add the trade label to the key on the Keys page (Edit key…)" in \
        said(sites["read key"])
    assert "raise the key's maximum per order on the Keys page" in \
        said(sites["key limit exceeded"])
    assert "remove the key's maximum per order on the Keys page" in \
        said(sites["key limit, not USD"])
    assert "computer's clock" in said(sites["clock"])
    message, fix = trading_error_text(sites["cancel, no answer"])
    assert fix.startswith("check the network connection; the order may or may not be "
                          "canceled: refresh the open orders")
    assert trading_error_text(sites["missing price"]) == ("a limit order needs a price", "")
    message, _ = trading_error_text(sites["interrupted send"])
    assert message.startswith("interrupted: the order va-0123456789abcdef may have been sent")


def test_an_error_without_remedy_keeps_its_fix_and_anything_else_is_plain() -> None:
    assert trading_error_text(TradingError("the market is closed", fix="try again when it "
                                           "reopens")) == \
        ("the market is closed", "try again when it reopens")
    assert trading_error_text(VaultError("the vault is locked")) == ("the vault is locked", "")
    message, fix = trading_error_text(RuntimeError("secret-ish internals"))
    assert "secret-ish" not in message and fix == ""
    assert trading_error_sentence(TradingError("the market is closed", fix="try later")) == \
        "The market is closed. Try later."


def test_every_remedy_has_the_apps_words() -> None:
    assert set(remedies.REMEDIES) <= set(error_text._FIXES) | set(error_text._INPUT_FIXES)
