"""Quality and speed of sentence/paragraph segmentation: validation split and development corpus.

Reads /work/shared (the training and development corpora and the paragraph scorer; not part of the
repository: the script says so and exits 0 when they are missing). For every episode of a set it segments the
caption text with the shipped models, scores the ``paragraphs --json`` form with ``tools/readability_eval.py``
(sentence F1 exact and ±1 word, turn recall ±2 words, paragraph precision), the question-mark F1 (on
predicted sentences whose end is a true sentence end) and, for episodes with named speakers, the speaker
balanced accuracy of ``desktop_app.speakers.infer_speakers`` (as ``speakers_quality.py`` defines it). Sets:

* validation: the 22 validation episodes of ``desktop_app/training/sentence_split.json`` (held out: neither
  the sentence tagger nor the speaker-turn and speaker models were fitted or chose settings on them);
* dev: ``/work/shared/dev-corpus`` (never fitted on by the sentence tagger nor the speaker models);
* selection (``--selection``): the 12 episodes the tagger's and the speaker models' settings were chosen on.

Means: sentence and question figures over episodes with usable sentence truth; turn, paragraph and speaker
figures also over the two-person interviews. Then the model files' sizes and the time to segment the seed.

    python benchmarks/readability_quality.py [--sets validation dev selection] [--tagger FILE]

``--tagger FILE``: another tagger file in place of ``resources/models/readability_tagger.npz`` (the figures
"before" a new network).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import speakers_quality as sq

from desktop_app.paths import resource_path
from desktop_app.readability import segmentation as rd

SHARED = Path("/work/shared")
TRAIN = SHARED / "train-corpus"
DEV = SHARED / "dev-corpus"
SPLIT = ROOT / "desktop_app" / "training" / "sentence_split.json"
SEED = ROOT / "resources" / "transcripts" / "lex-383-mark-zuckerberg.txt"
COLUMNS = [
    ("sent_f1_1", "sentF1±1"),
    ("sent_f1", "sentF1"),
    ("q_f1", "qF1"),
    ("turn_r", "turnR"),
    ("par_p", "parP"),
    ("par_len_median", "parLenMed"),
    ("spk_bacc", "spkBAcc"),
]
SENTENCE_KEYS = ("sent_f1_1", "sent_f1", "q_f1")


def question_f1(text: str, truth: dict[str, Any], readable: rd.Readable) -> float:
    """F1 of "?" on predicted sentences whose end matches a true sentence end (word-exact)."""
    ends = [i for i, c in enumerate(text) if c == " "] + [len(text.rstrip("\n"))]
    starts = truth["sentence_starts"] + [truth["words"]]
    true_q = {ends[b - 1] for k, b in enumerate(starts[1:]) if truth["sentence_end_marks"][k] == "?"}
    true_end = {ends[b - 1] for b in starts[1:]}
    pred = [(s.end, s.mark == "?") for p in readable.paragraphs for s in p.sentences if s.end in true_end]
    tp = sum(1 for e, q in pred if q and e in true_q)
    n_pred = sum(1 for _, q in pred if q)
    n_true = sum(1 for e, _ in pred if e in true_q)
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_true if n_true else 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


def episode(ev: Any, corpus: Path, slug: str, segmenter: rd.Segmenter) -> dict[str, Any]:
    """All figures of one episode."""
    metrics, text, truth, readable = sq.scored_episode(ev, corpus, slug, segmenter)
    if str(truth.get("sentence_truth", "ok")).startswith("ok"):
        metrics["q_f1"] = question_f1(text, truth, readable)
    else:
        for key in SENTENCE_KEYS:
            metrics[key] = None  # the episode's punctuation is not usable truth
    return metrics


def table(title: str, rows: dict[str, dict[str, Any]]) -> dict[str, float | None]:
    """Print the rows and their means; return the means (all, and ``2p:`` two-person interviews)."""
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

    def mean(ms: list[dict[str, Any]], key: str) -> float | None:
        vals = [m[key] for m in ms if m.get(key) is not None]
        return statistics.mean(vals) if vals else None

    for slug, m in rows.items():
        print(f"{slug[:44]:44}" + "".join(fmt(m.get(k)) for k, _ in COLUMNS))
    ms = list(rows.values())
    two = [m for m in ms if m.get("speakers") == 2]
    print(f"{'mean':44}" + "".join(fmt(mean(ms, k)) for k, _ in COLUMNS))
    print(
        f"{f'mean, two-person interviews ({len(two)})':44}" + "".join(fmt(mean(two, k)) for k, _ in COLUMNS)
    )
    out = {k: mean(ms, k) for k, _ in COLUMNS}
    out.update({f"2p:{k}": mean(two, k) for k, _ in COLUMNS})
    return out


def model_with(tagger: Path | None) -> rd.Model:
    """The shipped model, or the same with another tagger file."""
    if tagger is None:
        return rd.default_model()
    model = rd.Model.load(resource_path(*rd.MODEL_FILE), tagger)
    turns = Path(resource_path(*rd.TURN_FILE))
    if turns.is_file():
        model.use_turn_model(rd.read_model_file(turns))
    return model


def seed_timing(model: rd.Model) -> None:
    """Model sizes and the time to segment the seed (best of 3, models loaded)."""
    for parts in (rd.MODEL_FILE, rd.TURN_FILE, rd.TAGGER_FILE):
        path = resource_path(*parts)
        print(
            f"{'/'.join(parts):34} {path.stat().st_size / 1e6:6.2f} MB"
            if path.is_file()
            else f"{parts}: missing"
        )
    text = SEED.read_text(encoding="utf-8")
    segmenter = rd.Segmenter(model)
    segmenter.segment(text)
    wall, cpu = [], []
    for _ in range(3):
        t0, c0 = time.perf_counter(), time.process_time()
        readable = segmenter.segment(text)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    n_sent = sum(len(p.sentences) for p in readable.paragraphs)
    print(
        f"seed {SEED.name}: {len(text.split())} words -> {len(readable.paragraphs)} paragraphs, {n_sent} "
        f"sentences; segmentation {min(wall) * 1000:.0f} ms wall, {min(cpu) * 1000:.0f} ms CPU (best of 3)"
    )


def main(argv: list[str] | None = None) -> int:
    """Command line: score the sets, print sizes and the seed's timing."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--sets", nargs="*", default=["validation", "dev"], choices=["validation", "dev", "selection"]
    )
    ap.add_argument("--selection", action="store_true", help="also the selection split")
    ap.add_argument("--tagger", type=Path, help="another tagger file (figures before a new network)")
    ap.add_argument("--no-timing", action="store_true")
    args = ap.parse_args(argv)
    if not TRAIN.is_dir() or not DEV.is_dir() or not sq.SCORER.is_file():
        print(f"readability_quality: {SHARED} (corpora and scorer) is missing: nothing to measure.")
        return 0
    ev = sq.scorer()
    split = json.loads(SPLIT.read_text(encoding="utf-8"))
    sets = list(args.sets) + (["selection"] if args.selection and "selection" not in args.sets else [])
    model = model_with(args.tagger)
    segmenter = rd.Segmenter(model)
    for name in sets:
        corpus, slugs = (DEV, sorted(p.name[: -len(".truth.json")] for p in DEV.glob("*.truth.json")))
        if name != "dev":
            corpus, slugs = TRAIN, split[name]
        table(f"{name} ({len(slugs)} episodes)", {s: episode(ev, corpus, s, segmenter) for s in slugs})
    if not args.no_timing:
        print()
        seed_timing(model)
    return 0


if __name__ == "__main__":
    sys.exit(main())
