"""Light and dark palettes for the whole application, following the system by default."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from desktop_app.views.reader_view import DARK, LIGHT, ReaderColors


def system_is_dark() -> bool:
    hints = QGuiApplication.styleHints()
    scheme = getattr(hints, "colorScheme", None)
    if scheme is not None:
        return scheme() == Qt.ColorScheme.Dark
    return QGuiApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128


def resolve(theme: str) -> str:
    """``"light"`` or ``"dark"`` for a theme setting (``"system"`` asks the desktop)."""
    if theme in ("light", "dark"):
        return theme
    return "dark" if system_is_dark() else "light"


def reader_colors(resolved: str) -> ReaderColors:
    return DARK if resolved == "dark" else LIGHT


def _dark_palette() -> QPalette:
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#25272c",
        QPalette.ColorRole.WindowText: "#dcdad4",
        QPalette.ColorRole.Base: "#1d1f23",
        QPalette.ColorRole.AlternateBase: "#2a2d33",
        QPalette.ColorRole.ToolTipBase: "#2f3238",
        QPalette.ColorRole.ToolTipText: "#e6e4de",
        QPalette.ColorRole.Text: "#dcdad4",
        QPalette.ColorRole.Button: "#2d3036",
        QPalette.ColorRole.ButtonText: "#dcdad4",
        QPalette.ColorRole.BrightText: "#ff6b6b",
        QPalette.ColorRole.Highlight: "#3d5f91",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Link: "#7fb0ff",
        QPalette.ColorRole.PlaceholderText: "#8b8f98",
    }
    for role, color in roles.items():
        palette.setColor(role, QColor(color))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6d7078"))
    return palette


def _light_palette() -> QPalette:
    palette = QApplication.style().standardPalette()
    palette.setColor(QPalette.ColorRole.Window, QColor("#f1eee8"))
    palette.setColor(QPalette.ColorRole.Base, QColor("#fbf9f4"))
    palette.setColor(QPalette.ColorRole.AlternateBase, QColor("#f3f0ea"))
    palette.setColor(QPalette.ColorRole.Highlight, QColor("#3f6fb5"))
    return palette


def apply_palette(app: QApplication, resolved: str) -> None:
    """Fusion style with our palette, so both themes look the same on every platform."""
    if app.style().name().lower() != "fusion":
        app.setStyle("Fusion")
    app.setPalette(_dark_palette() if resolved == "dark" else _light_palette())
