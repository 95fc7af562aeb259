"""Time the automatic outline on the bundled seed transcript and on a text ten times its length.

Uses only the bundled transcript (resources/transcripts/); sentence starts are a crude stand-in
(one every 12 words) unless the readability module provides real ones. The first outline (what the app
shows at once) and the refined one (contextual encoder, what it settles on a few seconds later) are timed in
the same run, with their ratio, the encoder's load time and the refined stage's peak of traced memory.

    python benchmarks/outline.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
import tracemalloc
from pathlib import Path

# The outline's matrices are small: BLAS threads only add contention (as the app should also set).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop_app.outline import chapters as outline
from desktop_app.outline import minilm
from desktop_app.paths import default_transcript


def crude_starts(text: str) -> list[int]:
    return [m.start() for m in re.finditer(r"\S+", text)][::12]


def timed(text: str, starts: list[int], repeat: int, contextual: bool = False) -> tuple[float, int]:
    best = float("inf")
    n = 0
    for _ in range(repeat):
        outline._EMBEDDED_MEMO.clear()  # every run encodes, as a first opening does
        t0 = time.perf_counter()
        sections = outline.build_outline(text, starts, contextual=contextual)
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
    t0 = time.perf_counter()
    if minilm.get_encoder() is None:
        print("the encoder file is missing: the refined outline cannot be timed")
        return 1
    print(f"encoder load {time.perf_counter() - t0:.2f} s")
    first = 0.0
    for name, text, reps, contextual in (
        ("seed", seed, args.repeat, False),
        ("seed, refined", seed, args.repeat, True),
        ("seed x10", big, 1, False),
    ):
        secs, n = timed(text, crude_starts(text), reps, contextual)
        ratio = f"  {secs / first:5.1f}x the first outline" if contextual else ""
        first = secs if not contextual else first
        print(f"{name:14} {len(text.split()):8,d} words  {n:4d} sections  {secs:6.2f} s{ratio}")
    tracemalloc.start()
    outline._EMBEDDED_MEMO.clear()
    outline.build_outline(seed, crude_starts(seed), contextual=True)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"refined seed: peak traced memory {peak / 2**20:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
