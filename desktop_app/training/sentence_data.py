"""Episodes of the training corpus for the sentence tagger (``train_sentence_tagger``), and its split.

The split (``sentence_split.json`` next to this file) refines ``corpus_split.json``: its 22 validation
episodes, already used to choose the speaker models' settings, are held out from everything the tagger does
and scored once at the end; its 89 fitting episodes are divided by a fixed rule into *fit* (the network's
weights) and *selection* (every setting: architecture, epochs, decoding thresholds): an episode goes to
selection when ``int(sha1(slug).hexdigest(), 16) % 5 == 0``.

Per episode this keeps the caption words, the truth (sentence starts and end marks, speaker turns) and the
commas of the punctuated text aligned to the captions (as ``train_sentence_model`` does), cached as JSON in a
scratch folder (aligning takes seconds per episode).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop_app.readability import segmentation as rd

logger = logging.getLogger(__name__)

TRAIN_CORPUS = Path(__file__).resolve().parents[3] / "shared" / "train-corpus"
DEV_CORPUS = Path(__file__).resolve().parents[3] / "shared" / "dev-corpus"
SPEAKER_SPLIT = Path(__file__).with_name("corpus_split.json")
SPLIT_FILE = Path(__file__).with_name("sentence_split.json")
SELECTION_MODULUS = 5


def in_selection(slug: str) -> bool:
    """The fixed rule that moves a fitting episode to the selection part."""
    return int(hashlib.sha1(slug.encode("utf-8")).hexdigest(), 16) % SELECTION_MODULUS == 0


def make_split() -> dict[str, Any]:
    """Fit / selection / validation slugs, from ``corpus_split.json`` and ``in_selection``."""
    base = json.loads(SPEAKER_SPLIT.read_text(encoding="utf-8"))
    return {
        "_comment": (
            "Episode split of /work/shared/train-corpus for the sentence tagger (train_sentence_tagger): "
            "'fit' and 'selection' divide corpus_split.json's fitting episodes (selection: "
            "int(sha1(slug), 16) % 5 == 0); 'validation' is corpus_split.json's validation part, held out "
            "from all fitting and selection. Fixed: do not edit without re-running the training."
        ),
        "fit": [s for s in base["fit"] if not in_selection(s)],
        "selection": [s for s in base["fit"] if in_selection(s)],
        "validation": list(base["validation"]),
    }


def load_split() -> dict[str, list[str]]:
    """The split written in the repository (``sentence_split.json``)."""
    data = json.loads(SPLIT_FILE.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


@dataclass
class Episode:
    """One episode: caption words and truth over word indices."""

    slug: str
    words: list[str]
    starts: list[int]
    marks: str
    turns: list[int]
    commas: list[int]
    sentence_ok: bool
    truth: dict[str, Any]

    @property
    def norm(self) -> list[str]:
        """The feature form of every word (``segmentation.normalize``)."""
        return [rd.normalize(w) for w in self.words]

    @property
    def shapes(self) -> list[str]:
        """The shape of every word (``segmentation.shape``)."""
        return [rd.shape(w) for w in self.words]

    @property
    def text(self) -> str:
        """The caption text."""
        return " ".join(self.words)


def _reduce(word: str) -> str:
    return re.sub(r"[^0-9a-z]", "", word.lower())


def comma_positions(punctuated: Path, words: list[str], speakers: list[str]) -> list[int]:
    """Indices of the caption words that a comma follows in the punctuated text: the two word sequences are
    walked together, resynchronised after a mismatch on the next three words that agree (a linear-time
    stand-in for ``train_sentence_model.comma_positions``' difflib alignment, which takes seconds per episode)."""
    labels = tuple(f"{s}: " for s in set(speakers))
    tokens: list[str] = []
    for line in punctuated.read_text(encoding="utf-8").splitlines():
        for label in labels:
            if line.startswith(label):
                line = line[len(label) :]
                break
        tokens.extend(t for t in line.split() if _reduce(t))
    a = [_reduce(t) for t in tokens]
    b = [_reduce(w) for w in words]
    commas: list[int] = []
    i = j = 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            if tokens[i].rstrip(rd._CLOSERS).endswith(","):
                commas.append(j)
            i, j = i + 1, j + 1
            continue
        found = next(
            (
                (i + di, j + dj)
                for d in range(1, 12)
                for di in range(d + 1)
                for dj in (d - di,)
                if a[i + di : i + di + 3] == b[j + dj : j + dj + 3] and len(a[i + di : i + di + 3]) == 3
            ),
            None,
        )
        if found is None:
            i, j = i + 1, j + 1
        else:
            i, j = found
    return commas


def load_episode(corpus: Path, slug: str, cache: Path) -> Episode:
    """One episode of ``corpus`` (commas cached in ``cache``)."""
    text = (corpus / f"{slug}.captions.txt").read_text(encoding="utf-8").rstrip("\n")
    words = text.split(" ")
    truth = json.loads((corpus / f"{slug}.truth.json").read_text(encoding="utf-8"))
    if len(words) != truth["words"]:
        raise ValueError(f"{slug}: captions and truth disagree on the word count")
    path = cache / f"{corpus.name}-{slug}.commas.json"
    if path.is_file():
        commas = json.loads(path.read_text(encoding="utf-8"))
    else:
        commas = comma_positions(corpus / f"{slug}.punctuated.txt", words, truth.get("speakers", []))
        cache.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(commas), encoding="utf-8")
    return Episode(
        slug=slug,
        words=words,
        starts=list(truth["sentence_starts"]),
        marks=truth["sentence_end_marks"],
        turns=sorted(truth.get("turn_starts", [])),
        commas=commas,
        sentence_ok=str(truth.get("sentence_truth", "ok")).startswith("ok"),
        truth=truth,
    )


def load_episodes(corpus: Path, slugs: list[str], cache: Path) -> list[Episode]:
    """The episodes ``slugs`` of ``corpus``."""
    return [load_episode(corpus, s, cache) for s in slugs]


if __name__ == "__main__":
    SPLIT_FILE.write_text(json.dumps(make_split(), indent=1) + "\n", encoding="utf-8")
    print({k: len(v) for k, v in load_split().items()})
