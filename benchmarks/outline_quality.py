"""Outline quality on the development corpus: Pk, WindowDiff, boundary F1@150 and title score.

Reads /work/shared/dev-corpus (six episodes with human chapters) and scores with
/work/shared/tools/outline_eval.py. Both exist only on the development machines: without them this
prints a message and exits 0.

Input text is each episode's ``*.captions.txt``; the reference is ``truth.json``'s chapter starts and
titles. Sentence starts come from (``--starts``): ``truth`` (the episode's true sentence starts, default),
``readability`` (the app's own segmenter, when present) or ``crude`` (every 20 words).

    python benchmarks/outline_quality.py [--starts truth|readability|crude] [--granularity 1.0] [-v]

These figures use the shipped boundary classifier, which was trained on these same episodes; the honest
leave-one-episode-out figures come from ``python -m desktop_app.training.outline_boundary``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import sys
import time
from pathlib import Path

# The outline's matrices are small: BLAS threads only add contention (as the app should also set).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from typing import TYPE_CHECKING

from desktop_app.outline import chapters as outline

if TYPE_CHECKING:
    from types import ModuleType

_REPO = Path(__file__).resolve().parent.parent
# ../shared next to the repository (the development machine and CI), else the usual absolute place
SHARED = next((p for p in (_REPO.parent / "shared", Path("/work/shared")) if p.is_dir()), _REPO.parent / "shared")
CORPUS = SHARED / "dev-corpus"
SCORER = SHARED / "tools" / "outline_eval.py"
EPISODES = ("lex-416-yann-lecun", "lex-419-sam-altman", "lex-428-sean-carroll", "lex-447-cursor-team",
            "vector-yury-malkov-hnsw", "vector-max-irwin-mighty")


def load_scorer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("outline_eval", SCORER)
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(mod)
    return mod


def word_offsets(text: str) -> list[int]:
    return [m.start() for m in re.finditer(r"\S+", text)]


def sentence_starts(text: str, truth: dict, mode: str) -> tuple[list[int], list[int]]:
    """The starts the outline builds its units on, and the displayed sentence starts to snap to (as the app)."""
    offs = word_offsets(text)
    if mode == "truth":
        return [offs[i] for i in truth["sentence_starts"] if i < len(offs)], []
    if mode == "crude":
        return offs[::20], []
    from desktop_app.readability import segmentation as readability

    readable = readability.segment(text)
    return readable.unit_starts(), readable.sentence_starts()


def run_episode(slug: str, scorer: ModuleType, mode: str, granularity: float) -> dict:
    text = (CORPUS / f"{slug}.captions.txt").read_text(encoding="utf-8")
    truth = json.loads((CORPUS / f"{slug}.truth.json").read_text(encoding="utf-8"))
    starts, snap_to = sentence_starts(text, truth, mode)
    t0 = time.perf_counter()
    sections = outline.build_outline(text, starts, granularity=granularity, snap_to=snap_to)
    elapsed = time.perf_counter() - t0
    ref = {"chapters": [{"title": t, "word_index": w}
                        for t, w in zip(truth["chapter_titles"], truth["chapter_starts"], strict=True)]}
    res = scorer.evaluate(ref, outline.to_json(sections), scorer.WordIndex(text))
    res["seconds"] = elapsed
    res["sections"] = sections
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--starts", choices=("truth", "readability", "crude"), default="truth")
    ap.add_argument("--granularity", type=float, default=1.0)
    ap.add_argument("-v", "--verbose", action="store_true", help="print titles per episode")
    ap.add_argument("--only", help="run one episode (slug)")
    args = ap.parse_args(argv)
    if not CORPUS.is_dir() or not SCORER.is_file():
        print(f"outline_quality: {CORPUS} or {SCORER} not found (development machines only); skipped")
        return 0
    scorer = load_scorer()
    keys = ("pk", "windowdiff", "f1@150", "titles")
    rows = []
    print(f"outline {outline.OUTLINE_VERSION}, sentence starts: {args.starts}, "
          f"granularity {args.granularity}")
    print(f"{'episode':28} {'ref':>4} {'pred':>4} {'Pk':>6} {'WD':>6} {'F1@150':>7} {'titles':>7} {'sec':>6}")
    for slug in EPISODES:
        if args.only and slug != args.only:
            continue
        res = run_episode(slug, scorer, args.starts, args.granularity)
        rows.append(res)
        print(f"{slug:28} {res['ref_sections']:4d} {res['pred_sections']:4d} {res['pk']:6.3f} "
              f"{res['windowdiff']:6.3f} {res['f1@150']:7.3f} {res['titles']:7.3f} {res['seconds']:6.2f}")
        if args.verbose:
            for row in res["title_rows"]:
                mark = "+" if row["shared"] else "-"
                print(f"    {mark} {row['reference'][:45]:45} -> {row['predicted']}")
            print("    ref starts: ", res["ref_word_starts"])
            print("    pred starts:", res["pred_word_starts"])
    if rows:
        mean = {k: sum(r[k] for r in rows) / len(rows) for k in keys}
        print(f"{'MEAN':28} {'':4} {'':4} {mean['pk']:6.3f} {mean['windowdiff']:6.3f} "
              f"{mean['f1@150']:7.3f} {mean['titles']:7.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
