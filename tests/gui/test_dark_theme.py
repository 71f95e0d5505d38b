"""Readable in both palettes: permission badges on every kind of row, and check
boxes that show when unchecked in the dark theme."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pytestqt.qtbot import QtBot

from tests.conftest import make_entry
from vault_app.core.vault import Vault
from vault_app.gui.badge_colors import badge_colors, contrast_ratio
from vault_app.gui.keys_model import COL_LABEL, COL_PERMISSIONS
from vault_app.gui.qt import QtGui, QtWidgets
from vault_app.gui.theme import VaultStyle, _dark_palette, apply_theme
from vault_app.gui.window import MainWindow

from .helpers import select, unlock

ROLE, GROUP = QtGui.QPalette.ColorRole, QtGui.QPalette.ColorGroup


def palettes() -> dict[str, QtGui.QPalette]:
    return {"light": VaultStyle().standardPalette(), "dark": _dark_palette()}


def row_colors(palette: QtGui.QPalette) -> dict[str, str]:
    """Every colour a key-list row is painted in: plain, alternate, selected."""
    return {f"{role.name} ({group.name})": palette.color(group, role).name()
            for group in (GROUP.Active, GROUP.Inactive)
            for role in (ROLE.Base, ROLE.AlternateBase, ROLE.Highlight)}


def test_contrast_ratio_is_wcags() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#ffffff", "#000000") == pytest.approx(21)
    assert contrast_ratio("#777777", "#777777") == pytest.approx(1)
    assert contrast_ratio("#1565c0", "#ffffff") == pytest.approx(5.75, abs=0.05)


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("permission", ["read", "trade", "withdraw", "someday"])
def test_badges_contrast_with_every_row_in_both_palettes(
        qapp: QtWidgets.QApplication, theme: str, permission: str) -> None:
    for row, background in row_colors(palettes()[theme]).items():
        colors = badge_colors(permission, background)
        assert contrast_ratio(colors.fill, background) >= 3, (
            f"{permission} badge {colors.fill} fades into the {theme} {row} row {background}")
        assert contrast_ratio(colors.text, colors.fill) >= 4.5, (
            f"{permission} badge text {colors.text} is hard to read on {colors.fill}")


@pytest.fixture
def trade_vault(new_vault: Callable[..., Vault]) -> Vault:
    vault = new_vault(0)
    vault.add(make_entry("Alpha read", "okx"))
    vault.add(make_entry("Beta trade", "okx", permissions=("trade",)))
    vault.add(make_entry("Gamma trade", "okx", permissions=("read", "trade")))
    vault.lock()
    return vault


def badge_pixel(window: MainWindow, label: str) -> QtGui.QColor:
    """The colour inside the first badge of ``label``'s row, as painted."""
    row = next(r for r in range(window.proxy.rowCount())
               if window.proxy.index(r, COL_LABEL).data() == label)
    rect = window.table.visualRect(window.proxy.index(row, COL_PERMISSIONS))
    image = window.table.viewport().grab().toImage()
    return image.pixelColor(rect.x() + 7, rect.center().y())


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_trade_badge_stays_visible_on_the_selected_row(
        qtbot: QtBot, trade_vault: Vault, make_window: Callable[..., MainWindow],
        app_state: QtWidgets.QApplication, theme: str) -> None:
    window = make_window()
    apply_theme(app_state, theme)
    unlock(qtbot, window)
    select(qtbot, window, "Beta trade")
    palette = window.table.palette()
    highlight = palette.color(ROLE.Highlight).name()
    selected = badge_pixel(window, "Beta trade").name()
    assert selected == badge_colors("trade", highlight).fill
    assert contrast_ratio(selected, highlight) >= 3

    unselected = badge_pixel(window, "Gamma trade").name()  # its first badge: read
    background = {palette.color(ROLE.Base).name(), palette.color(ROLE.AlternateBase).name()}
    assert min(contrast_ratio(unselected, b) for b in background) >= 3


def test_an_unchecked_box_has_a_visible_border_in_the_dark_theme(
        qtbot: QtBot, app_state: QtWidgets.QApplication) -> None:
    apply_theme(app_state, "dark")
    box = QtWidgets.QCheckBox("withdraw")
    qtbot.addWidget(box)
    box.show()
    qtbot.waitExposed(box)
    option = QtWidgets.QStyleOptionButton()
    box.initStyleOption(option)
    indicator = box.style().subElementRect(
        QtWidgets.QStyle.SubElement.SE_CheckBoxIndicator, option, box)
    image = box.grab().toImage()
    window = box.palette().color(ROLE.Window).name()
    left_edge = image.pixelColor(indicator.left(), indicator.center().y()).name()
    top_edge = image.pixelColor(indicator.center().x(), indicator.top()).name()
    for edge in (left_edge, top_edge):
        assert contrast_ratio(edge, window) >= 3, f"border {edge} on window {window}"


def test_the_application_style_is_still_fusion(app_state: QtWidgets.QApplication) -> None:
    apply_theme(app_state, "light")
    style = app_state.style()
    assert isinstance(style, QtWidgets.QProxyStyle)
    assert style.baseStyle().name().casefold() == "fusion"
