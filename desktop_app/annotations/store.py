"""The annotations file (design.md §6): the public face of the YAML store, and :class:`AnnotationStore`.

Callers import from here; the work is done in focused modules (imports point down this list):

- ``file_model``: the format's name, version and size limit, :class:`AnnotationFileError` (every read,
  validation or write failure), and the in-memory :class:`AnnotationFile` / :class:`DocumentRef` /
  :class:`FileStamp`.
- ``yaml_scalars``: the parser choice (LibYAML when present), plain-scalar resolution, quoting decisions,
  how messages show a value.
- ``schema``: validation of the constructed data, version handling, messages naming entry and field.
- ``yaml_reader``: :func:`parse`, a defensive one-pass YAML builder (no aliases, anchors, repeated keys,
  several documents or deep nesting), the ``fastyaml`` fast path and the PyYAML fallback.
- ``yaml_writer``: :func:`dump` / :func:`to_data`, stable bytes, and the size estimates
  (:func:`value_bytes`, :func:`entry_bytes`).
- ``disk``: :func:`load` (bounded read), atomic :func:`save` with a ``.bak`` (:func:`backup_path`),
  :func:`changed_on_disk`.
- ``merge``: :func:`merge` by id (three-way, per field, with tombstones) and :func:`prune_tombstones`.
- ``lookup``: file names (:func:`annotations_path`, :func:`slugify`), :func:`find_annotation_file`,
  :func:`read_document_header`.
- this module: :class:`AnnotationStore`, one document's file: load, and save with a merge when someone
  else changed it, under an advisory lock.

The size limit is ``file_model.MAX_FILE_BYTES`` (re-exported here for reading; lower it there). No Qt here.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app.annotations.disk import (
    STALE_TEMP_SECONDS,
    backup_path,
    changed_on_disk,
    check_writable,
    load,
    real_path,
    save,
)
from desktop_app.annotations.file_model import (
    FORMAT_NAME,
    FORMAT_VERSION,
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_OFFSET,
    AnnotationFile,
    AnnotationFileError,
    DocumentRef,
    FileStamp,
    too_big_to_save,
)
from desktop_app.annotations.lookup import (
    annotations_path,
    find_annotation_file,
    read_document_header,
    slugify,
)
from desktop_app.annotations.merge import TOMBSTONE_DAYS, merge, prune_tombstones
from desktop_app.annotations.yaml_reader import parse
from desktop_app.annotations.yaml_writer import dump, entry_bytes, to_data, value_bytes

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_OFFSET",
    "STALE_TEMP_SECONDS",
    "TOMBSTONE_DAYS",
    "AnnotationFile",
    "AnnotationFileError",
    "AnnotationStore",
    "DocumentRef",
    "FileStamp",
    "annotations_path",
    "backup_path",
    "changed_on_disk",
    "check_writable",
    "dump",
    "entry_bytes",
    "find_annotation_file",
    "load",
    "merge",
    "parse",
    "prune_tombstones",
    "read_document_header",
    "real_path",
    "save",
    "slugify",
    "to_data",
    "too_big_to_save",
    "value_bytes",
]

logger = logging.getLogger(__name__)


_NO_BASE = object()


class AnnotationStore:
    """One document's annotations file: load, and save with a merge when someone else changed it.

    A file that failed to load is never overwritten by :meth:`save` (it raises instead); if the file
    changed on disk since we read it, :meth:`save` merges (three-way, with what we last read as the base)
    and writes the result, which it returns: the caller adopts it.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.error: AnnotationFileError | None = None
        self._base: AnnotationFile | None = None

    @property
    def stamp(self) -> FileStamp | None:
        """Size and time of the file as last read or written (None before)."""
        return self._base.stamp if self._base is not None else None

    def load(self, document: DocumentRef | None = None) -> AnnotationFile:
        """The file's content, or a new empty one for ``document`` when there is no file yet."""
        if not self.path.exists():
            self.error = None
            self._base = None
            return AnnotationFile(document=document or DocumentRef())
        try:
            content = load(self.path)
        except AnnotationFileError as exc:
            self.error = exc
            raise
        self.error = None
        self._base = _snapshot(content)
        return content

    def changed_on_disk(self) -> bool:
        """True if someone else changed (or removed) the file since we last read or wrote it."""
        return changed_on_disk(self.path, self.stamp)

    def save(
        self, content: AnnotationFile, base: AnnotationFile | None | object = _NO_BASE
    ) -> AnnotationFile:
        """Write ``content`` (merged with an external change if there was one); returns what was written.

        ``base`` is the version of the file ``content`` was derived from (its ``stamp`` says which file
        state that was; None or a stamp-less base: no file yet). The file is merged in, three-way with that
        base, whenever it differs from it, so that whatever was written in between (by someone else, or by
        an earlier save whose result the caller has not adopted yet) is kept. Without ``base``: the last
        version this store read or wrote.
        """
        if self.error is not None:
            raise AnnotationFileError(
                self.path,
                f"not saved, because the file could not be read ({self.error.message}); it is kept as is",
            )
        derived_from = self._base if base is _NO_BASE else base
        assert derived_from is None or isinstance(derived_from, AnnotationFile)
        with _exclusive(real_path(self.path)):  # another app instance saving the same file waits for us
            stamp = derived_from.stamp if derived_from is not None else None
            if changed_on_disk(self.path, stamp) and self.path.exists():
                theirs = load(self.path)  # a broken file raises here and is not overwritten
                logger.info("%s changed on disk; merging", self.path)
                content = merge(content, theirs, derived_from)
            content = prune_tombstones(content)
            save(self.path, content)
        self._base = _snapshot(content)
        return content


@contextlib.contextmanager
def _exclusive(path: Path) -> Iterator[None]:
    """An advisory lock (POSIX ``flock`` on a hidden ``.<name>.lock`` next to the file); a no-op elsewhere
    or when the lock file cannot be made."""
    try:
        import fcntl
    except ImportError:  # Windows
        yield
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path.with_name(f".{path.name}.lock"), os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _snapshot(content: AnnotationFile) -> AnnotationFile:
    """A copy that later in-place edits of ``content`` (colours, outline) cannot change."""
    return dataclasses.replace(
        content,
        annotations=list(content.annotations),
        colors=dict(content.colors),
        outline=copy.deepcopy(content.outline),
        deleted=list(content.deleted),
        extra=copy.deepcopy(content.extra),
        speakers=copy.deepcopy(content.speakers),
    )
