"""Keyboard-only use and accessible names.

Every menu action has a shortcut or a mnemonic, every input has a name a screen
reader can say (an accessibleName, its own text, or a buddy label), mnemonics do
not collide within a window, Tab follows the form's visual order, and a whole
session can be run without the mouse.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.conftest import PASSWORD
from tests.gui.test_key_form import delete_dialog
from vault_app.core.vault import Vault
from vault_app.gui.key_form import KeyForm
from vault_app.gui.qt import Qt, QtGui, QtWidgets
from vault_app.gui.settings_dialog import SettingsDialog
from vault_app.gui.window import MainWindow

from .helpers import (
    CTRL,
    SIGNAL_TIMEOUT,
    choose_exchange,
    labels_shown,
    open_add_form,
    open_form,
    reactivate,
    select,
    wait_for_dialog,
)

INPUTS = (QtWidgets.QLineEdit, QtWidgets.QComboBox, QtWidgets.QAbstractSpinBox,
          QtWidgets.QPlainTextEdit, QtWidgets.QCheckBox)


def mnemonic(text: str) -> str | None:
    """The letter after a single '&' ("&&" is a literal ampersand), lower-cased."""
    i = 0
    while i < len(text) - 1:
        if text[i] == "&":
            if text[i + 1] != "&":
                return text[i + 1].lower()
            i += 1
        i += 1
    return None


def test_mnemonic_parser() -> None:
    assert mnemonic("&Vault") == "v"
    assert mnemonic("Copy API &key") == "k"
    assert mnemonic("R&&D &notes") == "n"
    assert mnemonic("Copy") is None


def menus(window: MainWindow) -> list[QtWidgets.QMenu]:
    found = [action.menu() for action in window.menuBar().actions()]
    assert all(isinstance(menu, QtWidgets.QMenu) for menu in found)
    return found  # type: ignore[return-value]


def test_every_menu_action_has_a_shortcut_or_a_mnemonic(sample_vault: Vault,
                                                        window: MainWindow) -> None:
    titles = [action.text() for action in window.menuBar().actions()]
    assert titles == ["&Vault", "&Keys", "V&iew"]
    title_keys = [mnemonic(t) for t in titles]
    assert None not in title_keys and len(set(title_keys)) == len(title_keys)

    shortcuts: list[str] = []
    for menu in menus(window):
        actions = [a for a in menu.actions() if not a.isSeparator()]
        assert actions, menu.title()
        keys = [mnemonic(a.text()) for a in actions]
        for action, key in zip(actions, keys, strict=True):
            assert key is not None or not action.shortcut().isEmpty(), (
                f"“{action.text()}” has neither a shortcut nor a mnemonic")
            if not action.shortcut().isEmpty():
                shortcuts.append(action.shortcut().toString())
                # the window holds it, so the shortcut works with the menu bar hidden
                assert action in window.actions(), action.text()
        duplicated = [k for k, n in Counter(k for k in keys if k).items() if n > 1]
        assert duplicated == [], f"menu {menu.title()} repeats mnemonics {duplicated}"
    assert len(shortcuts) == len(set(shortcuts)), f"ambiguous shortcuts: {shortcuts}"
    assert {"Ctrl+L", "Ctrl+N", "Ctrl+E", "Del", "Ctrl+F", "Ctrl+Q", "Ctrl+1", "Ctrl+T",
            "Ctrl+3"} <= set(shortcuts)


def accessible_problems(root: QtWidgets.QWidget) -> list[str]:
    """Inputs under ``root`` a screen reader could not name or Tab could not reach."""
    buddies = {id(label.buddy()) for label in root.findChildren(QtWidgets.QLabel)
               if label.buddy() is not None}
    problems = []
    inputs = [w for w in root.findChildren(QtWidgets.QWidget) if isinstance(w, INPUTS)]
    assert inputs, f"no inputs found under {root!r}"
    for widget in inputs:
        parent = widget.parentWidget()
        if isinstance(parent, QtWidgets.QComboBox | QtWidgets.QAbstractSpinBox):
            continue  # the line edit inside an editable combo box or a spin box
        own_text = widget.text() if isinstance(widget, QtWidgets.QCheckBox) else ""
        if not (widget.accessibleName() or own_text.replace("&", "")
                or id(widget) in buddies):
            problems.append(f"{type(widget).__name__} {widget.objectName()!r} has no name")
        if not widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            problems.append(f"{type(widget).__name__} {widget.accessibleName()!r} "
                            "cannot be reached with Tab")
    return problems


def test_create_page_inputs_are_named(window: MainWindow) -> None:
    assert window.stack.currentWidget() is window.create_page
    assert accessible_problems(window.create_page) == []


def test_unlock_page_inputs_are_named(sample_vault: Vault, window: MainWindow) -> None:
    assert window.stack.currentWidget() is window.unlock_page
    assert accessible_problems(window.unlock_page) == []


def test_vault_page_inputs_are_named(qtbot: QtBot, unlocked: MainWindow) -> None:
    select(qtbot, unlocked, "OKX main")  # the detail pane's credential fields too
    assert accessible_problems(unlocked.vault_page) == []
    for row in unlocked.detail.rows.values():
        buttons = row.findChildren(QtWidgets.QToolButton)
        assert buttons and all(b.accessibleName().startswith(("Reveal", "Copy"))
                               for b in buttons)


@pytest.mark.parametrize("exchange", ["okx", "binance"])  # binance: the PEM loader row
def test_key_form_inputs_are_named(qtbot: QtBot, unlocked: MainWindow, exchange: str) -> None:
    form = open_add_form(qtbot, unlocked)
    choose_exchange(qtbot, form, exchange)
    form.environment.setCurrentIndex(form.environment.findData("custom"))  # show the URL
    assert form.api_url.isVisible()
    assert accessible_problems(form) == []
    buttons = [b for b in form.findChildren(QtWidgets.QPushButton) if b.isVisible()]
    assert all(b.text() or b.accessibleName() for b in buttons)


def test_edit_form_inputs_are_named(qtbot: QtBot, unlocked: MainWindow) -> None:
    select(qtbot, unlocked, "OKX main")
    unlocked.act_edit.trigger()
    form = open_form(qtbot, unlocked)
    assert accessible_problems(form) == []


def test_settings_dialog_inputs_are_named(qtbot: QtBot, window: MainWindow) -> None:
    window.act_settings.trigger()
    dialog = window.settings_dialog
    assert isinstance(dialog, SettingsDialog)
    wait_for_dialog(qtbot, dialog)
    assert accessible_problems(dialog) == []
    dialog.reject()


def page_mnemonics(root: QtWidgets.QWidget) -> list[str]:
    """Mnemonics that are live while ``root`` is shown: buddy labels and buttons."""
    keys = []
    for label in root.findChildren(QtWidgets.QLabel):
        if label.buddy() is not None and label.isVisibleTo(root):
            keys.append(mnemonic(label.text()))
    for button in root.findChildren(QtWidgets.QAbstractButton):
        if button.isVisibleTo(root) and not isinstance(button, QtWidgets.QToolButton):
            keys.append(mnemonic(button.text()))
    return [key for key in keys if key]


def duplicates(keys: list[str]) -> list[str]:
    return sorted(key for key, count in Counter(keys).items() if count > 1)


@pytest.mark.parametrize("page", ["create", "unlock"])
def test_page_mnemonics_do_not_collide_with_the_menu_bar(
        new_vault: Callable[..., Vault], window: MainWindow, page: str) -> None:
    """An ambiguous Alt+letter alternates between targets: each press does something else."""
    if page == "unlock":
        new_vault(0).lock()
        window.show_start_page(window.vault_path)
    widget = window.create_page if page == "create" else window.unlock_page
    assert window.stack.currentWidget() is widget
    menu_keys = [mnemonic(a.text()) for a in window.menuBar().actions()]
    keys = [k for k in menu_keys if k] + page_mnemonics(widget)
    assert duplicates(keys) == [], f"Alt+{duplicates(keys)} is ambiguous on the {page} page"


def test_alt_v_on_the_unlock_page_opens_the_vault_menu_every_time(
        qtbot: QtBot, sample_vault: Vault, window: MainWindow) -> None:
    """What the collision above means for a user: Alt+V must open the Vault menu."""
    page = window.unlock_page
    assert page.password.hasFocus()
    vault_menu = menus(window)[0]
    qtbot.keyClick(page.password, Qt.Key.Key_V, Qt.KeyboardModifier.AltModifier)
    opened = window.menuBar().activeAction() is vault_menu.menuAction()
    qtbot.keyClick(QtWidgets.QApplication.focusWidget(), Qt.Key.Key_Escape)
    qtbot.keyClick(QtWidgets.QApplication.focusWidget(), Qt.Key.Key_Escape)
    assert opened, (f"Alt+V moved the focus to "
                    f"{QtWidgets.QApplication.focusWidget().accessibleName()!r} instead")


@pytest.mark.parametrize("root", ["key form", "settings"])
def test_dialog_mnemonics_are_unique(qtbot: QtBot, unlocked: MainWindow, root: str) -> None:
    if root == "key form":
        dialog: QtWidgets.QDialog = open_add_form(qtbot, unlocked)
        choose_exchange(qtbot, dialog, "okx")  # type: ignore[arg-type]
    else:
        unlocked.act_settings.trigger()
        dialog = unlocked.settings_dialog
        wait_for_dialog(qtbot, dialog)
    keys = page_mnemonics(dialog)
    assert len(keys) >= 4
    assert duplicates(keys) == []
    dialog.reject()


def focus_chain(qtbot: QtBot, form: KeyForm, start: QtWidgets.QWidget,
                count: int) -> list[QtWidgets.QWidget]:
    start.setFocus(Qt.FocusReason.TabFocusReason)
    chain = []
    for _ in range(count):
        widget = QtWidgets.QApplication.focusWidget()
        chain.append(widget)
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
    return chain


def test_tab_follows_the_visual_order_of_the_key_form(qtbot: QtBot,
                                                      unlocked: MainWindow) -> None:
    """After choosing an exchange, Tab from the label goes to its credentials."""
    form = open_add_form(qtbot, unlocked)
    choose_exchange(qtbot, form, "okx")
    boxes = form.permission_boxes
    expected = [form.exchange, form.label, *form.credential_fields.values(),
                boxes["read"], boxes["trade"], boxes["withdraw"], form.ips]
    chain = focus_chain(qtbot, form, form.exchange, len(expected))
    names = [w.accessibleName() or w.objectName() for w in chain]
    assert chain == expected, f"Tab order is {names}"


def focused() -> QtWidgets.QWidget:
    widget = QtWidgets.QApplication.focusWidget()
    assert widget is not None
    return widget


def press(qtbot: QtBot, key: Qt.Key,
          modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """A key press goes where the keyboard focus is, as for a real user."""
    qtbot.keyClick(focused(), key, modifier)


def tab_to(qtbot: QtBot, target: QtWidgets.QWidget, limit: int = 40) -> None:
    for _ in range(limit):
        if focused() is target:
            return
        press(qtbot, Qt.Key.Key_Tab)
    raise AssertionError(f"Tab never reaches {target.accessibleName()!r}")


def test_a_whole_session_without_the_mouse(qtbot: QtBot, sample_vault: Vault,
                                           window: MainWindow, vault_path: Path) -> None:
    page = window.unlock_page
    assert focused() is page.password, "the password field has the focus at start-up"
    qtbot.keyClicks(focused(), PASSWORD)
    with qtbot.waitSignal(window.unlocked, timeout=SIGNAL_TIMEOUT):
        press(qtbot, Qt.Key.Key_Return)
    assert focused() is window.table

    # find a key, go to the list, and copy its secret
    press(qtbot, Qt.Key.Key_F, CTRL)
    assert focused() is window.search
    qtbot.keyClicks(focused(), "key 1")
    assert labels_shown(window) == ["key 1"]
    press(qtbot, Qt.Key.Key_Return)
    assert focused() is window.table
    press(qtbot, Qt.Key.Key_Down)
    assert window.current_entry() is not None and window.current_entry().label == "key 1"
    press(qtbot, Qt.Key.Key_C, CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert QtGui.QGuiApplication.clipboard().text() == "secret-key 1-value"
    press(qtbot, Qt.Key.Key_F, CTRL)  # Ctrl+F selects the search text: Backspace clears it
    press(qtbot, Qt.Key.Key_Backspace)
    assert window.search.text() == "" and len(labels_shown(window)) == 3
    press(qtbot, Qt.Key.Key_Return)
    assert focused() is window.table

    # add a key
    press(qtbot, Qt.Key.Key_N, CTRL)
    form = open_form(qtbot, window)
    assert focused() is form.exchange, "the form opens with the exchange box focused"
    choose_exchange(qtbot, form, "kraken")
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is form.label
    qtbot.keyClicks(focused(), "Kraken tax")
    tab_to(qtbot, form.credential_fields["apiKey"])
    qtbot.keyClicks(focused(), "kraken-key")
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is form.credential_fields["secret"]
    qtbot.keyClicks(focused(), "kraken-secret")
    with qtbot.waitSignal(window.saved, timeout=SIGNAL_TIMEOUT):
        press(qtbot, Qt.Key.Key_Return)  # Save is the dialog's default button
    qtbot.waitUntil(lambda: not form.isVisible())
    reactivate(qtbot, window)
    assert window.current_entry() is not None
    assert window.current_entry().label == "Kraken tax", "the new key is selected"

    # edit, then change our mind with Escape
    press(qtbot, Qt.Key.Key_E, CTRL)
    form = open_form(qtbot, window)
    assert form.label.text() == "Kraken tax"
    with qtbot.assertNotEmitted(window.saved):
        press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not form.isVisible())
    assert not window.ops.busy and window.form is None
    reactivate(qtbot, window)

    # delete asks; Escape cancels
    assert focused() is window.table, "the focus goes back to the list after a dialog"
    press(qtbot, Qt.Key.Key_Delete)
    box = delete_dialog(qtbot, window)  # shown once the journal was read off the UI thread
    wait_for_dialog(qtbot, box)
    with qtbot.assertNotEmitted(window.saved):
        press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not box.isVisible())
    assert not window.ops.busy, "Escape started a save"
    reactivate(qtbot, window)

    # lock
    with qtbot.waitSignal(window.locked, timeout=SIGNAL_TIMEOUT):
        press(qtbot, Qt.Key.Key_L, CTRL)
    assert focused() is page.password
    labels = {entry.label for entry in Vault.open(vault_path, PASSWORD).entries}
    assert labels == {"key 0", "key 1", "OKX main", "Kraken tax"}
