"""Train the outline's boundary classifier (``outline.BOUNDARY_COEF``) and report leave-one-episode-out scores.

Training time only (not imported by the app); needs the development corpus in /work/shared (development
machines only). For every unit start of every dev episode (units built from the true sentence starts and
from the app's own readability segmenter), ``outline._boundary_features`` gives z-scored novelty and
local-peak heights (LSA and word vectors, three window sizes), the host-cue strength and the onset of
recurring names; the label says
whether a human chapter starts within ``LABEL_WORDS`` words. An L2-regularised logistic regression (numpy,
Newton steps) gives the coefficients. Each episode is then outlined with coefficients trained on the other
five (and each ``BOUNDARY_WEIGHT`` of the grid), so the printed figures are honest leave-one-out ones.
Finally the coefficients fitted on all six episodes are written into ``outline.py`` (``BOUNDARY_COEF``)
unless ``--dry-run``; re-run this whenever the readability segmenter changes:

    python -m desktop_app.training.outline_boundary [--weights 0.5,1,2] [--dry-run] [--sensitivity]
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import json
import logging
import os
import re
import sys
from pathlib import Path
from types import ModuleType

import numpy as np

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from desktop_app.outline import chapters as outline  # noqa: E402
from desktop_app.outline.titles import normalize  # noqa: E402

logger = logging.getLogger(__name__)

CORPUS = Path("/work/shared/dev-corpus")
SCORER = Path("/work/shared/tools/outline_eval.py")
EPISODES = ("lex-416-yann-lecun", "lex-419-sam-altman", "lex-428-sean-carroll", "lex-447-cursor-team",
            "vector-yury-malkov-hnsw", "vector-max-irwin-mighty")
MODES = ("truth", "app")
OUTLINE_PY = Path(outline.__file__)
_COEF_RE = re.compile(r"^BOUNDARY_COEF = np\.array\(\[[^\]]*\]\)", re.MULTILINE)
LABEL_WORDS = 40
SENSITIVITY_GRANULARITIES = (0.8, 0.9, 1.0, 1.1, 1.2)
L2 = 1.0


def load_scorer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("outline_eval", SCORER)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def episode(slug: str) -> dict:
    """Text, truth and both kinds of sentence starts (doc offsets) of one dev episode."""
    from desktop_app.readability import segmentation as readability

    text = (CORPUS / f"{slug}.captions.txt").read_text(encoding="utf-8")
    truth = json.loads((CORPUS / f"{slug}.truth.json").read_text(encoding="utf-8"))
    offs = [m.start() for m in re.finditer(r"\S+", text)]
    readable = readability.segment(text)
    starts = {"truth": [offs[i] for i in truth["sentence_starts"] if i < len(offs)],
              "app": sorted(set(readable.unit_starts()))}
    return {"slug": slug, "text": text, "truth": truth, "starts": starts, "display": readable.sentence_starts()}


def features(text: str, starts: list[int]) -> tuple[np.ndarray, list[int]]:
    """Boundary features of every unit start, as the outline computes them."""
    spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    surface = [text[a:b] for a, b in spans]
    words = [normalize(t) for t in surface]
    units = outline._units(outline._candidate_starts(spans, starts, len(text)), len(words))
    blocks = outline._unit_features(words, units)
    unit_len = np.diff(np.array(units + [len(words)], dtype=np.float64))
    cues = outline._cue_scores(words, units)
    onsets = outline._name_onsets(words, outline._capitalised(surface, words), units)
    return outline._boundary_features(blocks, unit_len, cues, onsets), units


def labels(units: list[int], chapter_starts: list[int]) -> np.ndarray:
    u = np.array(units)
    y = np.zeros(len(units))
    for c in chapter_starts[1:]:
        y[np.abs(u - c) <= LABEL_WORDS] = 1.0
    return y


def fit(x: np.ndarray, y: np.ndarray, l2: float = L2, steps: int = 30) -> np.ndarray:
    """Logistic regression by Newton steps; returns weights with the bias last."""
    xb = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(xb.shape[1])
    reg = l2 * np.r_[np.ones(len(w) - 1), 0.0]
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-xb @ w))
        grad = xb.T @ (p - y) + reg * w
        hess = (xb * (p * (1 - p))[:, None]).T @ xb + np.diag(reg)
        w -= np.linalg.solve(hess, grad)
    return w


def auc(score: np.ndarray, y: np.ndarray) -> float:
    ranks = np.empty(len(score))
    ranks[np.argsort(score, kind="stable")] = np.arange(1, len(score) + 1)
    pos = y.sum()
    return float((ranks[y == 1].sum() - pos * (pos + 1) / 2) / (pos * (len(y) - pos)))


def evaluate(ep: dict, mode: str, scorer: ModuleType, granularity: float = 1.0) -> dict:
    truth = ep["truth"]
    ref = {"chapters": [{"title": t, "word_index": w}
                        for t, w in zip(truth["chapter_titles"], truth["chapter_starts"], strict=True)]}
    sections = outline.build_outline(ep["text"], ep["starts"][mode], granularity,
                                     snap_to=ep["display"] if mode == "app" else ())
    with contextlib.redirect_stderr(io.StringIO()):
        return scorer.evaluate(ref, outline.to_json(sections), scorer.WordIndex(ep["text"]))


def sensitivity(eps: list[dict], mode: str, loo: dict[str, np.ndarray], scorer: ModuleType) -> str:
    """LOO Pk averaged over granularities near 1 (one boundary more or less moves a single episode's Pk by
    several points; this average is the steadier figure to compare settings by)."""
    pks = []
    for ep in eps:
        outline.BOUNDARY_COEF = loo[ep["slug"]][:-1]
        pks.append([evaluate(ep, mode, scorer, g)["pk"] for g in SENSITIVITY_GRANULARITIES])
    per = " ".join(f"{float(np.mean(p)):.3f}" for p in pks)
    return f"Pk over granularities {SENSITIVITY_GRANULARITIES}: {float(np.mean(pks)):.3f} | per episode {per}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--weights", default="1", help="BOUNDARY_WEIGHT values to score, e.g. 0.5,1,2")
    ap.add_argument("--dry-run", action="store_true", help="print the coefficients, do not write outline.py")
    ap.add_argument("--sensitivity", action="store_true",
                    help="also print LOO Pk averaged over granularities 0.8-1.2 (slower)")
    args = ap.parse_args(argv)
    if not CORPUS.is_dir() or not SCORER.is_file():
        print(f"{CORPUS} or {SCORER} not found (development machines only)")
        return 0
    scorer = load_scorer()
    eps = [episode(s) for s in EPISODES]
    data = {}
    for ep in eps:
        for mode in MODES:
            x, units = features(ep["text"], ep["starts"][mode])
            data[ep["slug"], mode] = (x, labels(units, ep["truth"]["chapter_starts"]))
    loo = {}
    for ep in eps:
        train = [data[s, m] for s in EPISODES if s != ep["slug"] for m in MODES]
        loo[ep["slug"]] = fit(np.vstack([t[0] for t in train]), np.concatenate([t[1] for t in train]))
        x, y = data[ep["slug"], "app"]
        print(f"{ep['slug']:26} LOO AUC (app starts) {auc(x @ loo[ep['slug']][:-1], y):.3f}")
    saved = outline.BOUNDARY_COEF, outline.BOUNDARY_WEIGHT
    keys = ("pk", "windowdiff", "f1@150", "titles")
    try:
        for weight in (float(w) for w in args.weights.split(",")):
            outline.BOUNDARY_WEIGHT = weight
            for mode in MODES:
                rows = []
                for ep in eps:
                    outline.BOUNDARY_COEF = loo[ep["slug"]][:-1]
                    rows.append(evaluate(ep, mode, scorer))
                mean = {k: float(np.mean([r[k] for r in rows])) for k in keys}
                per = " ".join(f"{r['pk']:.3f}/{r['pred_sections']}" for r in rows)
                print(f"LOO weight {weight:g} {mode:5} Pk {mean['pk']:.3f} WD {mean['windowdiff']:.3f} "
                      f"F1@150 {mean['f1@150']:.3f} titles {mean['titles']:.3f} | Pk/sections {per}")
                if args.sensitivity:
                    print(f"{'':17}{sensitivity(eps, mode, loo, scorer)}")
    finally:
        outline.BOUNDARY_COEF, outline.BOUNDARY_WEIGHT = saved
    w = fit(np.vstack([d[0] for d in data.values()]), np.concatenate([d[1] for d in data.values()]))
    line = format_coef(w[:-1])
    print(line)
    if args.dry_run:
        print("--dry-run: outline.py left unchanged")
    elif write_coef(line):
        print(f"wrote the coefficients to {OUTLINE_PY}: bump OUTLINE_VERSION and run the outline tests")
    else:
        print(f"{OUTLINE_PY} already has these coefficients")
    return 0


def format_coef(coef: np.ndarray) -> str:
    """The ``BOUNDARY_COEF = ...`` source lines for ``coef`` (wrapped for the house line length)."""
    values = [f"{v:.3f}" for v in coef]
    lines, line = [], "BOUNDARY_COEF = np.array(["
    for i, v in enumerate(values):
        piece = v + ("," if i + 1 < len(values) else "])")
        if len(line) + len(piece) + 1 > 110:
            lines.append(line.rstrip())
            line = " " * 26
        line += piece + " "
    lines.append(line.rstrip())
    return "\n".join(lines)


def write_coef(line: str) -> bool:
    """Replace the ``BOUNDARY_COEF`` assignment in outline.py; False when it is already ``line``."""
    source = OUTLINE_PY.read_text(encoding="utf-8")
    new, count = _COEF_RE.subn(lambda _m: line, source)
    if count != 1:
        raise RuntimeError(f"BOUNDARY_COEF assignment not found exactly once in {OUTLINE_PY}")
    if new == source:
        return False
    OUTLINE_PY.write_text(new, encoding="utf-8")
    return True


if __name__ == "__main__":
    sys.exit(main())
