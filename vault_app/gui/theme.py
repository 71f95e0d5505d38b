"""Light and dark palettes; "system" follows the desktop's colour scheme."""

from __future__ import annotations

from vault_app.gui.qt import Qt, QtCore, QtGui, QtWidgets

WARNING = "#c62828"
WARNING_DARK = "#ef9a9a"
# Fusion outlines check boxes and radio buttons in a shade of the window colour:
# in a dark palette that is near black on near black, and an unchecked box is
# invisible. In dark palettes we draw this border over it (5:1 on the base colour).
INDICATOR_BORDER_DARK = "#9e9e9e"


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


class VaultStyle(QtWidgets.QProxyStyle):
    """Fusion, with check boxes and radio buttons that stay visible in dark palettes."""

    _INDICATORS = (QtWidgets.QStyle.PrimitiveElement.PE_IndicatorCheckBox,
                   QtWidgets.QStyle.PrimitiveElement.PE_IndicatorRadioButton,
                   QtWidgets.QStyle.PrimitiveElement.PE_IndicatorItemViewItemCheck)

    def __init__(self) -> None:
        super().__init__("Fusion")

    def drawPrimitive(self, element: QtWidgets.QStyle.PrimitiveElement,
                      option: QtWidgets.QStyleOption, painter: QtGui.QPainter,
                      widget: QtWidgets.QWidget | None = None) -> None:
        super().drawPrimitive(element, option, painter, widget)
        window = option.palette.color(QtGui.QPalette.ColorRole.Window)
        if element not in self._INDICATORS or window.lightness() >= 128:
            return
        enabled = bool(option.state & QtWidgets.QStyle.StateFlag.State_Enabled)
        color = QtGui.QColor(INDICATOR_BORDER_DARK)
        if not enabled:
            color = option.palette.color(QtGui.QPalette.ColorGroup.Disabled,
                                         QtGui.QPalette.ColorRole.Text)
        painter.save()
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        painter.setPen(QtGui.QPen(color, 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        rect = QtCore.QRectF(option.rect).adjusted(0.5, 0.5, -0.5, -0.5)
        if element == QtWidgets.QStyle.PrimitiveElement.PE_IndicatorRadioButton:
            painter.drawEllipse(rect)
        else:
            painter.drawRoundedRect(rect, 1.5, 1.5)
        painter.restore()


def apply_theme(app: QtWidgets.QApplication, theme: str) -> None:
    """Apply ``theme``; with "system", follow the desktop's scheme, live."""
    app.setProperty("vaultAppTheme", theme)
    if not app.property("vaultAppFollowsScheme"):
        app.setProperty("vaultAppFollowsScheme", True)
        app.styleHints().colorSchemeChanged.connect(
            lambda _scheme: apply_theme(app, str(app.property("vaultAppTheme"))))
    app.setStyle(VaultStyle())
    hints = app.styleHints()
    if theme == "dark" or (theme == "system"
                           and hints.colorScheme() == Qt.ColorScheme.Dark):
        app.setPalette(_dark_palette())
    else:
        app.setPalette(app.style().standardPalette())


def warning_color(app: QtWidgets.QApplication) -> str:
    return WARNING_DARK if is_dark(app) else WARNING
