"""The key form's "Max order notional" field (``KeyEntry.max_notional``): typed as text,
parsed and refused by the core (``model.parse_max_notional``), its message shown inline."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.conftest import PASSWORD
from vault_app.core.errors import ValidationError
from vault_app.core.model import parse_max_notional
from vault_app.core.vault import Vault
from vault_app.gui.key_form import KeyForm
from vault_app.gui.qt import Qt
from vault_app.gui.window import MainWindow

from .helpers import (
    CTRL,
    click,
    fill_form,
    open_add_form,
    open_form,
    save_button,
    save_form,
    select,
    type_into,
    unlock,
)
from .test_max_notional import detail_rows


def on_disk(vault_path: Path, label: str) -> Decimal | None:
    vault = Vault.open(vault_path, PASSWORD)
    try:
        return vault.find(label).max_notional
    finally:
        vault.lock()


def edit_form(qtbot: QtBot, window: MainWindow, label: str) -> KeyForm:
    select(qtbot, window, label)
    qtbot.keyClick(window.table, Qt.Key.Key_E, CTRL)
    return open_form(qtbot, window)


@pytest.fixture
def limited(qtbot: QtBot, sample_vault: Vault, vault_path: Path,
            make_window: Callable[..., MainWindow]) -> MainWindow:
    """The sample vault, "key 1" limited to 0.00000001 USD by another program."""
    vault = Vault.open(vault_path, PASSWORD)
    vault.update(vault.find("key 1").id, {"max_notional": "0.00000001"})
    vault.lock()
    window = make_window()
    unlock(qtbot, window)
    return window


def test_a_new_key_gets_the_limit_typed(qtbot: QtBot, unlocked: MainWindow,
                                        vault_path: Path) -> None:
    form = open_add_form(qtbot, unlocked)
    assert form.max_notional.text() == ""  # no limit unless one is typed
    fill_form(qtbot, form, exchange="kraken", label="limited",
              credentials={"apiKey": "k", "secret": "s"}, permissions={"trade": True})
    type_into(qtbot, form.max_notional, "2500.50")
    save_form(qtbot, unlocked, form)
    assert on_disk(vault_path, "limited") == Decimal("2500.5")
    select(qtbot, unlocked, "limited")
    assert detail_rows(unlocked)["Max order notional:"] == "2500.5 USD per order"


def test_a_new_key_left_empty_has_no_limit(qtbot: QtBot, unlocked: MainWindow,
                                           vault_path: Path) -> None:
    form = open_add_form(qtbot, unlocked)
    fill_form(qtbot, form, exchange="kraken", label="free",
              credentials={"apiKey": "k", "secret": "s"})
    save_form(qtbot, unlocked, form)
    assert on_disk(vault_path, "free") is None


def test_editing_shows_the_limit_in_digits_and_changes_it(
        qtbot: QtBot, limited: MainWindow, vault_path: Path) -> None:
    form = edit_form(qtbot, limited, "key 1")
    assert form.max_notional.text() == "0.00000001"  # never 1E-8
    type_into(qtbot, form.max_notional, "1000")
    save_form(qtbot, limited, form)
    assert on_disk(vault_path, "key 1") == Decimal("1000")
    assert detail_rows(limited)["Max order notional:"] == "1000 USD per order"


def test_clearing_the_field_removes_the_limit(qtbot: QtBot, limited: MainWindow,
                                              vault_path: Path) -> None:
    form = edit_form(qtbot, limited, "key 1")
    form.max_notional.setFocus()
    form.max_notional.selectAll()
    qtbot.keyClick(form.max_notional, Qt.Key.Key_Delete)
    assert form.max_notional.text() == ""
    save_form(qtbot, limited, form)
    assert on_disk(vault_path, "key 1") is None


def test_an_edit_of_another_field_keeps_the_limit(qtbot: QtBot, limited: MainWindow,
                                                  vault_path: Path) -> None:
    form = edit_form(qtbot, limited, "key 1")
    fill_form(qtbot, form, label="renamed")
    save_form(qtbot, limited, form)
    assert on_disk(vault_path, "renamed") == Decimal("0.00000001")


@pytest.mark.parametrize("typed", ["-5", "0", "1e3", "1,000", "abc", ".", "NaN",
                                   "1" * 37])
def test_an_invalid_limit_is_refused_inline_with_the_cores_message(
        qtbot: QtBot, limited: MainWindow, vault_path: Path, typed: str) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_max_notional(typed)
    expected = str(refused.value)
    before = vault_path.read_bytes()
    form = edit_form(qtbot, limited, "key 1")
    type_into(qtbot, form.max_notional, typed)
    with qtbot.assertNotEmitted(form.submitted), qtbot.assertNotEmitted(limited.saved):
        click(qtbot, save_button(form))
    error = form.errors["max_notional"]
    assert error.isVisible()
    assert error.text() == expected[:1].upper() + expected[1:]
    assert not form.general_error.text()
    assert form.isVisible() and form.max_notional.text() == typed  # nothing typed is lost
    assert form.max_notional.hasFocus()
    assert vault_path.read_bytes() == before
    type_into(qtbot, form.max_notional, "750")  # fixed: saved, the message gone
    save_form(qtbot, limited, form)
    assert on_disk(vault_path, "key 1") == Decimal("750")


def test_an_invalid_limit_on_a_new_key_is_refused_too(
        qtbot: QtBot, unlocked: MainWindow, vault_path: Path) -> None:
    before = vault_path.read_bytes()
    form = open_add_form(qtbot, unlocked)
    fill_form(qtbot, form, exchange="kraken", label="bad",
              credentials={"apiKey": "k", "secret": "s"})
    type_into(qtbot, form.max_notional, "-1")
    with qtbot.assertNotEmitted(form.submitted):
        click(qtbot, save_button(form))
    assert "must not be negative" in form.errors["max_notional"].text()
    assert vault_path.read_bytes() == before
