"""Outline quality on the held-out split of the training corpus and on the development corpus.

Pk, WindowDiff, boundary F1@150, the title score (``titles``: the human chapter's best-overlapping section
shares a content word) and ``titleF1`` (content-word F1 between the titles), scored by
/work/shared/tools/outline_eval.py; the chapter count against the human count per episode; and, in the same
run, an even-split baseline with the app's chapter count (keyword titles are not part of it: its titles are
the app's own for those sections). The models are fitted on the fitting split and their settings chosen on
the selection split (``desktop_app/training/outline_data.py``); the held-out split (22 episodes) and the
development corpus (6) were used for neither, so their figures are the evidence (``--split selection`` shows
the figures settings were chosen by, which are not). Both corpora exist only on the development machines:
without them this prints a message and exits 0.

Input is each episode's ``*.captions.txt``, outlined as the app does (``outline_of``: units on the app's
sentence starts, section starts snapped to the displayed sentences; the segmentation is cached by
``outline_data``); ``--refined``: the outline refined by contextual unit embeddings (View › Refine Automatic
Chapters in the app, off by default). ``--starts truth`` uses the true sentence starts instead.

    python benchmarks/outline_quality.py [--split heldout|dev|both|selection] [--starts app|truth] [-v]
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from types import ModuleType

# The outline's matrices are small: BLAS threads only add contention (as the app should also set).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from desktop_app.outline import chapters as outline
from desktop_app.training import outline_data

KEYS = ("pk", "windowdiff", "f1@150", "titles", "titleF1")


def load_scorer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("outline_eval", outline_data.SCORER)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def even_split(text: str, sections: list[outline.Section], starts: list[int]) -> list[outline.Section]:
    """Baseline: as many sections as the app's outline, of equal length, on the nearest sentence start."""
    import bisect

    k = len(sections)
    bounds = [0]
    for i in range(1, k):
        target = len(text) * i / k
        j = bisect.bisect_left(starts, target)
        near = [s for s in starts[max(j - 1, 0) : j + 1] if bounds[-1] < s < len(text)]
        if near:
            bounds.append(min(near, key=lambda s: abs(s - target)))
    bounds.append(len(text))
    return [
        outline.Section(sections[min(i, k - 1)].title, a, b, ())
        for i, (a, b) in enumerate(zip(bounds, bounds[1:], strict=False))
    ]


def run_episode(
    slug: str, scorer: ModuleType, mode: str, granularity: float, contextual: bool = False
) -> tuple[dict, dict]:
    ep = outline_data.load(slug)
    text = ep["text"]
    starts = ep["units"] if mode == "app" else ep["truth_starts"]
    snap = ep["display"] if mode == "app" else []
    t0 = time.perf_counter()
    sections = outline.build_outline(
        text, starts, granularity=granularity, snap_to=snap, contextual=contextual
    )
    elapsed = time.perf_counter() - t0
    ch, titles = outline_data.chapters(ep)
    ref = {"chapters": [{"title": t, "word_index": w} for t, w in zip(titles, ch, strict=True)]}
    with contextlib.redirect_stderr(io.StringIO()):
        res = scorer.evaluate(ref, outline.to_json(sections), scorer.WordIndex(text))
        base = scorer.evaluate(
            ref, outline.to_json(even_split(text, sections, sorted(snap or starts))), scorer.WordIndex(text)
        )
    res["seconds"] = elapsed
    return res, base


def report(name: str, slugs: list[str], scorer: ModuleType, args: argparse.Namespace) -> None:
    print(f"\n== {name}: {len(slugs)} episodes")
    print(
        f"{'episode':34} {'ref':>4} {'pred':>4} {'Pk':>6} {'WD':>6} {'F1@150':>7} {'titles':>7} "
        f"{'titleF1':>7} {'sec':>5}"
    )
    rows, bases = [], []
    for slug in slugs:
        res, base = run_episode(slug, scorer, args.starts, args.granularity, args.refined)
        rows.append(res)
        bases.append(base)
        print(
            f"{slug[:34]:34} {res['ref_sections']:4d} {res['pred_sections']:4d} {res['pk']:6.3f} "
            f"{res['windowdiff']:6.3f} {res['f1@150']:7.3f} {res['titles']:7.3f} {res['titleF1']:7.3f} "
            f"{res['seconds']:5.2f}",
            flush=True,
        )
        if args.verbose:
            for row in res["title_rows"]:
                mark = "+" if row["shared"] else "-"
                print(f"    {mark} {row['reference'][:45]:45} -> {row['predicted']}")
    for label, rs in (("MEAN", rows), ("even split, same count", bases)):
        mean = {k: sum(r[k] for r in rs) / len(rs) for k in KEYS}
        print(
            f"{label:34} {'':4} {'':4} {mean['pk']:6.3f} {mean['windowdiff']:6.3f} {mean['f1@150']:7.3f} "
            f"{mean['titles']:7.3f} {mean['titleF1']:7.3f}"
        )
    ratio = [r["pred_sections"] / r["ref_sections"] for r in rows]
    print(
        f"chapters / human chapters: mean {sum(ratio) / len(ratio):.2f}, "
        f"range {min(ratio):.2f}-{max(ratio):.2f}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=("heldout", "dev", "both", "selection"), default="both")
    ap.add_argument("--starts", choices=("app", "truth"), default="app")
    ap.add_argument("--granularity", type=float, default=1.0)
    ap.add_argument(
        "--refined", action="store_true", help="the refined outline (contextual encoder), the app's option"
    )
    ap.add_argument("-v", "--verbose", action="store_true", help="print titles per episode")
    ap.add_argument("--only", help="run one episode (slug)")
    args = ap.parse_args(argv)
    if (
        not outline_data.TRAIN_CORPUS.is_dir()
        or not outline_data.DEV_CORPUS.is_dir()
        or not outline_data.SCORER.is_file()
    ):
        print(
            f"outline_quality: {outline_data.SHARED} (corpora and scorer) not found "
            "(development machines only); skipped"
        )
        return 0
    scorer = load_scorer()
    print(
        f"outline {outline.OUTLINE_VERSION} ({'refined' if args.refined else 'first'}), sentence starts: "
        f"{args.starts}, granularity {args.granularity}"
    )
    _fitting, selection, heldout = outline_data.split3()
    parts = []
    if args.split == "selection":
        parts.append(("selection split (settings chosen here: not evidence)", selection))
    if args.split in ("heldout", "both"):
        parts.append(("held-out split (nothing fitted or chosen on it)", heldout))
    if args.split in ("dev", "both"):
        parts.append(("development corpus (held out)", list(outline_data.DEV_EPISODES)))
    for name, slugs in parts:
        if args.only:
            slugs = [s for s in slugs if s == args.only]
        if slugs:
            report(name, slugs, scorer, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
