"""Start-up to the first painted frame of the transcript, against a bare PySide6 script, in one run.

Both are launched as fresh processes (offscreen Qt) several times; the time is measured from spawning the
process to the wall-clock moment each child reports its first paint of the text. The app runs with
``--smoke-test`` on a fresh data folder (cold: nothing cached) and on a reused one (warm: segmentation
cached). Prints medians, the ratio to the bare script, and peak memory (max RSS) of each.
Both use Python's bytecode caches, as on a user's machine (pip compiles an installed package; a checkout
writes ``__pycache__`` on its first run): ``PYTHONDONTWRITEBYTECODE`` is removed from the children's
environment and a first, untimed run of each fills the caches.

``--library DIR``: also the app reopened with a data folder holding an indexed library (the folder kept by
``benchmarks/library.py --gui --keep DIR``), against the warm cache without one: the library must not slow the
first paint (it is opened after it).

Usage: python benchmarks/startup.py [--runs N] [--library DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "resources" / "transcripts" / "lex-383-mark-zuckerberg.txt"

BARE = r"""
import resource, sys, time, json
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QPlainTextEdit
app = QApplication(sys.argv[:1])
view = QPlainTextEdit()
view.setReadOnly(True)
view.setPlainText(open(sys.argv[1], encoding="utf-8").read())
view.resize(1280, 860)
class Watch(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            obj.removeEventFilter(self)
            print(json.dumps({"first_paint_wall": time.time()}), flush=True)
            QTimer.singleShot(0, app.quit)
        return False
watch = Watch()
view.viewport().installEventFilter(watch)
view.show()
app.exec()
print(json.dumps({"peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}), flush=True)
"""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop(
        "PYTHONDONTWRITEBYTECODE", None
    )  # compiling the app's modules at every start is not what users see
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _run(command: list[str]) -> tuple[float, float]:
    """Seconds from spawn to first paint, and peak RSS in MB, of one child."""
    started = time.time()
    result = subprocess.run(command, capture_output=True, text=True, env=_env(), timeout=300, cwd=REPO)
    if result.returncode != 0:
        raise SystemExit(f"{command[:3]} failed ({result.returncode}):\n{result.stderr[-2000:]}")
    values: dict[str, float] = {}
    for line in result.stdout.splitlines():
        if line.startswith("{"):
            payload = json.loads(line)
            values.update({k: v for k, v in payload.items() if isinstance(v, (int, float))})
            values.update({k: v for k, v in payload.get("timings_s", {}).items()})
    return values["first_paint_wall"] - started, values.get("peak_rss_mb", float("nan"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--library", default="", help="a data folder with an indexed library (library.py --keep)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bare_script = Path(tmp) / "bare.py"
        bare_script.write_text(BARE)
        warm_dir = Path(tmp) / "warm"
        app = [sys.executable, "-m", "desktop_app", str(SEED), "--smoke-test"]
        _run(app + ["--data-dir", str(warm_dir)])  # fill the warm cache (and the bytecode caches)
        _run([sys.executable, str(bare_script), str(SEED)])
        rows: dict[str, list[tuple[float, float]]] = {
            "bare QPlainTextEdit": [],
            "app (warm cache)": [],
            "app (cold cache)": [],
        }
        if args.library:
            _run(app + ["--data-dir", args.library])  # the seed's segmentation cached there too
            rows["app (warm, library)"] = []
        for number in range(args.runs):
            rows["bare QPlainTextEdit"].append(_run([sys.executable, str(bare_script), str(SEED)]))
            rows["app (warm cache)"].append(_run(app + ["--data-dir", str(warm_dir)]))
            rows["app (cold cache)"].append(_run(app + ["--data-dir", str(Path(tmp) / f"cold{number}")]))
            if args.library:
                rows["app (warm, library)"].append(_run(app + ["--data-dir", args.library]))
    base = statistics.median(t for t, _ in rows["bare QPlainTextEdit"])
    print(f"Start-up to first paint of the seed transcript, {args.runs} runs each (median, spawn → paint)")
    print(f"{'':22} {'median s':>9} {'min s':>7} {'ratio':>6} {'peak RSS MB':>12}")
    for name, values in rows.items():
        times = [t for t, _ in values]
        rss = statistics.median(m for _, m in values)
        print(
            f"{name:22} {statistics.median(times):9.3f} {min(times):7.3f} {statistics.median(times) / base:6.2f}"
            f" {rss:12.0f}"
        )
    print(
        "targets: warm cache ≤ 1.2× the bare script (issue 13), cold ≤ 1.5× "
        "(peak RSS of the app includes outline and index building)"
    )
    if args.library:
        with_library = statistics.median(t for t, _ in rows["app (warm, library)"])
        without = statistics.median(t for t, _ in rows["app (warm cache)"])
        print(
            f"indexed library: first paint {with_library / without:.2f}× the warm start without one (target ≤ 1.2×)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
