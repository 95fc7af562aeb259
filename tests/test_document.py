"""Preparing a document on a worker: the preview of a long transcript seen for the first time."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from desktop_app.display_text import LABEL_GAP, DisplayText
from desktop_app.document import PREVIEW_WORDS, Preview, prepare_document

if TYPE_CHECKING:
    from pathlib import Path


def _without_labels(display: DisplayText) -> str:
    """The display text without its speaker labels (they are not document text)."""
    text = display.text
    for start, end in reversed(display.labels):
        text = text[:start] + text[end + len(LABEL_GAP) :]
    return text


def _plain_words(text: str) -> list[str]:
    return [re.sub(r"[^\w']", "", word).lower() for word in text.split()]


def test_a_long_transcript_seen_first_sends_its_first_paragraphs_then_none_once_cached(
    seed_path: Path, seed_text: str, tmp_path: Path
) -> None:
    previews: list[Preview] = []
    document = prepare_document(str(seed_path), tmp_path / "cache", lambda _f: None, preview=previews.append)
    assert len(previews) == 1
    preview = previews[0]
    assert preview.title == document.title
    assert _plain_words(preview.display.text) == _plain_words(seed_text)[:PREVIEW_WORDS]
    assert preview.display.text.startswith("The following is a conversation with Mark Zuckerberg")
    assert (
        preview.display.text.count("\n") >= 5 and preview.display.text.count(". ") >= 20
    )  # paragraphs of sentences
    assert _without_labels(document.display)[:80] == preview.display.text[:80]  # paragraph breaks may differ
    assert document.display.labels and document.speakers  # the whole text also says who speaks

    previews.clear()
    prepare_document(str(seed_path), tmp_path / "cache", lambda _f: None, preview=previews.append)
    assert previews == []  # segmented once: the whole text comes from the cache at once


def test_a_short_transcript_gets_no_preview(seed_text: str, tmp_path: Path) -> None:
    path = tmp_path / "short.txt"
    path.write_text(" ".join(seed_text.split()[: 2 * PREVIEW_WORDS - 1]), encoding="utf-8")
    previews: list[Preview] = []
    document = prepare_document(str(path), tmp_path / "cache", lambda _f: None, preview=previews.append)
    assert previews == []
    assert len(_without_labels(document.display).split()) == 2 * PREVIEW_WORDS - 1
