"""The annotations file in memory: the format's name, version and limits, the typed error, and the dataclasses.

Owns :class:`AnnotationFile` (one file's content: document, annotations, colour meanings, outline and speaker
edits, tombstones, unknown fields), :class:`DocumentRef`, :class:`FileStamp` and :class:`AnnotationFileError`,
the one exception every read, validation or write failure becomes. Reading and writing live elsewhere
(``yaml_reader``, ``yaml_writer``, ``disk``). No YAML and no Qt here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop_app.annotations.colors import DEFAULT_COLOR_MEANINGS
from desktop_app.annotations.model import Annotation, Tombstone, utc_now

FORMAT_NAME = "transcript-reader-annotations"
FORMAT_VERSION = 1
# About 150,000 highlights; saves and loads refuse more alike. The readers and writers look it up here when
# they run (``file_model.MAX_FILE_BYTES``), so that tests and benchmarks lower it for all of them at once.
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 40
MAX_OFFSET = 2**31 - 1  # a document offset (Qt's text positions are 32-bit)


class AnnotationFileError(Exception):
    """An annotations file could not be read, validated or written. ``str()`` names the file."""

    def __init__(self, path: str | os.PathLike[str], message: str) -> None:
        super().__init__(f"{os.fspath(path)}: {message}")
        self.path = Path(path)
        self.message = message


@dataclass(frozen=True)
class FileStamp:
    """What we last read or wrote: enough to notice a change made by someone else."""

    mtime_ns: int
    size: int
    sha256: str


@dataclass
class DocumentRef:
    """The document a file belongs to: title, sha256 of its text, and the source path (a hint)."""

    title: str = ""
    sha256: str = ""
    source: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class AnnotationFile:
    """The content of one annotations file.

    ``colors`` maps colour keys to their meanings (an extension of the design's schema), ``outline`` holds
    the user's outline edits as plain mappings, ``speakers`` the user's speaker corrections as written (None:
    none; read by ``speakers.edits``, which keeps and reports what it cannot read, so it is never refused
    here), ``deleted`` the tombstones, ``extra`` unknown top-level fields. ``stamp`` is runtime only: the disk state this content was loaded from or saved as.
    """

    document: DocumentRef = field(default_factory=DocumentRef)
    annotations: list[Annotation] = field(default_factory=list)
    colors: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_COLOR_MEANINGS))
    outline: list[dict[str, Any]] = field(default_factory=list)
    deleted: list[Tombstone] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    speakers: Any = None
    version: int = FORMAT_VERSION
    stamp: FileStamp | None = field(default=None, compare=False, repr=False)

    def find(self, annotation_id: str) -> Annotation | None:
        """The annotation with this id, if any."""
        return next((a for a in self.annotations if a.id == annotation_id), None)

    def upsert(self, annotation: Annotation) -> None:
        """Add the annotation or replace the one with the same id."""
        for number, item in enumerate(self.annotations):
            if item.id == annotation.id:
                self.annotations[number] = annotation
                return
        self.annotations.append(annotation)

    def remove(self, annotation_id: str, now: str | None = None) -> Annotation | None:
        """Delete by id and leave a tombstone; returns the removed annotation (None if absent)."""
        found = self.find(annotation_id)
        if found is None:
            return None
        self.annotations = [a for a in self.annotations if a.id != annotation_id]
        self.deleted = [t for t in self.deleted if t.id != annotation_id]
        self.deleted.append(Tombstone(annotation_id, now or utc_now()))
        return found

    def restore(self, annotation: Annotation) -> None:
        """Undo a delete: put the annotation back and drop its tombstone."""
        self.deleted = [t for t in self.deleted if t.id != annotation.id]
        self.upsert(annotation)


def position_key(item: Annotation) -> tuple[int, int, str]:
    """The order of annotations in the file (and after a merge): by position, then id."""
    return (item.target.start, item.target.end, item.id)


def too_big_to_load(size: int) -> str:
    """The refusal of a file (or text) of ``size`` bytes, over :data:`MAX_FILE_BYTES`."""
    return f"the file is {size / 1e6:.1f} MB; annotation files are limited to {MAX_FILE_BYTES // 2**20} MB"


def too_big_to_save(size: int) -> str:
    """The refusal of a save that would write ``size`` bytes."""
    return (
        f"not saved: the annotations would take {size / 1e6:.1f} MB, over the {MAX_FILE_BYTES // 2**20} MB "
        "limit of annotation files (which could then not be opened); remove long notes or some highlights"
    )
