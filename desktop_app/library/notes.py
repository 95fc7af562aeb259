"""A library document's highlights and notes, read from its annotations file (never written here).

The file is found as the reader finds it (``annotations.store.find_annotation_file``: by the text's sha256,
else by the source path). What the library needs: how many highlights and notes there are (the list shows
them), the searchable text of each (the note, its tags and the highlighted quote) and the user's speaker
corrections (library hits name speakers as the reader does).
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from desktop_app.annotations import store as annotation_store
from desktop_app.speakers.edits import SpeakerEdits, corrected_speaker, edits_from_record

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from desktop_app.library.results import LibraryResult

logger = logging.getLogger(__name__)

NoteRecord = tuple[str, str, int, int]
"""(annotation id, searchable text, target start, target end)."""


@dataclass(frozen=True)
class AnnotationSummary:
    """How many highlights and notes a document has, and their searchable records."""

    highlights: int = 0
    notes: int = 0
    records: tuple[NoteRecord, ...] = ()
    speakers: SpeakerEdits = field(default_factory=SpeakerEdits)


def read_summary(
    annotations_dir: Path, sha256: str, path: str, title: str | None = None
) -> AnnotationSummary:
    """The summary of one document's annotations (empty when it has none or its file cannot be read)."""
    try:
        found, _moved = annotation_store.find_annotation_file(annotations_dir, sha256, path, title)
        if not found.exists():
            return AnnotationSummary()
        content = annotation_store.load(found)
    except (OSError, annotation_store.AnnotationFileError) as error:
        logger.info("library: annotations of %s not read: %s", path, error)
        return AnnotationSummary()
    records = []
    notes = 0
    for item in content.annotations:
        notes += bool(item.note.strip())
        text = " ".join(part for part in (item.note.strip(), " ".join(item.tags), item.target.exact) if part)
        records.append((item.id, text, item.target.start, item.target.end))
    speakers = edits_from_record(content.speakers).edits
    return AnnotationSummary(len(content.annotations), notes, tuple(records), speakers)


def with_speaker_corrections(result: LibraryResult, edits: Mapping[str, SpeakerEdits]) -> LibraryResult:
    """``result`` with each paragraph hit's speaker as the user corrected it (``edits`` by document sha256)."""
    if not any(hit.document in edits for hit in result.hits):
        return result
    hits = tuple(
        dataclasses.replace(
            hit, speaker=corrected_speaker(edits[hit.document], hit.speaker, *hit.paragraph, hit.start)
        )
        if hit.document in edits and hit.note_id is None
        else hit
        for hit in result.hits
    )
    return dataclasses.replace(result, hits=hits)


def annotation_files_of(
    annotations_dir: Path, sha256: str, path: str, title: str | None = None
) -> list[Path]:
    """A document's own annotations file and its backup, when they exist: only a file made for exactly this
    text (found by its sha256), never one the reader would merely re-anchor from another version."""
    found, moved = annotation_store.find_annotation_file(annotations_dir, sha256, path, title)
    if moved or not found.exists():
        return []
    backup = annotation_store.backup_path(found)
    return [found, backup] if backup.exists() else [found]
