"""Small pieces of the main window's frame: its docks, and work spread over event-loop turns."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Slot
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

from desktop_app.views.side_panels import MIN_WIDTH

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence


def add_dock(window: QMainWindow, title: str, name: str, widget: QWidget | None = None) -> QDockWidget:
    """A movable, closable dock: on the left holding ``widget``, or on the right holding a placeholder for a
    side panel built later."""
    dock = _new_dock(window, title, name, widget)
    area = (
        Qt.DockWidgetArea.LeftDockWidgetArea if widget is not None else Qt.DockWidgetArea.RightDockWidgetArea
    )
    window.addDockWidget(area, dock)
    return dock


def add_late_dock(window: QMainWindow, title: str, name: str) -> tuple[QDockWidget, bool]:
    """A dock made after the window restored its saved layout: put back where that layout had it (True),
    else on the right (False), holding a placeholder for a side panel built later."""
    dock = _new_dock(window, title, name, None)
    if window.restoreDockWidget(dock):
        return dock, True
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    return dock, False


def _new_dock(window: QMainWindow, title: str, name: str, widget: QWidget | None) -> QDockWidget:
    dock = QDockWidget(title, window)
    dock.setObjectName(name)
    features = QDockWidget.DockWidgetFeature
    dock.setFeatures(features.DockWidgetMovable | features.DockWidgetClosable)
    if widget is None:
        widget = QWidget(window)
        widget.setMinimumWidth(MIN_WIDTH)
    dock.setWidget(widget)
    return dock


class EventLoopSteps(QObject):
    """Runs a list of steps one per event-loop turn, so that the window paints between them."""

    INTERVAL_MS = 1  # a real timer, so that paint events and other timers run between the steps

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._steps: list[Callable[[], object]] = []
        self._timer = QTimer(self, singleShot=True, interval=self.INTERVAL_MS)
        self._timer.timeout.connect(self._run_next)

    def run(self, steps: Sequence[Callable[[], object]]) -> None:
        """Replace the pending steps with ``steps`` and run the first now."""
        self._steps = list(steps)
        self._run_next()

    def stop(self) -> None:
        """Drop the steps not run yet."""
        self._steps.clear()
        self._timer.stop()

    @Slot()
    def _run_next(self) -> None:
        if self._steps:
            self._steps.pop(0)()
        if self._steps:
            self._timer.start()


def unelided_dock_tabs(window: QMainWindow) -> None:
    """Tabs of tabified docks show their whole titles (with scroll arrows when they do not all fit) instead of
    "Highlig…", "Libr…"."""
    from PySide6.QtWidgets import QTabBar

    for bar in window.findChildren(QTabBar):
        if bar.parent() is window:
            bar.setElideMode(Qt.TextElideMode.ElideNone)
            bar.setUsesScrollButtons(True)
