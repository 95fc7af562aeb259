"""Time the automatic outline on the bundled seed transcript and on a text ten times its length.

Uses only the bundled transcript (resources/transcripts/); sentence starts are a crude stand-in
(one every 12 words) unless the readability module provides real ones.

    python benchmarks/outline.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

# The outline's matrices are small: BLAS threads only add contention (as the app should also set).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop_app.outline import chapters as outline
from desktop_app.paths import default_transcript


def crude_starts(text: str) -> list[int]:
    return [m.start() for m in re.finditer(r"\S+", text)][::12]


def timed(text: str, starts: list[int], repeat: int) -> tuple[float, int]:
    best = float("inf")
    n = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        sections = outline.build_outline(text, starts)
        best = min(best, time.perf_counter() - t0)
        n = len(sections)
    return best, n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    seed = default_transcript().read_text(encoding="utf-8")
    outline.build_outline(seed[:20000], crude_starts(seed[:20000]))  # warm up numpy/BLAS
    big = " ".join([seed.strip()] * 10)
    print(f"outline {outline.OUTLINE_VERSION}")
    for name, text, reps in (("seed", seed, args.repeat), ("seed x10", big, 1)):
        secs, n = timed(text, crude_starts(text), reps)
        print(f"{name:9} {len(text.split()):8,d} words  {n:4d} sections  {secs:6.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
