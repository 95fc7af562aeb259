"""Speaker turns and who speaks: quality on the validation split and the development corpus, sizes, timing.

Reads /work/shared (the training and development corpora and the paragraph scorer; not part of the
repository: the script says so and exits 0 when they are missing). For every validation episode of
``desktop_app/training/corpus_split.json`` and every development episode it segments the caption text with the
shipped models and scores the paragraphs with ``tools/readability_eval.py`` (turn recall ±2 words, paragraph
precision, sentence F1 ±1: the sentences must not change), then labels the paragraphs with
``desktop_app.speakers.infer_speakers`` and scores the speaker balanced accuracy (issue 13: predicted labels
mapped one-to-one to true speakers by shared words; the mean over true speakers with ≥ 5 % of the words of
the share of their words labelled as them; "2p": two-person interviews). ``--before`` adds the same figures
for the turn model of readability.json.gz alone (the model before resources/models/turns.json.gz).
Finally: the model files' sizes and the time to segment and label the seed transcript.

    python benchmarks/speakers_quality.py [--before] [--dev-only]
"""

from __future__ import annotations

import argparse
import bisect
import importlib.util
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from desktop_app.paths import resource_path
from desktop_app.readability import segmentation as rd
from desktop_app.speakers import infer_speakers
from desktop_app.speakers import inference as si

SHARED = Path("/work/shared")
TRAIN = SHARED / "train-corpus"
DEV = SHARED / "dev-corpus"
SCORER = SHARED / "tools" / "readability_eval.py"
SPLIT = ROOT / "desktop_app" / "training" / "corpus_split.json"
SEED = ROOT / "resources" / "transcripts" / "lex-383-mark-zuckerberg.txt"
COLUMNS = [
    ("sent_f1_1", "sentF1±1"),
    ("turn_r", "turnR"),
    ("par_p", "parP"),
    ("par_len_median", "parLenMed"),
    ("paragraphs", "pars"),
    ("spk_bacc", "spkBAcc"),
    ("speakers", "nSpk"),
]


def scorer() -> Any:
    spec = importlib.util.spec_from_file_location("readability_eval", SCORER)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def balanced_accuracy(true: list[int], pred: list[str | None]) -> tuple[float, int]:
    from desktop_app.training.train_speakers import balanced_accuracy as bacc

    codes = {label: k for k, label in enumerate(dict.fromkeys(pred))}
    return bacc(true, [codes[p] for p in pred])


def true_speakers(truth: dict[str, Any]) -> list[int]:
    names = list(truth.get("speakers", []))
    turns = list(truth["turn_starts"]) + [truth["words"]]
    if turns[0] != 0:
        names, turns = ["Unknown"] + names, [0] + turns
    index = {n: k for k, n in enumerate(sorted(set(names)))}
    out: list[int] = []
    for a, b, name in zip(turns, turns[1:], names, strict=False):
        out.extend([index[name]] * (b - a))
    return out


def scored_episode(
    ev: Any, corpus: Path, slug: str, segmenter: rd.Segmenter
) -> tuple[dict[str, Any], str, dict[str, Any], Any]:
    """One episode segmented and scored (the scorer's figures and, with named speakers, the speaker balanced
    accuracy), with its caption text, truth and segmentation for further figures."""
    text = (corpus / f"{slug}.captions.txt").read_text(encoding="utf-8")
    truth = json.loads((corpus / f"{slug}.truth.json").read_text(encoding="utf-8"))
    readable = segmenter.segment(text)
    if not readable.already_punctuated:  # as the app: inferred speakers, paragraphs split where they change
        readable = infer_speakers(text, readable, model=segmenter.model).labelled(readable)
    words = ev.Words(text)
    metrics: dict[str, Any] = ev.evaluate(truth, words, ev.parse_prediction(rd.to_json(readable), words))
    if truth.get("speakers") and len(truth["turn_starts"]) > 1:
        par_words = [bisect.bisect_right(words.starts, p.start) - 1 for p in readable.paragraphs]
        bounds = par_words + [words.n]
        pred: list[str | None] = []
        for a, b, paragraph in zip(bounds, bounds[1:], readable.paragraphs, strict=False):
            pred.extend([paragraph.speaker] * (b - a))
        metrics["spk_bacc"], metrics["speakers"] = balanced_accuracy(true_speakers(truth), pred)
    return metrics, text, truth, readable


def episode(ev: Any, corpus: Path, slug: str, segmenter: rd.Segmenter) -> dict[str, Any]:
    """The figures of one episode."""
    return scored_episode(ev, corpus, slug, segmenter)[0]


def table(title: str, rows: dict[str, dict[str, Any]]) -> None:
    print(f"\n{title}")
    head = f"{'episode':44}" + "".join(f"{h:>10}" for _, h in COLUMNS)
    print(head)
    print("-" * len(head))

    def fmt(v: object) -> str:
        if v is None:
            return f"{'n/a':>10}"
        if isinstance(v, float) and not v.is_integer():
            return f"{v:>10.3f}"
        return f"{int(v):>10d}"  # type: ignore[call-overload]

    for slug, m in rows.items():
        print(f"{slug[:44]:44}" + "".join(fmt(m.get(k)) for k, _ in COLUMNS))

    def mean(ms: list[dict[str, Any]], key: str) -> float | None:
        vals = [m[key] for m in ms if m.get(key) is not None]
        return statistics.mean(vals) if vals else None

    ms = list(rows.values())
    print(f"{'mean':44}" + "".join(fmt(mean(ms, k)) for k, _ in COLUMNS))
    two = [m for m in ms if m.get("speakers") == 2]
    print(
        f"{f'mean, two-person interviews ({len(two)})':44}" + "".join(fmt(mean(two, k)) for k, _ in COLUMNS)
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--before", action="store_true", help="also the turn model of readability.json.gz alone")
    ap.add_argument("--dev-only", action="store_true", help="the development corpus only")
    args = ap.parse_args(argv)
    if not TRAIN.is_dir() or not DEV.is_dir() or not SCORER.is_file():
        print(f"speakers_quality: {SHARED} (corpora and scorer) is missing: nothing to measure.")
        return 0
    ev = scorer()
    split = json.loads(SPLIT.read_text(encoding="utf-8"))
    sets = [
        ("development corpus", DEV, sorted(p.name[: -len(".truth.json")] for p in DEV.glob("*.truth.json")))
    ]
    if not args.dev_only:
        sets.insert(0, ("validation split", TRAIN, split["validation"]))
    models = [("shipped", rd.default_model())]
    if args.before:
        old = rd.Model.load(resource_path(*rd.MODEL_FILE), rd.default_model()._tagger_path)
        models.append(("before (readability.json.gz turn model alone)", old))
    for name, corpus, slugs in sets:
        for label, model in models:
            segmenter = rd.Segmenter(model)
            table(f"{name}, {label}", {slug: episode(ev, corpus, slug, segmenter) for slug in slugs})

    print()
    for parts in (rd.MODEL_FILE, rd.TURN_FILE, si.MODEL_FILE, rd.TAGGER_FILE):
        path = resource_path(*parts)
        print(
            f"{'/'.join(parts):34} {path.stat().st_size / 1e6:6.2f} MB"
            if path.is_file()
            else f"{parts}: missing"
        )
    text = SEED.read_text(encoding="utf-8")
    rd.segment(text)
    infer_speakers(text, rd.segment(text))
    seg_t, spk_t = [], []
    for _ in range(3):
        t0 = time.process_time()
        readable = rd.segment(text)
        t1 = time.process_time()
        labels = infer_speakers(text, readable)
        seg_t.append(t1 - t0)
        spk_t.append(time.process_time() - t1)
    share = {s: sum(1 for x in labels.labels if x == s) for s in labels.speakers}
    print(
        f"seed {SEED.name}: {len(readable.paragraphs)} paragraphs, speakers {share}; segmentation "
        f"{min(seg_t) * 1000:.0f} ms CPU, speaker labels {min(spk_t) * 1000:.0f} ms CPU (best of 3, models loaded)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
