"""How long the GUI thread is ever blocked while the seed transcript opens (cold cache, then warm).

A 5 ms heartbeat timer runs on the GUI thread while the real window opens the bundled transcript and waits
for the outline, the search index and the annotations; the longest gap between beats is the longest
stall a user could feel. Target: no stall over 100 ms.

Usage: QT_QPA_PLATFORM=offscreen python benchmarks/gui_responsiveness.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from desktop_app.annotations.service import AnnotationService
from desktop_app.document import DocumentService
from desktop_app.paths import app_dirs, default_transcript
from desktop_app.search.service import SearchService
from desktop_app.session import ReadingSession
from desktop_app.settings import Settings
from desktop_app.tasks import TaskRunner
from desktop_app.views.main_window import MainWindow


class Heartbeat:
    def __init__(self) -> None:
        self.gaps: list[float] = []
        self._last = time.perf_counter()
        self.timer = QTimer(interval=5)
        self.timer.timeout.connect(self._beat)

    def _beat(self) -> None:
        now = time.perf_counter()
        self.gaps.append(now - self._last)
        self._last = now

    def start(self) -> None:
        self._last = time.perf_counter()
        self.timer.start()


def open_once(data_dir: Path) -> tuple[float, float, list[float]]:
    dirs = app_dirs(data_dir)
    dirs.ensure()
    tasks = TaskRunner()
    service = DocumentService(dirs, tasks)
    annotations = AnnotationService(tasks)
    session = ReadingSession(service, annotations, SearchService(tasks), Settings(dirs.settings_file))
    window = MainWindow(session)
    window.show()
    pending = {"outline", "index", "annotations"}
    loop = QEventLoop()

    def done(name: str) -> None:
        pending.discard(name)
        if not pending:
            loop.quit()

    service.outline_ready.connect(lambda _s: done("outline"))
    service.index_ready.connect(lambda _i: done("index"))
    annotations.loaded.connect(lambda: done("annotations"))
    beat = Heartbeat()
    started = time.perf_counter()
    beat.start()
    service.open(str(default_transcript()))
    QTimer.singleShot(120_000, loop.quit)
    loop.exec()
    total = time.perf_counter() - started
    beat.timer.stop()
    window.close()
    tasks.wait()
    service.close()
    return total, max(beat.gaps), sorted(beat.gaps)


def main() -> int:
    sys.setswitchinterval(0.001)  # as desktop_app.app.run_gui does
    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as tmp:
        print("Opening the seed transcript in the real window; heartbeat every 5 ms on the GUI thread")
        print(f"{'run':12} {'ready s':>8} {'longest stall ms':>17} {'p99 gap ms':>11} {'beats':>6}")
        for name in ("cold cache", "warm cache", "warm cache"):
            total, worst, gaps = open_once(Path(tmp) / "data")
            p99 = gaps[int(0.99 * (len(gaps) - 1))] if gaps else 0.0
            print(f"{name:12} {total:8.2f} {1000 * worst:17.1f} {1000 * p99:11.1f} {len(gaps):6d}")
    print("target: longest stall ≤ 100 ms")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
