"""Open the seed in the real window with 1,000 and 5,000 saved highlights: time until they are painted and
listed, the longest GUI-thread stall meanwhile, and the cost of scrolling through the painted text.

Baseline in the same run: the same window with no annotations. Targets: 1,000 ready in ≤ 1 s, 5,000 in ≤ 3 s,
loading off the GUI thread, scrolling smooth (a page step repaints in well under 16 ms).

Usage: QT_QPA_PLATFORM=offscreen python benchmarks/annotations_gui.py [--sizes 0 1000 5000]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication
from random_highlights import random_highlights

from desktop_app.annotations import store
from desktop_app.annotations.service import AnnotationService
from desktop_app.document import DocumentService
from desktop_app.paths import app_dirs, default_transcript
from desktop_app.search.service import SearchService
from desktop_app.session import ReadingSession
from desktop_app.settings import Settings
from desktop_app.tasks import TaskRunner
from desktop_app.transcript import load_transcript
from desktop_app.views.main_window import MainWindow


def write_annotations(folder: Path, count: int) -> None:
    transcript = load_transcript(default_transcript())
    text, rng = transcript.text, random.Random(count)
    items = random_highlights(text, count, rng, note="note {n}", all_tagged=True)
    content = store.AnnotationFile(
        document=store.DocumentRef(transcript.title, transcript.sha256, transcript.source), annotations=items
    )
    store.save(store.annotations_path(folder, transcript.title, transcript.sha256), content)


def measure(data_dir: Path, count: int) -> dict[str, float]:
    dirs = app_dirs(data_dir)
    dirs.ensure()
    if count:
        write_annotations(dirs.annotations, count)
    tasks = TaskRunner()
    service = DocumentService(dirs, tasks)
    annotations = AnnotationService(tasks)
    session = ReadingSession(service, annotations, SearchService(tasks), Settings(dirs.settings_file))
    window = MainWindow(session)
    window.resize(1280, 860)
    window.show()
    gaps: list[float] = []
    last = [time.perf_counter()]

    def beat() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    heartbeat = QTimer(interval=5)
    heartbeat.timeout.connect(beat)
    loop = QEventLoop()
    marks: dict[str, float] = {}
    annotations.changed.connect(lambda: marks.setdefault("painted", time.perf_counter()))
    annotations.changed.connect(loop.quit)
    service.opened.connect(lambda _d: marks.setdefault("opened", time.perf_counter()))
    started = time.perf_counter()
    heartbeat.start()
    service.open(str(default_transcript()))
    QTimer.singleShot(60_000, loop.quit)
    loop.exec()
    painted = len(window.reader.highlights())
    listed = len(window.annotations_panel.model.annotations())
    heartbeat.stop()
    bar = window.reader.verticalScrollBar()
    frames = []
    for step in range(40):
        bar.setValue(int(bar.maximum() * step / 40))
        t0 = time.perf_counter()
        window.reader.viewport().repaint()
        frames.append(time.perf_counter() - t0)
    window.close()
    tasks.wait()
    service.close()
    return {
        "ready": marks.get("painted", float("nan")) - started,
        "after_open": marks.get("painted", float("nan")) - marks.get("opened", started),
        "stall_ms": 1000 * max(gaps or [0]),
        "painted": painted,
        "listed": listed,
        "frame_ms": 1000 * statistics.median(frames),
        "frame_max_ms": 1000 * max(frames),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[0, 1000, 5000])
    args = parser.parse_args()
    sys.setswitchinterval(0.001)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    print(
        f"{'highlights':>10} {'ready s':>8} {'after open s':>13} {'stall ms':>9} {'painted':>8} {'listed':>7}"
        f" {'repaint ms (median/max)':>24}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for count in args.sizes:
            r = measure(Path(tmp) / f"d{count}", count)
            print(
                f"{count:>10} {r['ready']:8.2f} {r['after_open']:13.2f} {r['stall_ms']:9.0f} {r['painted']:>8}"
                f" {r['listed']:>7} {r['frame_ms']:>13.1f} / {r['frame_max_ms']:.1f}"
            )
    print("targets: 1,000 ready ≤ 1 s and 5,000 ≤ 3 s (the 0 row is the baseline: the open itself)")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
