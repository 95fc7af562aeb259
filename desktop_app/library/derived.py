"""A document's readable segmentation and outline, read from the app's cache or computed once and cached.

The same cache entries as the reader's (``document.py``): kind ``readable`` keyed by the text's sha256 and
``segmentation.ALGORITHM_VERSION``, kind ``outline`` keyed by ``OUTLINE_VERSION``, the granularity and the
segmentation version. The library indexer and the headless commands use these, so a document the user opened
is not segmented again by the command line, and a document the library indexed opens at once.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from desktop_app import cache

if TYPE_CHECKING:
    from pathlib import Path

    from desktop_app.outline.chapters import Section
    from desktop_app.readability.segmentation import Readable
    from desktop_app.transcript import Transcript

logger = logging.getLogger(__name__)


def readable_of(transcript: Transcript, cache_dir: Path | None) -> Readable:
    """The sentences and paragraphs of ``transcript`` (cached; ``cache_dir`` None computes without caching)."""
    from desktop_app.readability import segmentation as readability

    version = readability.ALGORITHM_VERSION
    if cache_dir is not None:
        cached = cache.load(cache_dir, "readable", transcript.sha256, version)
        if cached is not None:
            try:
                return readability.readable_from_cache(cached)
            except (KeyError, TypeError, ValueError) as error:
                logger.info("readable cache corrupt (%s); recomputing", error)
    readable = readability.segment(transcript.text)
    if cache_dir is not None:
        cache.store(
            cache_dir, "readable", transcript.sha256, version, readability.readable_to_cache(readable)
        )
    return readable


def outline_version(granularity: float) -> str:
    """The cache version of an outline at ``granularity`` (the reader's key)."""
    from desktop_app.outline import chapters as outline
    from desktop_app.readability import segmentation as readability

    return f"{outline.OUTLINE_VERSION}-g{granularity:g}-{readability.ALGORITHM_VERSION}"


def sections_of(
    transcript: Transcript, readable: Readable, cache_dir: Path | None, granularity: float = 1.0
) -> list[Section]:
    """The automatic chapters of ``transcript`` (cached like the reader's outline)."""
    from desktop_app.outline import chapters as outline

    version = outline_version(granularity)
    if cache_dir is not None:
        cached = cache.load(cache_dir, "outline", transcript.sha256, version)
        if cached is not None:
            try:
                return list(outline.sections_from_cache(cached))
            except (KeyError, TypeError, ValueError):
                logger.info("outline cache corrupt; recomputing")
    sections = outline.outline_of(transcript.text, readable, granularity)
    if cache_dir is not None:
        cache.store(cache_dir, "outline", transcript.sha256, version, outline.sections_to_cache(sections))
    return sections
