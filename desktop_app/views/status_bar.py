"""The window's status bar: background work in progress on the left, the reading position on the right."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QToolButton, QWidget

NOTICE_MS = 6000
OPENING = "Preparing transcript…"
"""The progress label of opening a transcript: the one stage the user can cancel."""


class StatusBar(QStatusBar):
    """Progress of background work, short notices, and the reading position (``position_label``).

    Signals:
        cancel_requested(): the user pressed Cancel beside the progress of opening a transcript.
    """

    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.position_label = QLabel("", self)
        self.position_label.setObjectName("position_label")
        self.progress_label = QLabel("", self)
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setMaximumWidth(160)
        self.progress_bar.setRange(0, 100)
        self.progress_bar.setTextVisible(False)
        self.progress_bar.hide()
        self.cancel_button = QToolButton(self)
        self.cancel_button.setObjectName("cancel_open")
        self.cancel_button.setText("Cancel")
        self.cancel_button.setToolTip("Stop opening this transcript (Esc)")
        self.cancel_button.setShortcut("Esc")
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.cancel_button.hide()
        self.addWidget(self.progress_label)
        self.addWidget(self.progress_bar)
        self.addWidget(self.cancel_button)
        self.addPermanentWidget(self.position_label)

    @Slot(str, float)
    def show_progress(self, label: str, fraction: float) -> None:
        """Show what is being done and how far it is; a fraction of 1 (or no label) hides it."""
        done = fraction >= 1.0 or not label
        self.progress_bar.setVisible(not done)
        self.cancel_button.setVisible(not done and label == OPENING)
        self.progress_label.setText("" if done else label)
        self.progress_bar.setValue(int(fraction * 100))

    @Slot(str)
    def show_notice(self, message: str) -> None:
        """A short message that goes away by itself."""
        self.showMessage(message, NOTICE_MS if len(message) < 80 else 2 * NOTICE_MS)

    def drop_notice(self, prefix: str) -> None:
        """Take away the notice on show if it starts with ``prefix`` (it no longer holds)."""
        if self.currentMessage().startswith(prefix):
            self.clearMessage()

    def set_position(self, text: str) -> None:
        """The reading position (percent and time)."""
        self.position_label.setText(text)
