"""Count how people write names and acronyms, for the outline's titles of all-lowercase captions.

Training time only (not imported by the app); needs ``/work/shared`` (development machines only).

Older automatic captions are all lowercase ("mdma and lsd", "ted kaczynski"), so a title made from their words
cannot take its capitals from the transcript. This script reads the punctuated originals of the outline's
fitting and selection episodes (``outline_data.split3``; the held-out episodes are left out) and keeps each word
that is written with a capital *inside* a sentence (not after ``.?!``) in at least ``SHARE`` of its at least
``MIN_COUNT`` such uses, with its most frequent spelling ("MDMA", "LSD", "Kaczynski", "Meta").
``outline.titles.cased`` applies it to a title word the transcript only ever writes in lowercase. Writes
``resources/models/title_casing.json.gz``:

    python -m desktop_app.training.title_casing
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from pathlib import Path

from desktop_app.training import outline_data

CORPUS = Path("/work/shared/train-corpus")
OUT = Path(__file__).resolve().parents[2] / "resources" / "models" / "title_casing.json.gz"
MIN_COUNT = 3
SHARE = 0.8
_TOKEN_RE = re.compile(r"[A-Za-z][A-Za-z0-9'&-]*|[.?!]")


def casing_table(texts: list[str]) -> dict[str, str]:
    """Lowercase word -> its usual capitalised spelling, for words written capitalised inside sentences."""
    forms: dict[str, Counter[str]] = {}
    for text in texts:
        after_stop = True
        for token in _TOKEN_RE.findall(text):
            if token in ".?!":
                after_stop = True
                continue
            if not after_stop:
                key = token.lower().strip("'")
                forms.setdefault(key, Counter())[token.strip("'")] += 1
            after_stop = False
    table: dict[str, str] = {}
    for key, counts in forms.items():
        total = sum(counts.values())
        capital = sum(n for form, n in counts.items() if form != form.lower())
        if len(key) < 2 or total < MIN_COUNT or capital < SHARE * total:
            continue
        best = max((kv for kv in counts.items() if kv[0] != kv[0].lower()), key=lambda kv: (kv[1], kv[0]))
        table[key] = best[0]
    return table


def main() -> int:
    """Build the table from the fitting and selection episodes and write it."""
    fitting, selection, _heldout = outline_data.split3()
    texts = [(CORPUS / f"{slug}.punctuated.txt").read_text(encoding="utf-8") for slug in fitting + selection]
    table = casing_table(texts)
    OUT.write_bytes(
        gzip.compress(json.dumps(dict(sorted(table.items())), ensure_ascii=False).encode(), mtime=0)
    )
    print(f"{len(table)} words from {len(texts)} episodes -> {OUT} ({OUT.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
