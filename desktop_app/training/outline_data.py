"""Episodes for fitting and selecting the outline models, and the fixed fitting / selection / held-out split.

Training time only (not imported by the app). The training corpus (``/work/shared/train-corpus``, 111
episodes with human chapters) is split by episode with two fixed hash rules:

- **selection** (35 episodes): ``int(sha1(slug).hexdigest(), 16) % 10 < 3`` (the former "validation"
  part): every setting is chosen here;
- **held-out** (22): of the rest, ``int(sha1("heldout/" + slug).hexdigest(), 16) % 10 < 3``: nothing is
  fitted or chosen on these; they are scored once, by ``benchmarks/outline_quality.py``;
- **fitting** (54): everything else; models are fitted here.

The held-out part was carved out of the former fitting part, whose episodes were only ever fitted on (never
used to choose a setting), and every model is refitted without them. ``outline_split.txt`` next to this
file lists the result; :func:`split3` checks that the rules and the list agree. The development corpus
(``/work/shared/dev-corpus``) is a further held-out check.

The app's sentence starts of each episode (``readability.segment``, about a second per episode) are cached
under ``$OUTLINE_TRAIN_CACHE`` (default ``~/.cache/transcript-reader-training``), its paragraphs with the
inferred speakers (``speakers.infer_speakers``, as the reader labels them) under ``$OUTLINE_TURNS_CACHE``
(default: the same folder).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

SHARED = Path(os.environ.get("TRANSCRIPT_READER_SHARED", Path(__file__).resolve().parents[3] / "shared"))
TRAIN_CORPUS = SHARED / "train-corpus"
DEV_CORPUS = SHARED / "dev-corpus"
SCORER = SHARED / "tools" / "outline_eval.py"
SPLIT_FILE = Path(__file__).with_name("outline_split.txt")
DEV_EPISODES = (
    "lex-416-yann-lecun",
    "lex-419-sam-altman",
    "lex-428-sean-carroll",
    "lex-447-cursor-team",
    "vector-yury-malkov-hnsw",
    "vector-max-irwin-mighty",
)
CACHE = Path(os.environ.get("OUTLINE_TRAIN_CACHE", Path.home() / ".cache" / "transcript-reader-training"))
# the app's paragraphs and inferred speakers of each episode (``paragraphs``; a few seconds each the first time)
TURNS_CACHE = Path(os.environ.get("OUTLINE_TURNS_CACHE", CACHE))


def is_validation(slug: str) -> bool:
    """The selection rule: 3 episodes in 10 (by a hash of the slug) are for choosing settings."""
    return int(hashlib.sha1(slug.encode("utf-8")).hexdigest(), 16) % 10 < 3


def is_heldout(slug: str) -> bool:
    """The held-out rule: of the episodes not for selection, 3 in 10 by a second hash."""
    if is_validation(slug):
        return False
    return int(hashlib.sha1(("heldout/" + slug).encode("utf-8")).hexdigest(), 16) % 10 < 3


def train_slugs() -> list[str]:
    return sorted(p.name[: -len(".truth.json")] for p in TRAIN_CORPUS.glob("*.truth.json"))


def part_of(slug: str) -> str:
    """``"fit"``, ``"validation"`` (selection) or ``"heldout"``."""
    if is_validation(slug):
        return "validation"
    return "heldout" if is_heldout(slug) else "fit"


def split3() -> tuple[list[str], list[str], list[str]]:
    """``(fitting, selection, heldout)`` slugs of the training corpus; checked against ``outline_split.txt``."""
    slugs = train_slugs()
    parts: dict[str, list[str]] = {"fit": [], "validation": [], "heldout": []}
    for s in slugs:
        parts[part_of(s)].append(s)
    if SPLIT_FILE.is_file():
        listed = {}
        for line in SPLIT_FILE.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                part, slug = line.split()
                listed[slug] = part
        if listed != {s: part_of(s) for s in slugs}:
            raise RuntimeError(f"{SPLIT_FILE} does not match the split rule (or the corpus changed)")
    return parts["fit"], parts["validation"], parts["heldout"]


def split() -> tuple[list[str], list[str]]:
    """``(fitting, selection)`` slugs: the held-out part is in neither."""
    fitting, selection, _heldout = split3()
    return fitting, selection


def write_split_file() -> None:
    slugs = train_slugs()
    lines = [
        "# outline training split: part slug (rules in outline_data.py: sha1(slug) % 10 < 3 -> validation,"
        " i.e. selection; else sha1('heldout/' + slug) % 10 < 3 -> heldout; else fit)"
    ]
    for part in ("fit", "validation", "heldout"):
        lines += [f"{part} {s}" for s in slugs if part_of(s) == part]
    SPLIT_FILE.write_text("\n".join(lines) + "\n", encoding="utf-8")


def corpus_of(slug: str) -> Path:
    return DEV_CORPUS if slug in DEV_EPISODES else TRAIN_CORPUS


def load(slug: str) -> dict:
    """Text, truth, word offsets, the app's unit starts and displayed sentence starts of one episode."""
    corpus = corpus_of(slug)
    text = (corpus / f"{slug}.captions.txt").read_text(encoding="utf-8")
    truth = json.loads((corpus / f"{slug}.truth.json").read_text(encoding="utf-8"))
    offs = [m.start() for m in re.finditer(r"\S+", text)]
    from desktop_app.readability import segmentation as readability

    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    path = CACHE / f"{slug}-{digest}-{readability.ALGORITHM_VERSION}.json"

    def segmented() -> dict:
        readable = readability.segment(text)
        return {"units": sorted(set(readable.unit_starts())), "display": list(readable.sentence_starts())}

    app = _cached_json(path, segmented)
    return {
        "slug": slug,
        "text": text,
        "truth": truth,
        "offsets": offs,
        "truth_starts": [offs[i] for i in truth["sentence_starts"] if i < len(offs)],
        "units": app["units"],
        "display": app["display"],
        "speakers": sorted({s for s in truth.get("speakers") or [] if s}),
    }


def paragraphs(ep: dict) -> list[tuple[int, int, str | None]]:
    """The app's paragraphs of an episode (``load``'s result) with their inferred speakers, as the reader labels
    them: ``(start, end, speaker)`` (cached under ``TURNS_CACHE``; a few seconds per episode the first time)."""
    from desktop_app.library.derived import SPEAKERS_VERSION
    from desktop_app.readability import segmentation as readability
    from desktop_app.speakers import infer_speakers

    text = ep["text"]
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    path = TURNS_CACHE / f"{ep['slug']}-{digest}-{readability.ALGORITHM_VERSION}-{SPEAKERS_VERSION}.json"

    def labelled() -> list:
        readable = readability.segment(text)
        turns = infer_speakers(text, readable).labelled(readable)  # split where the speaker changes
        return [[p.start, p.end, p.speaker] for p in turns.paragraphs]

    rows = _cached_json(path, labelled)
    return [(int(a), int(b), s) for a, b, s in rows]


def chapters(ep: dict) -> tuple[list[int], list[str]]:
    """Human chapter start word indices and titles (a chapter starting where the next one does is dropped:
    a few source outlines have two headings at one timestamp)."""
    starts: list[int] = []
    titles: list[str] = []
    for w, t in zip(ep["truth"]["chapter_starts"], ep["truth"]["chapter_titles"], strict=True):
        if starts and w <= starts[-1]:
            titles[-1] = t
            continue
        starts.append(w)
        titles.append(t)
    return starts, titles


if __name__ == "__main__":
    import sys

    write_split_file()
    fit_, val_, held_ = split3()
    print(
        f"{len(fit_)} fitting, {len(val_)} selection, {len(held_)} held-out episodes; caching the app's sentences"
    )
    for i, s in enumerate(list(DEV_EPISODES) + fit_ + val_ + held_):
        load(s)
        print(i, s, flush=True, file=sys.stderr)


def _cached_json(path: Path, compute: Callable[[], Any]) -> Any:
    """The JSON stored at ``path``, else ``compute()``'s result, stored there for the next run."""
    if path.is_file():
        return json.loads(path.read_text(encoding="utf-8"))
    value = compute()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value), encoding="utf-8")
    return value
