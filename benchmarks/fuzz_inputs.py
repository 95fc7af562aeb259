"""Fuzzing (issue 16): mutated annotation files and hostile queries through the app's whole headless path.

Each mutated YAML file goes through the CLI's export (in process: find the file, load and validate it, anchor,
apply the outline records, write Markdown and JSON), and, when it loads, through a save / reload round trip
and a merge with the original. Each query goes through ``SearchIndex.search`` on the seed transcript and the
CLI's ``search``. A crash is an exit code other than 0 or 2, or an exception escaping; a slow run is one over
10 s. Prints the counts, the slowest run, and (for a baseline from the same run) how long loading the
unmutated file takes. ``tests/test_fuzz.py`` runs a few hundred of the same cases.

Usage: python benchmarks/fuzz_inputs.py [--files 2000] [--queries 2000] [--seed 16]
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import io
import os
import random
import sys
import tempfile
import time
import traceback
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from desktop_app.annotations import store
from desktop_app.annotations.model import Annotation

SEED = ROOT / "resources" / "transcripts" / "lex-383-mark-zuckerberg.txt"
SLOW_S = 10.0

_TOKENS = [
    ":",
    ": ",
    "- ",
    "[",
    "]",
    "{",
    "}",
    ",",
    "&a ",
    "*a",
    "!!int ",
    "!!float ",
    "!!str ",
    "!!binary ",
    "!!set ",
    "!!python/object:os.system ",
    "'",
    '"',
    "\n",
    "\n  ",
    "#",
    "\t",
    "\x00",
    "\ufeff",
    "\u202e",
    "|",
    ">",
    "?",
    "~",
    "null",
    "true",
    "yes",
    "1e400",
    ".inf",
    ".nan",
    "-1",
    "9" * 5000,
    "9" * 400,
    "0x1f",
    "2026-02-30",
    "2026-01-01T00:00:00+25:00",
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00",
    "<<: ",
    "%YAML 1.1\n",
    "---\n",
    "...\n",
    "\\",
    "é",
    "日本",
    "\U0001f600",
    " " * 40,
]
_VALUES = [
    "{}",
    "[]",
    "~",
    "5",
    "-3",
    "1e400",
    ".inf",
    "!!int abc",
    "'x'",
    "2026-13-01",
    "[1, [2, [3]]]",
    "{a: {b: {c: 1}}}",
    "9" * 4400,
    "true",
    "''",
    '"\\x00"',
    "&anchor 1",
    "*alias",
]


def make_base(text: str, count: int = 12, seed: int = 1) -> str:
    """A valid annotations file for ``text``: highlights with notes and tags, colours, an outline, a tombstone."""
    rng = random.Random(seed)
    items = []
    for n in range(count):
        start = rng.randrange(0, max(1, len(text) - 200))
        made = Annotation.create(
            text,
            start,
            start + rng.randrange(5, 120),
            color=["yellow", "blue"][n % 2],
            note=f"note {n}\nline two: *markdown*" if n % 3 else "",
            tags=["a", f"t{n}"],
            now="2026-11-29T10:00:00Z",
        )
        items.append(
            dataclasses.replace(made, id=str(uuid.UUID(int=rng.getrandbits(128), version=4)))
        )  # seeded
    content = store.AnnotationFile(
        document=store.DocumentRef("Fuzz", "0" * 64, "/tmp/fuzz.txt"), annotations=items
    )
    content.remove(items[-1].id, now="2026-11-29T11:00:00Z")
    content.outline = [
        {"title": "Start", "keywords": ["a"]},
        {
            "title": "Later",
            "keywords": [],
            "start": {"start": 500, "end": 540, "exact": text[500:540], "prefix": "", "suffix": ""},
        },
    ]
    return store.dump(content)


def mutate(text: str, rng: random.Random) -> str:
    """One to four random edits: tokens inserted or substituted, lines dropped, duplicated or swapped, values
    replaced by hostile ones, bytes flipped."""
    lines = text.split("\n")
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(7)
        i = rng.randrange(len(lines))
        if kind == 0:
            j = rng.randrange(len(lines[i]) + 1)
            lines[i] = lines[i][:j] + rng.choice(_TOKENS) + lines[i][j:]
        elif kind == 1 and len(lines) > 1:
            del lines[i]
        elif kind == 2:
            lines.insert(i, lines[rng.randrange(len(lines))])  # a duplicated line: often a repeated key
        elif kind == 3:
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == 4 and ": " in lines[i]:
            key = lines[i].split(": ", 1)[0]
            lines[i] = f"{key}: {rng.choice(_VALUES)}"
        elif kind == 5 and lines[i]:
            j = rng.randrange(len(lines[i]))
            lines[i] = lines[i][:j] + chr(rng.randrange(0, 0x3000)) + lines[i][j + 1 :]
        else:
            lines[i] = lines[i][: rng.randrange(len(lines[i]) + 1)]
    return "\n".join(lines)


def hostile_query(rng: random.Random) -> str:
    """A query from operators, numbers, odd characters and words of the seed."""
    parts = [
        '"',
        "~",
        "^",
        "*",
        "?",
        "(",
        ")",
        ":",
        " AND ",
        " OR ",
        " NOT ",
        "note:",
        "content:",
        " ",
        "9",
        "-",
        "/",
        "100000000",
        "1e400",
        "mark",
        "know",
        "you",
        "open",
        "source",
        "é",
        "\x00",
        "[",
        "]",
        "{",
        "}",
        "'",
        "\\",
        "TO",
        "<",
        ">",
        "=",
        "~99999",
        "^1e9",
        '"you know i"~',
        "a*b*c*",
    ]
    return "".join(rng.choice(parts) for _ in range(rng.randrange(1, 30)))


def run_file(text_path: Path, data_dir: Path, yaml_text: str) -> tuple[str, float]:
    """The outcome of one mutated file through the CLI's export and the store: 'ok', 'refused', 'crash ...'."""
    from desktop_app import cli
    from desktop_app.paths import app_dirs
    from desktop_app.transcript import load_transcript

    began = time.perf_counter()
    transcript = load_transcript(text_path)
    folder = app_dirs(str(data_dir)).annotations
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    path = store.annotations_path(folder, transcript.title, transcript.sha256)
    path.write_bytes(yaml_text.encode("utf-8", "surrogatepass"))
    outcomes = []
    for fmt in ("markdown", "json"):
        err = io.StringIO()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            code = cli.main(["export", str(text_path), "--format", fmt, "--data-dir", str(data_dir)])
        if code not in (0, 2) or "Traceback" in err.getvalue():
            return f"crash: export {fmt} exit {code}: {err.getvalue()[:200]}", time.perf_counter() - began
        outcomes.append(code)
    try:
        loaded = store.load(path)
    except store.AnnotationFileError:
        return "refused", time.perf_counter() - began
    copy = data_dir / "roundtrip.yaml"
    try:
        store.save(copy, loaded)
        again = store.load(copy)
        store.merge(again, loaded, loaded)
    except store.AnnotationFileError as error:
        return f"crash: round trip refused: {error.message[:150]}", time.perf_counter() - began
    return "ok", time.perf_counter() - began


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    counts: Counter[str] = Counter()
    slowest = (0.0, "")
    with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp:
        folder = Path(tmp)
        text = SEED.read_text(encoding="utf-8")[:40_000]
        text_path = folder / "fuzz.txt"
        text_path.write_text(text, encoding="utf-8")
        base = make_base(text)
        began = time.perf_counter()
        outcome, _ = run_file(text_path, folder / "data", base)
        baseline = time.perf_counter() - began
        assert outcome == "ok", outcome
        for number in range(args.files):
            mutated = mutate(base, rng)
            try:
                outcome, seconds = run_file(text_path, folder / "data", mutated)
            except Exception:
                outcome, seconds = "crash: " + traceback.format_exc(limit=3)[-300:], 0.0
            counts[outcome.split(":")[0]] += 1
            counts["slow"] += seconds > SLOW_S
            if seconds > slowest[0]:
                slowest = (seconds, f"file {number}")
            if outcome.startswith("crash"):
                print(f"file {number}: {outcome}\n{mutated[:400]!r}", file=sys.stderr)
        print(
            f"files: {args.files} mutated; ok={counts['ok']} refused={counts['refused']} crash={counts['crash']} "
            f"slow={counts['slow']}; unmutated file through the same path {baseline * 1000:.0f} ms"
        )
        counts = _queries(folder, text, text_path, args.queries, rng, counts)
    print(f"slowest run: {slowest[0] * 1000:.0f} ms ({slowest[1]})")
    crashes = counts["crash"] + counts["query crash"]
    print(
        f"crashes={crashes} slow={counts['slow']}: "
        + ("PASS" if crashes == 0 and counts["slow"] == 0 else "FAIL")
    )
    return 0 if crashes == 0 and counts["slow"] == 0 else 1


def _queries(
    folder: Path, text: str, text_path: Path, count: int, rng: random.Random, counts: Counter[str]
) -> Counter[str]:
    from search_samples import split_paragraphs  # type: ignore[import-not-found]

    from desktop_app import cli
    from desktop_app.search.index import SearchIndex

    index = SearchIndex.open_or_build(folder / "index", "f" * 64, text, split_paragraphs(text))
    began = time.perf_counter()
    index.search("mark zuckerberg", 100, join_adjacent=True)
    plain = time.perf_counter() - began
    worst = 0.0
    for number in range(count):
        query = hostile_query(rng)
        began = time.perf_counter()
        try:
            result = index.search(query, 100, join_adjacent=True)
            assert result.total >= 0
        except Exception:
            counts["query crash"] += 1
            print(f"query {query!r}: {traceback.format_exc(limit=3)[-300:]}", file=sys.stderr)
        seconds = time.perf_counter() - began
        worst = max(worst, seconds)
        counts["slow"] += seconds > SLOW_S
        if number % 20 == 0:  # and through the CLI (a new process would add only start-up time)
            err = io.StringIO()
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
                try:  # "--": a query may start with "-" (argparse would take it for an option)
                    code = cli.main(
                        ["search", "--json", "--data-dir", str(folder / "data"), "--", str(text_path), query]
                    )
                except SystemExit as leaving:
                    code = leaving.code if isinstance(leaving.code, int) else 1
            if code not in (0, 2) or "Traceback" in err.getvalue():
                counts["query crash"] += 1
                print(f"cli search {query!r}: exit {code} {err.getvalue()[:200]}", file=sys.stderr)
    print(
        f"queries: {count} hostile; crash={counts['query crash']}; slowest {worst * 1000:.0f} ms "
        f"({worst / max(plain, 1e-6):.0f}x a plain two-word query, {plain * 1000:.1f} ms)"
    )
    return counts


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.path.insert(0, str(ROOT / "tests"))
    sys.exit(main())
