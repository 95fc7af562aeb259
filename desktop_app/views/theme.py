"""Colours: light and dark palettes for the whole application (following the system by default), the
reader's colours, the highlight colours and their swatches."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QApplication, QWidget


@dataclass(frozen=True)
class ReaderColors:
    """Colours of one theme."""

    background: str
    text: str
    selection: str
    search_hit: str
    current_hit: str
    muted: str


LIGHT = ReaderColors("#fbf9f4", "#232220", "#b9d4f5", "#ffe58a", "#ff9f43", "#8a857a")
DARK = ReaderColors("#1d1f23", "#d9d6cf", "#35507a", "#6b5a12", "#b5651d", "#8b8f98")

HIGHLIGHT_COLORS = {
    "light": {
        "yellow": "#fde68a",
        "green": "#bbf7d0",
        "blue": "#bfdbfe",
        "pink": "#fbcfe8",
        "purple": "#ddd6fe",
    },
    "dark": {
        "yellow": "#665a1e",
        "green": "#1f5135",
        "blue": "#23446e",
        "pink": "#6b2a4c",
        "purple": "#4a3a78",
    },
}


def highlight_color(key: str, dark: bool) -> QColor:
    """The background of a highlight colour key in a theme."""
    palette = HIGHLIGHT_COLORS["dark" if dark else "light"]
    return QColor(palette.get(key, palette["yellow"]))


def palette_is_dark(palette: QPalette) -> bool:
    """True for a dark theme (dark base colour)."""
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def is_dark(widget: QWidget) -> bool:
    """True when a widget is shown in a dark palette."""
    return palette_is_dark(widget.palette())


def swatch_icon(color: QColor, size: int = 12) -> QIcon:
    """A small filled circle in a colour."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(color.darker(140))
    painter.setBrush(color)
    painter.drawEllipse(1, 1, size - 2, size - 2)
    painter.end()
    return QIcon(pixmap)


def swatch_color(key: str, dark: bool) -> QColor:
    """A highlight colour as a swatch: the reader's colour, lifted in the dark theme so it stands out."""
    color = highlight_color(key, dark)
    return color.lighter(150) if dark else color.darker(108)


def plain_tooltip(text: str) -> str:
    """A tooltip that shows ``text`` as written: a note or a file's value never becomes markup or a link."""
    return f"<p style='white-space:pre-wrap'>{html.escape(text)}</p>"


def system_is_dark() -> bool:
    """True when the desktop asks for a dark theme."""
    hints = QGuiApplication.styleHints()
    scheme = getattr(hints, "colorScheme", None)
    if scheme is not None:
        return bool(scheme() == Qt.ColorScheme.Dark)
    return QGuiApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128


def resolve(theme: str) -> str:
    """``"light"`` or ``"dark"`` for a theme setting (``"system"`` asks the desktop)."""
    if theme in ("light", "dark"):
        return theme
    return "dark" if system_is_dark() else "light"


def reader_colors(resolved: str) -> ReaderColors:
    """The reader's colours in a resolved theme."""
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
    palette = _dark_palette() if resolved == "dark" else _light_palette()
    if app.palette() != palette:  # the window applies the theme again at start-up
        app.setPalette(palette)


class Colourable(Protocol):
    """A view with colours of its own (the reader)."""

    def set_colors(self, colors: ReaderColors) -> None:
        """Switch to these colours."""


def apply(key: str, reader: Colourable) -> str:
    """Put the application and the reader in theme ``key``; returns ``"light"`` or ``"dark"``."""
    resolved = resolve(key)
    app = QApplication.instance()
    if isinstance(app, QApplication):
        apply_palette(app, resolved)
    reader.set_colors(reader_colors(resolved))
    return resolved
