"""Painting helpers shared by the item delegates of the search and annotations panels."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyleOptionViewItem


def draw_item_background(painter: QPainter, option: QStyleOptionViewItem) -> tuple[QColor, QColor]:
    """Draw the row's panel (selection, hover) as the style does; return the text colour and a muted one."""
    widget = option.widget
    style = widget.style() if widget is not None else None
    if style is not None:
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, widget)
    selected = bool(option.state & QStyle.StateFlag.State_Selected)
    text_color = option.palette.color(
        QPalette.ColorGroup.Active,
        QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text,
    )
    muted = QColor(text_color)
    muted.setAlpha(150)
    return text_color, muted
