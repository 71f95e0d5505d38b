"""The Add/Edit key dialog fits its content: nothing overlaps, nothing is cut off.

With every message shown at once (the PEM hint, the withdraw warning, an inline
error and a save error) and at every width from the dialog's minimum up, sibling
widgets do not overlap, each lies inside its parent, the buttons are whole, and
each word-wrapped label gets at least its height for the width it has.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations

import pytest
from pytestqt.qtbot import QtBot

from tests.conftest import make_entry
from vault_app.core.errors import ValidationError
from vault_app.core.exchanges import load_catalog
from vault_app.gui.key_form import PEM_HINT, KeyForm
from vault_app.gui.qt import QtCore, QtWidgets

SAVE_ERROR = ("Could not save: the vault file changed on disk while you were editing, "
              "and writing it again would overwrite those changes. Close this dialog, "
              "look at the key again, and repeat your edit.")
LABEL_ERROR = ("A key named “Binance spot” already exists; labels are unique, so pick "
               "another name for this one, for example by adding the account it trades.")


@pytest.fixture
def form(qtbot: QtBot, app_state: QtWidgets.QApplication) -> Iterator[KeyForm]:
    dialog = KeyForm(load_catalog())
    qtbot.addWidget(dialog)
    with qtbot.waitExposed(dialog):
        dialog.show()
    yield dialog
    dialog.wipe()


def visible_widgets(root: QtWidgets.QWidget) -> list[QtWidgets.QWidget]:
    return [w for w in root.findChildren(QtWidgets.QWidget)
            if w.isVisible() and not w.isWindow()]


def show_every_message(qtbot: QtBot, form: KeyForm) -> list[QtWidgets.QLabel]:
    """The PEM hint, the withdraw warning, an inline error and a save error, all at once."""
    form.exchange.setCurrentIndex(form.exchange.findData("binance"))
    form.permission_boxes["withdraw"].setChecked(True)
    form.show_error(RuntimeError(SAVE_ERROR))  # as the window shows a failed save
    form.errors["label"].show_message(LABEL_ERROR)
    form.errors["secret"].show_message("Could not read that file: permission denied.")
    [hint] = [label for label in form.findChildren(QtWidgets.QLabel)
              if label.text() == PEM_HINT]
    messages = [hint, form.withdraw_warning, form.errors["label"], form.errors["secret"],
                form.general_error]
    qtbot.waitUntil(lambda: all(label.isVisible() for label in messages))
    return messages


def settle(qtbot: QtBot, form: KeyForm, size: QtCore.QSize | None = None) -> None:
    if size is not None:
        form.resize(size)
        qtbot.waitUntil(lambda: form.size() == size)
    for _ in range(3):  # layouts settle over a few passes (wrapped labels, scroll area)
        QtWidgets.QApplication.processEvents()
        QtWidgets.QApplication.sendPostedEvents(None, QtCore.QEvent.Type.LayoutRequest)


def where(widget: QtWidgets.QWidget, form: KeyForm) -> str:
    rect = QtCore.QRect(widget.mapTo(form, QtCore.QPoint(0, 0)), widget.size())
    text = widget.text() if isinstance(widget, QtWidgets.QLabel | QtWidgets.QAbstractButton) \
        else ""
    return f"{type(widget).__name__} {widget.objectName()!r} {text[:30]!r} at {rect}"


def layout_faults(form: KeyForm) -> list[str]:
    faults: list[str] = []
    parents = [form, *visible_widgets(form)]
    for parent in parents:
        if parent.layout() is None:
            continue  # only layout-managed children: a widget's own internals are Qt's
        children = [child for child in parent.children()
                    if isinstance(child, QtWidgets.QWidget) and child.isVisible()
                    and not child.isWindow()]
        for child in children:
            if not parent.rect().contains(child.geometry()):
                faults.append(f"cut off by its parent {where(parent, form)}: "
                              f"{where(child, form)}")
        for one, other in combinations(children, 2):
            if one.geometry().intersects(other.geometry()):
                faults.append(f"overlap: {where(one, form)} and {where(other, form)}")
    for label in form.findChildren(QtWidgets.QLabel):
        if label.isVisible() and label.wordWrap() and label.text():
            needed = label.heightForWidth(label.width())
            if label.height() < needed:
                faults.append(f"squeezed to {label.height()} px of {needed}: "
                              f"{where(label, form)}")
    for button in form.buttons.buttons():
        rect = QtCore.QRect(button.mapTo(form, QtCore.QPoint(0, 0)), button.size())
        if not button.isVisible() or not form.rect().contains(rect):
            faults.append(f"button not wholly shown: {where(button, form)}")
        for widget in visible_widgets(form):
            if widget is button or button.isAncestorOf(widget) or widget.isAncestorOf(button):
                continue
            other = QtCore.QRect(widget.mapTo(form, QtCore.QPoint(0, 0)), widget.size())
            inside_scroll = form.isAncestorOf(widget) and _in_scroll(widget, form)
            if inside_scroll:  # only the part the scroll area shows can cover anything
                other = other.intersected(_viewport_rect(form))
            if rect.intersects(other):
                faults.append(f"{where(button, form)} covers {where(widget, form)}")
    return faults


def _in_scroll(widget: QtWidgets.QWidget, form: KeyForm) -> bool:
    scroll = getattr(form, "scroll_area", None)
    return scroll is not None and scroll.viewport().isAncestorOf(widget)


def _viewport_rect(form: KeyForm) -> QtCore.QRect:
    viewport = form.scroll_area.viewport()
    return QtCore.QRect(viewport.mapTo(form, QtCore.QPoint(0, 0)), viewport.size())


def test_every_message_at_once_fits_at_the_minimum_and_at_a_wide_size(
        qtbot: QtBot, form: KeyForm) -> None:
    messages = show_every_message(qtbot, form)
    settle(qtbot, form)
    assert layout_faults(form) == []

    minimum = form.minimumSize()
    assert minimum.width() >= 360 and minimum.height() >= 200, "a useless minimum size"
    settle(qtbot, form, minimum)
    assert layout_faults(form) == []
    assert all(label.isVisible() for label in messages)

    wide = QtCore.QSize(1400, max(form.minimumHeight(), 560))
    settle(qtbot, form, wide)
    assert layout_faults(form) == []


@pytest.mark.parametrize("width_step", [0, 37, 111, 260])
def test_any_width_from_the_minimum_up_keeps_every_message_readable(
        qtbot: QtBot, form: KeyForm, width_step: int) -> None:
    show_every_message(qtbot, form)
    settle(qtbot, form, QtCore.QSize(form.minimumWidth() + width_step, form.minimumHeight()))
    assert layout_faults(form) == []


def test_the_dialog_grows_when_messages_appear_and_scrolls_only_past_the_screen(
        qtbot: QtBot, form: KeyForm) -> None:
    settle(qtbot, form)
    before = form.height()
    show_every_message(qtbot, form)
    screen = form.screen().availableGeometry()

    def fits() -> bool:
        body_shown = form.scroll_area.viewport().height() >= form.body.height()
        at_screen_height = form.frameGeometry().height() >= screen.height() - 1
        return body_shown or at_screen_height

    qtbot.waitUntil(fits)
    assert form.height() > before
    assert screen.contains(form.frameGeometry()), "the dialog ran off the screen"
    settle(qtbot, form)
    assert layout_faults(form) == []
    # the withdraw warning, the form's main safety message, can be scrolled to and read
    form.scroll_area.ensureWidgetVisible(form.withdraw_warning)
    settle(qtbot, form)
    warning = form.withdraw_warning
    top_left = warning.mapTo(form.scroll_area.viewport(), QtCore.QPoint(0, 0))
    assert form.scroll_area.viewport().rect().contains(QtCore.QRect(top_left, warning.size()))


def test_the_edit_dialog_with_a_save_error_fits_too(qtbot: QtBot,
                                                     app_state: QtWidgets.QApplication) -> None:
    entry = make_entry("Binance spot", "binance", permissions="read,trade,withdraw")
    form = KeyForm(load_catalog(), entry)
    qtbot.addWidget(form)
    with qtbot.waitExposed(form):
        form.show()
    assert form.withdraw_warning.isVisibleTo(form)
    form.show_error(ValidationError(LABEL_ERROR, field="label"))
    form.show_error(RuntimeError(SAVE_ERROR))
    settle(qtbot, form)
    assert layout_faults(form) == []
    settle(qtbot, form, form.minimumSize())
    assert layout_faults(form) == []
    form.wipe()


def test_a_size_the_user_chose_is_kept_until_something_new_appears(
        qtbot: QtBot, form: KeyForm) -> None:
    show_every_message(qtbot, form)
    settle(qtbot, form)
    small = form.minimumSize()
    settle(qtbot, form, small)  # text rewraps at the new width: no reason to grow back
    settle(qtbot, form)
    # the save error may need a line more at this width, which raises the minimum
    assert form.width() == small.width() and form.height() == form.minimumHeight()
    small = form.size()
    form.errors["ip_whitelist"].show_message("'300.1.2.3' is not an IPv4/IPv6 address")
    qtbot.waitUntil(lambda: form.height() > small.height())  # something new: make room
    settle(qtbot, form)
    assert layout_faults(form) == []
