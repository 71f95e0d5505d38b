"""Light and dark palettes; "system" follows the desktop's colour scheme."""

from __future__ import annotations

from vault_app.gui.qt import Qt, QtGui, QtWidgets

WARNING = "#c62828"
WARNING_DARK = "#ef9a9a"


def is_dark(app: QtWidgets.QApplication) -> bool:
    return app.palette().color(QtGui.QPalette.ColorRole.Window).lightness() < 128


def _dark_palette() -> QtGui.QPalette:
    p = QtGui.QPalette()
    role, color = QtGui.QPalette.ColorRole, QtGui.QColor
    p.setColor(role.Window, color(37, 37, 38))
    p.setColor(role.WindowText, color(230, 230, 230))
    p.setColor(role.Base, color(30, 30, 30))
    p.setColor(role.AlternateBase, color(45, 45, 48))
    p.setColor(role.Text, color(230, 230, 230))
    p.setColor(role.Button, color(50, 50, 52))
    p.setColor(role.ButtonText, color(230, 230, 230))
    p.setColor(role.Highlight, color(38, 110, 200))
    p.setColor(role.HighlightedText, color(255, 255, 255))
    p.setColor(role.ToolTipBase, color(50, 50, 52))
    p.setColor(role.ToolTipText, color(230, 230, 230))
    p.setColor(role.PlaceholderText, color(150, 150, 150))
    p.setColor(role.Link, color(120, 170, 255))
    for group_role in (role.Text, role.WindowText, role.ButtonText):
        p.setColor(QtGui.QPalette.ColorGroup.Disabled, group_role, color(120, 120, 120))
    return p


def apply_theme(app: QtWidgets.QApplication, theme: str) -> None:
    """Apply ``theme``; with "system", follow the desktop's scheme, live."""
    app.setProperty("vaultAppTheme", theme)
    if not app.property("vaultAppFollowsScheme"):
        app.setProperty("vaultAppFollowsScheme", True)
        app.styleHints().colorSchemeChanged.connect(
            lambda _scheme: apply_theme(app, str(app.property("vaultAppTheme"))))
    app.setStyle("Fusion")
    hints = app.styleHints()
    if theme == "dark" or (theme == "system"
                           and hints.colorScheme() == Qt.ColorScheme.Dark):
        app.setPalette(_dark_palette())
    else:
        app.setPalette(app.style().standardPalette())


def warning_color(app: QtWidgets.QApplication) -> str:
    return WARNING_DARK if is_dark(app) else WARNING
