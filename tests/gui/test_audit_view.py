"""The Audit section lists the findings and the badge counts the high ones, following edits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from pytestqt.qtbot import QtBot

from tests.conftest import make_entry
from tests.gui.helpers import fill_form, open_form, save_form, select, unlock
from vault_app.core.model import KeyEntry, utcnow
from vault_app.core.vault import Vault
from vault_app.gui.sections import AUDIT
from vault_app.gui.window import MainWindow

IP = ("203.0.113.7",)


def clean(label: str, **fields: object) -> KeyEntry:
    """IP-restricted and used yesterday: only the given fields can make findings."""
    fields.setdefault("ip_whitelist", IP)
    entry = make_entry(label, "binance", **fields)
    return replace(entry, last_used_at=utcnow() - timedelta(days=1))


def rows(window: MainWindow) -> list[tuple[str, str]]:
    table = window.sections.audit.table
    return [(table.item(n, 0).text(), table.item(n, 1).text())  # type: ignore[union-attr]
            for n in range(table.rowCount())]


def test_badge_counts_high_findings_and_follows_an_edit_removing_withdraw(
        qtbot: QtBot, new_vault: Callable[..., Vault],
        make_window: Callable[..., MainWindow]) -> None:
    vault = new_vault(0)
    vault.add(clean("payout", permissions="read,withdraw"))
    vault.add(clean("sweeper", permissions="read,withdraw"))
    vault.add(clean("bot", permissions="read,trade", max_notional=Decimal(50)))
    vault.add(clean("open", ip_whitelist=()))
    vault.lock()
    window = make_window()
    unlock(qtbot, window)
    tabs = window.sections
    assert tabs.tabText(AUDIT) == "Audit (2 high)"  # on show before the tab is opened
    tabs.show_section(AUDIT)
    assert rows(window) == [("High", "payout"), ("High", "sweeper"), ("Medium", "open")]
    assert "withdraw" in window.sections.audit.table.item(0, 2).text()  # type: ignore[union-attr]

    window.show_keys()
    select(qtbot, window, "payout")
    window.act_edit.trigger()
    form = open_form(qtbot, window)
    fill_form(qtbot, form, permissions={"withdraw": False})
    save_form(qtbot, window, form)
    assert tabs.tabText(AUDIT) == "Audit (1 high)"
    assert rows(window) == [("High", "sweeper"), ("Medium", "open")]

    window.lock()
    assert rows(window) == [] and tabs.tabText(AUDIT) == "Audit"


def test_a_clean_vault_shows_no_finding_and_no_badge(
        qtbot: QtBot, new_vault: Callable[..., Vault],
        make_window: Callable[..., MainWindow]) -> None:
    vault = new_vault(0)
    vault.add(clean("reader"))
    vault.lock()
    window = make_window()
    unlock(qtbot, window)
    assert window.sections.tabText(AUDIT) == "Audit"
    assert rows(window) == []
    assert "No findings" in window.sections.audit.summary.text()
    assert window.vault is not None and window.vault.password_score == 4  # rated at unlock
    window.lock()
    assert window.vault is None
