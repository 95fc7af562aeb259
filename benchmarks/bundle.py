"""The packaged app: build time, bundle size on disk, and frozen start-up to first paint against the unfrozen app.

    python benchmarks/bundle.py [--build] [--runs 5] [--bundle dist/transcript-reader]

``--build`` first rebuilds the bundle from scratch (``packaging/build.sh --clean``) and times it. Start-up: both
apps run ``--smoke-test --data-dir <fresh tmp>`` offscreen, interleaved, after one untimed warm-up each. Two
measures: ``wall`` = seconds from spawning the process to the ``first_paint_wall`` epoch in its JSON (the fair
comparison: it includes the interpreter's or the bootloader's start), and ``painted`` = the app's own figure,
measured from the import of desktop_app.app. Prints medians and the frozen/unfrozen ratio (target <= 1.2).
Exits 0 with a message when there is no bundle. Reads nothing outside the repository.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_S = 300


def disk_usage(folder: Path) -> tuple[int, int, int]:
    """(bytes allocated on disk, apparent bytes, files) under ``folder``, symbolic links not followed."""
    allocated = apparent = files = 0
    for path in folder.rglob("*"):
        info = path.lstat()
        if path.is_symlink() or not path.is_file():
            continue
        allocated += info.st_blocks * 512
        apparent += info.st_size
        files += 1
    return allocated, apparent, files


def build() -> float:
    """Rebuild the bundle from scratch; returns the seconds it took."""
    started = time.perf_counter()
    subprocess.run(
        ["bash", str(ROOT / "packaging" / "build.sh"), "--clean"],
        cwd=ROOT,
        check=True,
        env={**os.environ, "PYTHON": os.environ.get("PYTHON", sys.executable)},
    )
    return time.perf_counter() - started


def start_once(command: list[str]) -> dict[str, float]:
    """Run one smoke test; returns its wall time to first paint and its own ``painted`` figure."""
    with tempfile.TemporaryDirectory(prefix="bundle-bench-") as data_dir:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
        spawned = time.time()
        done = subprocess.run(
            [*command, "--smoke-test", "--data-dir", data_dir],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
        )
        ended = time.time()
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(
            f"{command[0]} failed ({done.returncode}): {done.stdout[-500:]} {done.stderr[-1500:]}"
        )
    report = json.loads(lines[-1])
    if not report.get("ok"):
        raise RuntimeError(f"{command[0]}: smoke test not ok: {report.get('error')}")
    timings = report["timings_s"]
    return {
        "wall": timings["first_paint_wall"] - spawned,
        "painted": timings["painted"],
        "total": ended - spawned,
        "rss": report.get("peak_rss_mb") or 0.0,
    }


def _walls(runs: list[dict[str, float]]) -> str:
    return " ".join(f"{run['wall']:.2f}" for run in runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / "transcript-reader")
    parser.add_argument(
        "--build", action="store_true", help="rebuild the bundle from scratch first and time it"
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--python", default=sys.executable, help="interpreter for the unfrozen app")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    if args.build:
        print(f"build from scratch: {build():.0f} s")
    exe = args.bundle / "transcript-reader"
    if not exe.is_file():
        print(f"no bundle at {args.bundle}: run 'make bundle' (or pass --build); nothing measured")
        return 0
    allocated, apparent, files = disk_usage(args.bundle)
    print(
        f"bundle {args.bundle.relative_to(ROOT) if args.bundle.is_relative_to(ROOT) else args.bundle}: "
        f"{allocated / 2**20:.1f} MiB on disk ({allocated / 1e6:.1f} MB), {apparent / 2**20:.1f} MiB apparent, "
        f"{files} files (target <= 130 MB)"
    )

    commands = {"frozen": [str(exe)], "unfrozen": [args.python, "-m", "desktop_app"]}
    for command in commands.values():
        start_once(command)  # warm-up: page cache, .pyc files, font cache
    results: dict[str, list[dict[str, float]]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, command in commands.items():
            results[name].append(start_once(command))

    medians = {
        name: {key: statistics.median(run[key] for run in runs) for key in runs[0]}
        for name, runs in results.items()
    }
    print(f"start-up, {args.runs} runs each, medians (offscreen, --smoke-test, fresh data folder):")
    print(f"{'':10} {'spawn->paint':>13} {'import->paint':>14} {'whole smoke test':>17} {'peak RSS':>9}")
    for name, median in medians.items():
        print(
            f"{name:10} {median['wall']:12.2f}s {median['painted']:13.2f}s {median['total']:16.2f}s "
            f"{median['rss']:7.0f}MB"
        )
    ratio = medians["frozen"]["wall"] / medians["unfrozen"]["wall"]
    print(
        f"frozen / unfrozen, spawn to first paint: {ratio:.2f}x (target <= 1.2)   "
        f"runs: frozen {_walls(results['frozen'])}; unfrozen {_walls(results['unfrozen'])}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
