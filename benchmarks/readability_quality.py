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

For episodes with speaker turns, two figures of paragraph breaks inside one speaker's run (issue 13's "who
says what": a monologue read as many short paragraphs), on the paragraphs the reader shows (after the speaker
pass's splits): ``nonTurn``, the share of predicted paragraph breaks not within ±2 words of a true turn start,
and ``1sFalse``, the number of predicted one-sentence paragraphs whose start and end both lie more than 2 words
from every true turn start (the start and end of the text count as turns).

Means: sentence and question figures over episodes with usable sentence truth; turn, paragraph and speaker
figures also over the two-person interviews. Then the model files' sizes and the time to segment the seed.

    python benchmarks/readability_quality.py [--sets validation dev selection] [--tagger FILE] [--turns FILE]
        [--json OUT] [--compare BEFORE.json]

``--tagger FILE`` / ``--turns FILE``: another tagger file in place of ``resources/models/readability_tagger.npz``,
another speaker-turn model file in place of ``resources/models/turns.json.gz`` (the figures "before" a new
network or turn model). ``--json OUT`` writes every episode's figures; ``--compare BEFORE.json`` prints, per
figure, the mean change and how many episodes got better and worse against such a file.
"""

from __future__ import annotations

import argparse
import bisect
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
    ("nonturn", "nonTurn"),
    ("short_false", "1sFalse"),
]
LOWER_IS_BETTER = frozenset({"nonturn", "short_false"})
TURN_TOLERANCE = 2  # words, as the scorer's turn recall
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


def break_figures(word_starts: list[int], turn_starts: list[int], readable: rd.Readable) -> dict[str, Any]:
    """Paragraph breaks inside one speaker's run: ``nonturn``, the share of paragraph breaks (after the first
    paragraph) not within ``TURN_TOLERANCE`` words of a true turn start, and ``short_false``, the number of
    one-sentence paragraphs whose start and end are both that far from every true turn start (the text's
    start and end count as turns). ``word_starts``: the text offset of each word; ``turn_starts``: word
    indices. Empty without turn truth."""
    if len(turn_starts) < 2:
        return {}
    n = len(word_starts)
    turns = sorted(set(turn_starts) | {0, n})

    def is_turn(w: int) -> bool:
        k = bisect.bisect_left(turns, w - TURN_TOLERANCE)
        return k < len(turns) and turns[k] <= w + TURN_TOLERANCE

    firsts = [bisect.bisect_right(word_starts, p.start) - 1 for p in readable.paragraphs]
    bounds = firsts + [n]
    breaks = [w for w in firsts if w > 0]
    one = [
        k
        for k, p in enumerate(readable.paragraphs)
        if len(p.sentences) == 1 and not is_turn(bounds[k]) and not is_turn(bounds[k + 1])
    ]
    return {
        "nonturn": sum(1 for w in breaks if not is_turn(w)) / len(breaks) if breaks else 0.0,
        "short_false": len(one),
    }


def episode(ev: Any, corpus: Path, slug: str, segmenter: rd.Segmenter) -> dict[str, Any]:
    """All figures of one episode."""
    metrics, text, truth, readable = sq.scored_episode(ev, corpus, slug, segmenter)
    metrics.update(break_figures(ev.Words(text).starts, truth["turn_starts"], readable))
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


def model_with(tagger: Path | None, turn_file: Path | None = None) -> rd.Model:
    """The shipped model, or the same with another tagger file and/or another speaker-turn model file."""
    if tagger is None and turn_file is None:
        return rd.default_model()
    model = rd.Model.load(resource_path(*rd.MODEL_FILE), tagger or resource_path(*rd.TAGGER_FILE))
    turns = turn_file or Path(resource_path(*rd.TURN_FILE))
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


def compare(
    before: dict[str, dict[str, dict[str, Any]]], after: dict[str, dict[str, dict[str, Any]]]
) -> None:
    """Per set and figure: the mean over the episodes both have, before and after, and how many episodes got
    better and worse (two-person interviews for the turn, paragraph and speaker figures)."""
    for name, rows in after.items():
        old = before.get(name, {})
        slugs = [s for s in rows if s in old]
        if not slugs:
            continue
        print(f"\n{name}: change against the earlier file ({len(slugs)} episodes in both)")
        for key, head in COLUMNS:
            pairs = [
                (old[s][key], rows[s][key])
                for s in slugs
                if old[s].get(key) is not None
                and rows[s].get(key) is not None
                and (key in SENTENCE_KEYS or rows[s].get("speakers") == 2)
            ]
            if not pairs:
                continue
            sign = -1.0 if key in LOWER_IS_BETTER else 1.0
            up = sum(1 for a, b in pairs if sign * (b - a) > 1e-9)
            down = sum(1 for a, b in pairs if sign * (b - a) < -1e-9)
            mean_a = statistics.mean(a for a, _ in pairs)
            mean_b = statistics.mean(b for _, b in pairs)
            print(
                f"  {head:10} {mean_a:8.3f} -> {mean_b:8.3f}  better {up:2d}, worse {down:2d}, "
                f"same {len(pairs) - up - down:2d} ({len(pairs)} episodes)"
            )


def main(argv: list[str] | None = None) -> int:
    """Command line: score the sets, print sizes and the seed's timing."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--sets", nargs="*", default=["validation", "dev"], choices=["validation", "dev", "selection"]
    )
    ap.add_argument("--selection", action="store_true", help="also the selection split")
    ap.add_argument("--tagger", type=Path, help="another tagger file (figures before a new network)")
    ap.add_argument("--turns", type=Path, help="another speaker-turn model file (figures before a new one)")
    ap.add_argument("--json", type=Path, help="write every episode's figures to this file")
    ap.add_argument(
        "--compare", type=Path, help="an earlier --json file: per figure, episodes better / worse"
    )
    ap.add_argument("--no-timing", action="store_true")
    args = ap.parse_args(argv)
    if not TRAIN.is_dir() or not DEV.is_dir() or not sq.SCORER.is_file():
        print(f"readability_quality: {SHARED} (corpora and scorer) is missing: nothing to measure.")
        return 0
    ev = sq.scorer()
    split = json.loads(SPLIT.read_text(encoding="utf-8"))
    sets = list(args.sets) + (["selection"] if args.selection and "selection" not in args.sets else [])
    model = model_with(args.tagger, args.turns)
    segmenter = rd.Segmenter(model)
    results: dict[str, dict[str, dict[str, Any]]] = {}
    for name in sets:
        corpus, slugs = (DEV, sorted(p.name[: -len(".truth.json")] for p in DEV.glob("*.truth.json")))
        if name != "dev":
            corpus, slugs = TRAIN, split[name]
        results[name] = {s: episode(ev, corpus, s, segmenter) for s in slugs}
        table(f"{name} ({len(slugs)} episodes)", results[name])
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    if args.compare:
        compare(json.loads(args.compare.read_text(encoding="utf-8")), results)
    if not args.no_timing:
        print()
        seed_timing(model)
    return 0


if __name__ == "__main__":
    sys.exit(main())
