"""Colours for the permission badges that stay readable on any row.

A badge is drawn on the row's background: the base colour, the alternate base,
or the selection highlight, in a light or a dark palette. A blue "trade" badge
vanished on the blue selection of the dark theme; now each badge has a solid
variant (dark fill, white text) and a pale one (pale fill, dark text), and the
one whose fill stands out more from the row background is used. Contrast is
WCAG's ratio of relative luminances; fills keep at least 3:1 against the row
and text at least 4.5:1 against the fill (tested for both palettes).
"""

from __future__ import annotations

from typing import NamedTuple

from vault_app.gui.qt import QtGui, QtWidgets


class BadgeColors(NamedTuple):
    fill: str
    text: str


_SOLID = {
    "read": BadgeColors("#2e7d32", "#ffffff"),
    "trade": BadgeColors("#1565c0", "#ffffff"),
    "withdraw": BadgeColors("#c62828", "#ffffff"),
}
_PALE = {
    "read": BadgeColors("#e8f5e9", "#1b5e20"),
    "trade": BadgeColors("#e3f2fd", "#0d47a1"),
    "withdraw": BadgeColors("#ffebee", "#b71c1c"),
}
_OTHER_SOLID = BadgeColors("#616161", "#ffffff")
_OTHER_PALE = BadgeColors("#f5f5f5", "#212121")


def _luminance(color: str) -> float:
    """WCAG 2 relative luminance of "#rrggbb"."""
    channels = []
    for i in (1, 3, 5):
        c = int(color[i:i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    r, g, b = channels
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """WCAG contrast ratio of two "#rrggbb" colours, 1..21."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def badge_colors(permission: str, background: str) -> BadgeColors:
    """The badge colours for ``permission`` on a row painted ``background``."""
    solid = _SOLID.get(permission, _OTHER_SOLID)
    pale = _PALE.get(permission, _OTHER_PALE)
    if contrast_ratio(solid.fill, background) >= contrast_ratio(pale.fill, background):
        return solid
    return pale


def row_background(opt: QtWidgets.QStyleOptionViewItem) -> QtGui.QColor:
    """The colour the view paints under a cell: selection, alternate or base."""
    palette, state = opt.palette, QtWidgets.QStyle.StateFlag
    group = (QtGui.QPalette.ColorGroup.Active if opt.state & state.State_Active
             else QtGui.QPalette.ColorGroup.Inactive)
    if opt.state & state.State_Selected:
        return palette.color(group, QtGui.QPalette.ColorRole.Highlight)
    alternate = opt.features & QtWidgets.QStyleOptionViewItem.ViewItemFeature.Alternate
    role = QtGui.QPalette.ColorRole.AlternateBase if alternate else QtGui.QPalette.ColorRole.Base
    return palette.color(group, role)
