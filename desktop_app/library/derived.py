"""A document's readable segmentation and outline, read from the app's cache or computed once and cached.

The same cache entries as the reader's (``document.py``): kind ``readable`` keyed by the text's sha256 and
``segmentation.ALGORITHM_VERSION``, kind ``outline`` keyed by ``OUTLINE_VERSION``, the granularity and the
segmentation version. The library indexer and the headless commands use these, so a document the user opened
is not segmented again by the command line, and a document the library indexed opens at once.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app import cache

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from desktop_app.outline.section import Section
    from desktop_app.readability.segmentation import Readable
    from desktop_app.transcript import Transcript

logger = logging.getLogger(__name__)


def readable_of(transcript: Transcript, cache_dir: Path | None, speakers: bool = False) -> Readable:
    """The sentences and paragraphs of ``transcript`` (cached; ``cache_dir`` None computes without caching);
    ``speakers``: with host / guest labels inferred when the file names no speakers, as the reader shows."""
    readable = _segmentation_of(transcript, cache_dir)
    return with_inferred_speakers(transcript, readable, cache_dir) if speakers else readable


def _segmentation_of(transcript: Transcript, cache_dir: Path | None) -> Readable:
    from desktop_app.readability import segmentation as readability

    version = readability.ALGORITHM_VERSION
    text, turns = transcript.text, transcript.turns
    if cache_dir is not None:
        cached = cache.load(cache_dir, "readable", transcript.sha256, version, text)
        if cached is not None:
            try:
                return readability.readable_from_cache(cached, turns)
            except (KeyError, TypeError, ValueError) as error:
                logger.info("readable cache corrupt (%s); recomputing", error)
    readable = readability.segment(text, turns=turns)
    if cache_dir is not None:
        cache.store(
            cache_dir, "readable", transcript.sha256, version, readability.readable_to_cache(readable), text
        )
    return readable


REFINED_SUFFIX = "-refined"
"""Ends the cache version of a refined outline (``outline_version``)."""

SPEAKERS_VERSION = "speakers-9"
"""Cache version of inferred speaker labels (with the segmentation's version: labels are per paragraph)."""


def derived_version(refined: bool = False) -> str:
    """What the library index keeps of an episode besides its text — paragraphs, speakers, chapter titles —
    as made by this version of the app (``refined``: from the refined outline): an index record of another is
    indexed again."""
    return f"{outline_version(1.0, refined)}|{SPEAKERS_VERSION}"


def refined_cached(cache_dir: Path | None, sha256: str) -> bool:
    """Whether the reader has refined this text's outline (its chapters are then the ones to index)."""
    if cache_dir is None:
        return False
    return cache.cache_file(cache_dir, "outline", sha256, outline_version(1.0, refined=True)).is_file()


def forget_refined_outlines(cache_dir: Path | None) -> int:
    """Remove every cached refined outline, so that search, export and the library name the first outline's
    chapters again, as the reader does once refining is turned off; how many were removed."""
    if cache_dir is None:
        return 0
    removed = 0
    for path in (cache_dir / "outline").glob(f"*{REFINED_SUFFIX}.json"):
        try:
            path.unlink()
        except OSError as error:
            logger.info("refined outline %s not removed (%s)", path, error)
            continue
        removed += 1
    return removed


def with_inferred_speakers(transcript: Transcript, readable: Readable, cache_dir: Path | None) -> Readable:
    """Label each paragraph with its speaker, inferred (host / guest), when the file names none (cached); a
    paragraph where the inferred speaker changes is split there (``SpeakerLabels.breaks``)."""
    if transcript.turns or not readable.paragraphs or readable.already_punctuated:
        return readable
    from desktop_app.readability import segmentation as readability

    version = f"{SPEAKERS_VERSION}-{readability.ALGORITHM_VERSION}"
    cached = (
        cache.load(cache_dir, "speakers", transcript.sha256, version, transcript.text) if cache_dir else None
    )
    if isinstance(cached, dict):
        labels, breaks = cached.get("labels"), cached.get("breaks")
        if (
            isinstance(labels, list)
            and isinstance(breaks, list)
            and all(label is None or isinstance(label, str) for label in labels)
            and all(isinstance(b, int) for b in breaks)
        ):
            try:
                return readable.with_speakers(labels, breaks)
            except ValueError as error:
                logger.info("speaker cache does not fit (%s); recomputing", error)
    from desktop_app.speakers import infer_speakers

    inferred = infer_speakers(transcript.text, readable)
    if cache_dir is not None:
        data = {"labels": list(inferred.labels), "breaks": list(inferred.breaks)}
        cache.store(cache_dir, "speakers", transcript.sha256, version, data, transcript.text)
    return inferred.labelled(readable)


def outline_version(granularity: float, refined: bool = False) -> str:
    """The cache version of an outline at ``granularity`` (the reader's key); ``refined``: the outline whose
    boundaries read contextual unit embeddings (``build_outline(contextual=True)``)."""
    from desktop_app.readability import segmentation as readability

    version = f"{_outline_algorithm_version()}-g{granularity:g}-{readability.ALGORITHM_VERSION}"
    return f"{version}{REFINED_SUFFIX}" if refined else version


@functools.lru_cache(maxsize=1)
def _outline_algorithm_version() -> str:
    """``outline.chapters.OUTLINE_VERSION`` read from its source: importing the module loads numpy (0.1-1 s),
    which a headless search that finds its outline in the cache does not need."""
    spec = importlib.util.find_spec("desktop_app.outline.chapters")
    try:
        assert spec is not None and spec.origin is not None
        tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "OUTLINE_VERSION" for t in node.targets
            ):
                return str(ast.literal_eval(node.value))
    except (AssertionError, OSError, SyntaxError, ValueError):
        pass
    from desktop_app.outline import chapters as outline  # frozen app (no source) or an unexpected form

    return str(outline.OUTLINE_VERSION)


@dataclass(frozen=True)
class ChapterSpan:
    """A chapter as the cache holds it (title and ``[start, end)``), without the outline module."""

    title: str
    start: int
    end: int


def cached_chapters(
    transcript: Transcript, cache_dir: Path, granularity: float = 1.0
) -> list[ChapterSpan] | None:
    """The cached automatic chapters, the refined ones when there are (as the reader shows them), or None when
    neither is cached (no numpy import either way)."""
    for refined in (True, False):
        cached = cache.load(cache_dir, "outline", transcript.sha256, outline_version(granularity, refined))
        if not isinstance(cached, list):
            continue
        try:
            return [ChapterSpan(str(r["title"]), int(r["start"]), int(r["end"])) for r in cached]
        except (KeyError, TypeError, ValueError):
            continue
    return None


def sections_of(
    transcript: Transcript,
    readable: Readable,
    cache_dir: Path | None,
    granularity: float = 1.0,
    refine: bool | None = None,
) -> list[Section]:
    """The automatic chapters of ``transcript`` (cached like the reader's outline; ``refine`` as in
    ``outline_stage``)."""
    args = (transcript.text, transcript.sha256, readable, granularity, transcript.speakers)
    return outline_stage(*args, refine, cache_dir)[0]


def outline_stage(
    text: str,
    sha256: str,
    readable: Readable,
    granularity: float,
    names: Sequence[str],
    refine: bool | None,
    cache_dir: Path | None,
    report: Callable[[float], None] | None = None,
) -> tuple[list[Section], bool]:
    """The automatic chapters of a text and whether they are the refined ones, from the cache or computed and
    cached: ``refine`` True, the refined ones (seconds: the contextual encoder; the first outline when the
    encoder cannot be loaded); False, the first outline (under a second); None, the refined ones when they are
    cached, else the first outline. ``names``: the speakers, never titles."""
    from desktop_app.outline import chapters as outline

    if refine and not can_refine():  # no usable encoder: the first outline, from its own cache entry
        refine = False
    if cache_dir is not None:
        for refined in {None: (True, False), True: (True,), False: (False,)}[refine]:
            cached = cached_sections(cache_dir, sha256, text, granularity, refined)
            if cached is not None:
                return cached, refined
    refined = bool(refine) and can_refine()
    sections = outline.outline_of(
        text, readable, granularity, report, exclude_names=names, contextual=refined
    )
    if cache_dir is not None:
        version = outline_version(granularity, refined)
        cache.store(cache_dir, "outline", sha256, version, outline.sections_to_cache(sections), text)
    return sections, refined


def can_refine() -> bool:
    """Whether the contextual encoder the refined outline needs is bundled and loads (it is loaded once)."""
    from desktop_app.outline import minilm

    return minilm.get_encoder() is not None


def cached_sections(
    cache_dir: Path, sha256: str, text: str, granularity: float, refined: bool
) -> list[Section] | None:
    """The cached outline of a text (the refined one with ``refined``), or None."""
    from desktop_app.outline import chapters as outline

    cached = cache.load(cache_dir, "outline", sha256, outline_version(granularity, refined), text)
    if cached is None:
        return None
    try:
        return list(outline.sections_from_cache(cached))
    except (KeyError, TypeError, ValueError):
        logger.info("outline cache corrupt; recomputing")
        return None
