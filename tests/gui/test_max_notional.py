"""The detail pane shows a key's max_notional, and editing a key never loses it
(issue 8; the form's own field: test_key_form_max_notional.py)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from pytestqt.qtbot import QtBot

from tests.conftest import PASSWORD
from vault_app.core.vault import Vault
from vault_app.gui.qt import Qt, QtWidgets
from vault_app.gui.window import MainWindow

from .helpers import CTRL, fill_form, open_form, save_form, select, unlock


def limited_window(qtbot: QtBot, vault_path: Path,
                   make_window: Callable[..., MainWindow]) -> MainWindow:
    """The sample vault with a limit on "key 1", set by another program (the CLI)."""
    vault = Vault.open(vault_path, PASSWORD)
    vault.update(vault.find("key 1").id, {"max_notional": "0.00000001"})
    window = make_window()
    unlock(qtbot, window)
    return window


def detail_rows(window: MainWindow) -> dict[str, str]:
    form = window.detail.widget().findChild(QtWidgets.QFormLayout)
    assert form is not None
    rows: dict[str, str] = {}
    for row in range(form.rowCount()):
        label = form.itemAt(row, QtWidgets.QFormLayout.ItemRole.LabelRole)
        field = form.itemAt(row, QtWidgets.QFormLayout.ItemRole.FieldRole)
        if label is not None and field is not None and \
                isinstance(field.widget(), QtWidgets.QLabel):
            rows[label.widget().text()] = field.widget().text()
    return rows


def test_editing_a_key_in_the_form_keeps_its_limit(
        qtbot: QtBot, sample_vault: Vault, vault_path: Path,
        make_window: Callable[..., MainWindow]) -> None:
    window = limited_window(qtbot, vault_path, make_window)
    select(qtbot, window, "key 1")
    qtbot.keyClick(window.table, Qt.Key.Key_E, CTRL)
    form = open_form(qtbot, window)
    fill_form(qtbot, form, label="renamed", permissions={"trade": True})
    save_form(qtbot, window, form)
    window.close()
    edited = Vault.open(vault_path, PASSWORD).find("renamed")
    assert edited.max_notional == Decimal("0.00000001")
    assert edited.permissions == ("read", "trade")


def test_the_detail_pane_shows_the_limit(qtbot: QtBot, sample_vault: Vault, vault_path: Path,
                                         make_window: Callable[..., MainWindow]) -> None:
    window = limited_window(qtbot, vault_path, make_window)
    select(qtbot, window, "key 1")
    assert detail_rows(window)["Max order notional:"] == "0.00000001 USD per order"  # never 1E-8
    select(qtbot, window, "key 0")  # read-only, no limit: nothing to say
    assert "Max order notional:" not in detail_rows(window)

