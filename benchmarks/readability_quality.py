"""Quality and speed of sentence/paragraph segmentation on the development corpus.

Reads /work/shared (the development corpus and its scorer; it is not part of the repository and does not
exist on users' machines: the script says so and exits 0 when it is missing). For every
``dev-corpus/*.captions.txt`` it segments the text, writes the ``paragraphs --json`` form, scores it with
``tools/readability_eval.py`` against ``*.truth.json`` and prints a table and the means; then it times the
segmentation of the seed transcript.

    python benchmarks/readability_quality.py          # the shipped model
    python benchmarks/readability_quality.py --loo    # also leave-one-episode-out (train on 5, test on the 6th;
                                                      # needs numpy and torch for training,
                                                      # ~55 min on 1 core; --jobs 2: two at once)
    python benchmarks/readability_quality.py --loo --no-tagger   # the same for the linear models alone
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from desktop_app.readability import network as rn
from desktop_app.readability import segmentation as rd

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "dev-corpus"
SCORER = SHARED / "tools" / "readability_eval.py"
SEED = SHARED / "seed" / "000_0437f9af2b30a0a6.txt"
COLUMNS = [
    ("sent_f1_1", "sentF1±1"),
    ("sent_f1", "sentF1"),
    ("sent_p1", "P±1"),
    ("sent_r1", "R±1"),
    ("turn_r", "turnR"),
    ("par_p", "parP"),
    ("par_len_median", "parLenMed"),
    ("par_len_max", "parLenMax"),
    ("paragraphs", "pars"),
    ("q_f1", "qF1"),
]


def score(slug: str, readable: rd.Readable, workdir: Path) -> dict:
    """Run the shared scorer on one episode's segmentation; its metrics plus the question-mark F1."""
    pred = workdir / f"{slug}.pred.json"
    out = workdir / f"{slug}.metrics.json"
    pred.write_text(json.dumps(rd.to_json(readable)), encoding="utf-8")
    proc = subprocess.run(
        [
            sys.executable,
            str(SCORER),
            str(CORPUS / f"{slug}.truth.json"),
            str(pred),
            "--metrics-json",
            str(out),
        ],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"scorer failed on {slug}: {proc.stderr.strip()}")
    metrics = json.loads(out.read_text(encoding="utf-8"))
    metrics["q_f1"] = question_f1(slug, readable)
    return metrics


def question_f1(slug: str, readable: rd.Readable) -> float:
    """F1 of "?" on predicted sentences whose end matches a true sentence end (word-exact)."""
    text = (CORPUS / f"{slug}.captions.txt").read_text(encoding="utf-8")
    truth = json.loads((CORPUS / f"{slug}.truth.json").read_text(encoding="utf-8"))
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


def table(title: str, rows: dict[str, dict]) -> None:
    print(f"\n{title}")
    head = f"{'episode':30}" + "".join(f"{h:>10}" for _, h in COLUMNS)
    print(head)
    print("-" * len(head))

    def fmt(v: object) -> str:
        if v is None:
            return f"{'n/a':>10}"
        if isinstance(v, float) and not v.is_integer():
            return f"{v:>10.3f}"
        return f"{int(v):>10d}"  # type: ignore[call-overload]

    for slug, m in rows.items():
        print(f"{slug:30}" + "".join(fmt(m.get(k)) for k, _ in COLUMNS))
    means = {}
    for k, _ in COLUMNS:
        vals = [m[k] for m in rows.values() if m.get(k) is not None]
        means[k] = statistics.mean(vals) if vals else None
    print(f"{'mean':30}" + "".join(fmt(float(v) if v is not None else None) for v in means.values()))


def slugs() -> list[str]:
    return sorted(p.name[: -len(".captions.txt")] for p in CORPUS.glob("*.captions.txt"))


def evaluate(segmenter: rd.Segmenter, names: list[str], workdir: Path) -> dict[str, dict]:
    rows = {}
    for slug in names:
        text = (CORPUS / f"{slug}.captions.txt").read_text(encoding="utf-8")
        rows[slug] = score(slug, segmenter.segment(text), workdir)
    return rows


def loo_row(slug: str, tagger: bool, workdir: Path) -> dict[str, dict]:
    """Train on the other episodes (the network too when ``tagger``), score ``slug``."""
    from desktop_app.training import train_readability_tagger as tt
    from desktop_app.training import train_sentence_model as tr

    eps = tr.episodes(CORPUS, exclude=[slug])
    model = rd.Model(tr.train(eps), rn.Tagger.from_arrays(tt.train(eps)) if tagger else None)
    return evaluate(rd.Segmenter(model), [slug], workdir)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--loo", action="store_true", help="also leave-one-episode-out figures (trains 6 models)")
    ap.add_argument(
        "--no-tagger",
        dest="tagger",
        action="store_false",
        help="leave-one-out with the linear models only (no network: minutes instead of ~30 with --jobs 2)",
    )
    ap.add_argument("--jobs", type=int, default=1, help="leave-one-out folds trained in parallel processes")
    args = ap.parse_args(argv)
    if not CORPUS.is_dir() or not SCORER.is_file():
        print(
            f"readability_quality: {SHARED} (development corpus and scorer) is missing: nothing to measure."
        )
        return 0
    names = slugs()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        shipped = rd.Segmenter(rd.default_model())
        table(
            "shipped model (trained on all six episodes: these are training figures)",
            evaluate(shipped, names, work),
        )
        if args.loo:
            if args.tagger and importlib.util.find_spec("torch") is None:
                print(
                    "\nleave-one-out: torch is not installed, so the network is not trained: linear models only"
                )
                args.tagger = False
            with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
                parts = pool.map(loo_row, names, [args.tagger] * len(names), [work] * len(names))
                rows = {slug: row for part in parts for slug, row in part.items()}
            table(
                "leave-one-episode-out (model trained on the other five"
                + ("" if args.tagger else "; linear models only")
                + ")",
                rows,
            )
    seed = SEED if SEED.is_file() else ROOT / "resources" / "transcripts" / "lex-383-mark-zuckerberg.txt"
    text = seed.read_text(encoding="utf-8")
    rd.default_model()
    times, cpu = [], []
    for _ in range(3):
        t0, c0 = time.perf_counter(), time.process_time()
        readable = rd.segment(text)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    n_words = len(text.split())
    n_sent = sum(len(p.sentences) for p in readable.paragraphs)
    print(
        f"\nseed {seed.name}: {n_words} words -> {len(readable.paragraphs)} paragraphs, {n_sent} sentences; "
        f"segmentation {min(times) * 1000:.0f} ms wall, {min(cpu) * 1000:.0f} ms CPU (best of 3, model already loaded)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
