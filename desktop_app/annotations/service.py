"""The open document's annotations: undoable edits, autosave, external changes, the user's outline.

The GUI thread owns the content; saves run on the serial task lane with a snapshot. Every change goes
through the undo stack. A file that failed to load is never written: the user is told and can keep reading.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal, Slot
from PySide6.QtGui import QUndoCommand, QUndoStack

from desktop_app.annotations.colors import DEFAULT_COLOR_MEANINGS

# The model and the YAML store (and PyYAML) load with the first document, after the first paint.
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from desktop_app.annotations.model import Annotation
    from desktop_app.annotations.store import AnnotationFile, AnnotationStore
    from desktop_app.tasks import TaskRunner


def _store_module() -> Any:
    from desktop_app.annotations import store as annotation_store

    return annotation_store


def _anchored(text: str, annotations: list[Annotation]) -> list[Annotation]:
    """``annotations`` anchored to ``text`` (see ``model.anchor_annotations``)."""
    from desktop_app.annotations.model import anchor_annotations

    return anchor_annotations(text, annotations)


logger = logging.getLogger(__name__)

AUTOSAVE_MS = 700
RETRY_MS = 5000  # a failed save is retried this long after


class AnnotationError(RuntimeError):
    """An edit or save the service refuses; ``message`` is for the user (also ``str()``)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclasses.dataclass
class _Pending:
    """Unsaved changes of a document the service has switched away from, kept until a save succeeds."""

    store: AnnotationStore
    content: AnnotationFile
    base: AnnotationFile | None
    error: str | None = None


class _Change(QUndoCommand):
    """One undoable change: a function that applies a state and the two states."""

    def __init__(self, text: str, apply: Callable[[Any], None], before: Any, after: Any) -> None:
        super().__init__(text)
        self._apply, self._before, self._after = apply, before, after

    def redo(self) -> None:
        self._apply(self._after)

    def undo(self) -> None:
        self._apply(self._before)


def _entry_bytes(annotation: Annotation | None) -> int:
    """About what an annotation takes in the file (0 for none)."""
    return 0 if annotation is None else int(_store_module().entry_bytes(annotation))


def _value_bytes(value: Any) -> int:
    return int(_store_module().value_bytes(value))


def _snapshot(content: AnnotationFile) -> AnnotationFile:
    """A copy that later edits of ``content`` (in place for colours and the outline) cannot change."""
    return dataclasses.replace(
        content,
        annotations=list(content.annotations),
        colors=dict(content.colors),
        outline=copy.deepcopy(content.outline),
        deleted=list(content.deleted),
        extra=copy.deepcopy(content.extra),
        speakers=copy.deepcopy(content.speakers),
    )


class AnnotationService(QObject):
    """Annotations of the current document.

    Signals:
        loaded(): a document's annotations were loaded (or a new empty file prepared).
        changed(): the list of annotations changed (edit, undo, merge).
        outline_changed(object): the user's outline records (``list[dict]``, empty for automatic).
        speakers_changed(object): the user's speaker corrections as stored (the ``speakers:`` value, None
            for none; ``speakers.edits`` reads it).
        colors_changed(): the colour meanings changed.
        load_failed(str): the file could not be read; message for the user (nothing will be written).
        save_failed(str): a save failed (full disk, read-only file…); the data is still in memory, marked
            unsaved, and the save will be retried.
        saved(str): the file was written (path).

    The unsaved state survives until a save succeeds, including across a switch to another document
    (:attr:`has_unsaved_changes`, :meth:`unsaved_documents`); at quit, :meth:`flush` says whether
    everything is on disk, and :meth:`save_copy` / :meth:`save_unsaved_to` write it elsewhere.
    """

    loaded = Signal()
    changed = Signal()
    outline_changed = Signal(object)
    speakers_changed = Signal(object)
    colors_changed = Signal()
    load_failed = Signal(str)
    save_failed = Signal(str)
    saved = Signal(str)

    def __init__(self, tasks: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self.undo_stack = QUndoStack(self)
        self.content: AnnotationFile | None = None
        self.path: Path | None = None
        self._store: AnnotationStore | None = None
        self._text = ""
        self._generation = 0
        self._revision = 0
        self._saved_revision = 0
        self._saving = False
        self._base: AnnotationFile | None = None  # the file version the content derives from (merge base)
        # A background save's result, put here by the worker as soon as the file is written (a tuple of
        # generation, revision, snapshot, written): flush() adopts it even before its callback is delivered.
        self._completed: tuple[int, int, AnnotationFile, AnnotationFile] | None = None
        self._save_seq = 0  # the latest background save submitted
        self._size = 0  # what the file would take now (bytes, estimated from the last save)
        self._pending: dict[str, _Pending] = {}  # by annotations path: documents switched away from, unsaved
        self.last_save_error: str | None = None
        self.ready = False
        self.error: str | None = None
        self._autosave = QTimer(self, singleShot=True, interval=AUTOSAVE_MS)
        self._autosave.timeout.connect(self.save_soon)
        self._watcher = QFileSystemWatcher(self)
        self._watcher.fileChanged.connect(self._on_file_changed)

    # -- attaching a document -----------------------------------------------------------------
    def attach(self, text: str, title: str, sha256: str, source: str, annotations_dir: Path) -> None:
        """Load the annotations of a newly opened document in the background."""
        self._save_before_switch()
        self._generation += 1
        generation = self._generation
        self.ready, self.error, self._text = False, None, text
        self.undo_stack.clear()
        self.content = None  # until the worker has read the file (the YAML store is imported there, not here)
        if self._watcher.files():
            self._watcher.removePaths(self._watcher.files())

        def job(
            _progress: Callable[[float], None],
        ) -> tuple[Path, AnnotationStore, AnnotationFile | None, str | None]:
            store = _store_module()
            annotations_dir.mkdir(parents=True, exist_ok=True)
            path, _reanchor = store.find_annotation_file(annotations_dir, sha256, source, title)
            file_store = store.AnnotationStore(path)
            try:
                content = file_store.load(store.DocumentRef(title=title, sha256=sha256, source=source))
            except store.AnnotationFileError as error:
                return path, file_store, None, error.message
            content.annotations = _anchored(text, content.annotations)
            content.document = store.DocumentRef(
                title=title, sha256=sha256, source=source, extra=content.document.extra
            )
            return path, file_store, content, None

        self._tasks.submit(
            "annotations-load",
            job,
            serial=True,
            on_done=lambda result: self._on_loaded(generation, *result),
            on_error=lambda message, _e: self._on_load_error(generation, None, message),
            owner=self,
        )

    def _on_loaded(
        self,
        generation: int,
        path: Path,
        file_store: AnnotationStore,
        content: AnnotationFile | None,
        error: str | None,
    ) -> None:
        if generation != self._generation:
            return
        self.path, self._store = path, file_store
        if content is None:
            self._on_load_error(generation, path, error or "unreadable")
            return
        self.content = content
        self._base = _snapshot(content)
        self._revision = self._saved_revision = 0
        self._size = (
            content.stamp.size if content.stamp is not None else len(_store_module().dump(content).encode())
        )
        pending = self._pending.pop(str(path), None)
        if (
            pending is not None
        ):  # this document's unsaved changes from before a switch: they come back, unsaved
            self._store, self._base = pending.store, pending.base
            pending.content.annotations = _anchored(self._text, pending.content.annotations)
            pending.content.document = content.document
            self.content = pending.content
            self._revision = 1
            self._autosave.start()
        self.ready = True
        if path.exists():
            self._watcher.addPath(str(path))
        self.loaded.emit()
        self.changed.emit()
        self.colors_changed.emit()
        self.outline_changed.emit(list(content.outline))
        self.speakers_changed.emit(copy.deepcopy(self.content.speakers))

    def _on_load_error(self, generation: int, path: Path | None, message: str) -> None:
        if generation != self._generation:
            return
        self.ready = False
        where = f"{path}" if path else "the annotations file"
        self.error = (
            f"Your highlights and notes could not be loaded from {where}: {message}\n\n"
            "The file has been left exactly as it is, and nothing will be saved over it. "
            "You can keep reading; fix or move the file and reopen the transcript."
        )
        self.load_failed.emit(self.error)

    # -- queries ------------------------------------------------------------------------------
    @property
    def annotations(self) -> list[Annotation]:
        """The open document's highlights (a copy of the list)."""
        return list(self.content.annotations) if self.content is not None else []

    def find(self, annotation_id: str) -> Annotation | None:
        """The highlight with this id, if any."""
        return self.content.find(annotation_id) if self.content is not None else None

    def at(self, offset: int) -> Annotation | None:
        """The innermost (shortest) annotation covering a document offset."""
        covering = [a for a in self.annotations if not a.is_orphan and a.start <= offset < a.end]
        return min(covering, key=lambda a: a.end - a.start) if covering else None

    @property
    def colors(self) -> dict[str, str]:
        """What each highlight colour means (the defaults until a file is loaded)."""
        return dict(self.content.colors) if self.content is not None else dict(DEFAULT_COLOR_MEANINGS)

    @property
    def outline_records(self) -> list[dict[str, Any]]:
        """The user's outline (empty: the automatic one is shown)."""
        return list(self.content.outline) if self.content is not None else []

    @property
    def speaker_record(self) -> Any:
        """The user's speaker corrections as stored (None: none, or nothing loaded)."""
        return copy.deepcopy(self.content.speakers) if self.content is not None else None

    # -- edits (all undoable) -----------------------------------------------------------------
    def _require_ready(self) -> AnnotationFile:
        """The loaded content; :class:`AnnotationError` while it is loading or failed to load."""
        if not self.ready or self.content is None:
            raise AnnotationError(self.error or "Annotations are still loading.")
        return self.content

    def _loaded(self) -> AnnotationFile:
        """The content, for undo/redo and saves, which only exist once a document's file is loaded."""
        if self.content is None:
            raise AnnotationError("Annotations are not loaded.")
        return self.content

    def _check_size(self, grows_by: int, what: str) -> None:
        """Refuse a change that would take the file past the size limit that loading enforces."""
        from desktop_app.annotations.file_model import MAX_FILE_BYTES

        limit = MAX_FILE_BYTES
        if grows_by > 0 and self._size + grows_by > limit:
            raise AnnotationError(
                f"{what} was not made: the annotations file would grow past its {limit // 2**20} MB limit "
                f"(it holds about {self._size / 1e6:.1f} MB), and could then not be opened. "
                "Shorten long notes or remove some highlights first."
            )

    def add(self, start: int, end: int, color: str, note: str = "", tags: Iterable[str] = ()) -> Annotation:
        """Highlight ``[start, end)`` of the document text."""
        self._require_ready()
        from desktop_app.annotations import model

        annotation = model.Annotation.create(self._text, start, end, color=color, note=note, tags=tags)
        self._check_size(_entry_bytes(annotation), "The highlight")
        self._push("Highlight", annotation.id, None, annotation)
        return annotation

    def update(self, annotation_id: str, **changes: Any) -> Annotation | None:
        """Change ``color``, ``note`` or ``tags`` of an annotation."""
        before = self._require_ready().find(annotation_id)
        if before is None:
            return None
        after = before.edited(**changes)
        if (after.color, after.note, after.tags) == (before.color, before.note, before.tags):
            return before
        label = "Edit note" if "note" in changes else "Edit tags" if "tags" in changes else "Change colour"
        self._check_size(_entry_bytes(after) - _entry_bytes(before), f"The change ({label.lower()})")
        self._push(label, annotation_id, before, after)
        return after

    def remove(self, annotation_id: str) -> None:
        """Delete an annotation (a tombstone remembers it, so a merge does not bring it back)."""
        before = self._require_ready().find(annotation_id)
        if before is not None:
            self._push("Delete highlight", annotation_id, before, None)

    def _push(
        self, label: str, annotation_id: str, before: Annotation | None, after: Annotation | None
    ) -> None:
        def apply(state: Annotation | None) -> None:
            content = self._loaded()
            old = content.find(annotation_id)
            if state is None:
                content.remove(annotation_id)
            else:
                content.restore(state)
            self._size += _entry_bytes(state) - _entry_bytes(old)
            self._touch()
            self.changed.emit()

        self.undo_stack.push(_Change(label, apply, before, after))

    def set_color_meaning(self, key: str, meaning: str) -> None:
        """Rename what a colour means (undoable; only this colour's meaning changes, also on undo)."""
        colors = self._require_ready().colors
        before = colors.get(key)
        after = " ".join(meaning.split())[:200] or colors.get(key, key)

        def apply(state: str | None) -> None:
            content = self._loaded()
            content.colors = dict(content.colors)
            if state is None:
                content.colors.pop(key, None)
            else:
                content.colors[key] = state
            self._touch()
            self.colors_changed.emit()

        self.undo_stack.push(_Change("Rename colour", apply, before, after))

    def set_outline(self, records: list[dict[str, Any]], label: str) -> None:
        """Replace the user's outline (empty list: back to automatic); undoable."""
        before, after = copy.deepcopy(self._require_ready().outline), copy.deepcopy(records)
        self._check_size(_value_bytes(after) - _value_bytes(before), "The outline change")

        def apply(state: list[dict[str, Any]]) -> None:
            self._loaded().outline = copy.deepcopy(state)
            self._touch()
            self.outline_changed.emit(copy.deepcopy(state))

        self.undo_stack.push(_Change(label, apply, before, after))

    def set_speakers(self, record: Any, label: str) -> None:
        """Replace the user's speaker corrections (None: none); undoable."""
        before, after = copy.deepcopy(self._require_ready().speakers), copy.deepcopy(record)
        self._check_size(_value_bytes(after) - _value_bytes(before), "The speaker change")

        def apply(state: Any) -> None:
            self._loaded().speakers = copy.deepcopy(state)
            self._touch()
            self.speakers_changed.emit(copy.deepcopy(state))

        self.undo_stack.push(_Change(label, apply, before, after))

    # -- saving -------------------------------------------------------------------------------
    def _touch(self) -> None:
        self._revision += 1
        self._autosave.start()

    @property
    def dirty(self) -> bool:
        """Whether the open document has changes that are not on disk yet."""
        return self._revision != self._saved_revision

    @property
    def has_unsaved_changes(self) -> bool:
        """Anything not on disk: this document's changes, or another one's whose save has not succeeded yet."""
        return self.dirty or bool(self._pending)

    def unsaved_documents(self) -> list[Path]:
        """The annotation files with changes not written yet (this document's first), for the quit dialog."""
        paths = [self.path] if self.dirty and self.path is not None else []
        return paths + [Path(p) for p in self._pending if self.path is None or Path(p) != self.path]

    @Slot()
    def save_soon(self) -> None:
        """Save in the background (the serial lane) if there is anything new."""
        self._retry_pending()
        if not self.dirty or self._store is None or not self.ready:
            return
        if self._saving:
            self._autosave.start()
            return
        self._saving = True
        revision, snapshot, file_store, base = (
            self._revision,
            _snapshot(self._loaded()),
            self._store,
            self._base,
        )
        generation = self._generation
        self._save_seq += 1
        seq = self._save_seq

        def job(_progress: object) -> None:
            written = file_store.save(snapshot, base)
            self._completed = (generation, revision, snapshot, written)  # one reference assignment: atomic

        self._tasks.submit(
            "annotations-save",
            job,
            serial=True,
            on_done=lambda _none: self._take_completed(seq),
            on_error=lambda message, _e: self._on_save_error(generation, message, seq),
            owner=self,
        )

    def _take_completed(self, seq: int | None = None) -> None:
        """Adopt the result of the background save that finished (if flush() has not done so already)."""
        if seq is None or seq == self._save_seq:
            self._saving = False
        completed, self._completed = self._completed, None
        if completed is not None:
            self._on_saved(*completed)

    def _on_saved(
        self, generation: int, revision: int, snapshot: AnnotationFile, written: AnnotationFile
    ) -> None:
        if generation != self._generation:  # another document is open now
            return
        self._saved_revision = max(self._saved_revision, revision)
        self.last_save_error = None
        if written.stamp is not None:
            self._size = written.stamp.size
        if written is not snapshot:
            self._adopt(written, snapshot)
        else:
            self._base = _snapshot(written)
        if self.path is not None and str(self.path) not in self._watcher.files() and self.path.exists():
            self._watcher.addPath(str(self.path))
        self.saved.emit(str(self.path))
        if self.dirty:
            self._autosave.start()
        elif self._store is not None and self._store.changed_on_disk():  # written again while we saved
            self._on_file_changed(str(self.path))

    def _adopt(self, written: AnnotationFile, snapshot: AnnotationFile) -> None:
        """The save merged someone else's changes in: take them, keeping every edit made since the snapshot
        (a three-way merge with the snapshot as the base), so that the next save cannot drop them."""
        self._base = _snapshot(written)
        current = self._loaded()
        if self._revision == self._saved_revision:
            merged = written
        else:
            merged = _store_module().merge(current, written, snapshot)
            merged.stamp = written.stamp
        merged.document = current.document
        changed = merged.annotations != current.annotations
        if changed:
            merged.annotations = _anchored(self._text, merged.annotations)
        colors_changed, outline_changed = merged.colors != current.colors, merged.outline != current.outline
        speakers_changed = merged.speakers != current.speakers
        self.content = merged
        if changed:
            self.changed.emit()
        if colors_changed:
            self.colors_changed.emit()
        if outline_changed:
            self.outline_changed.emit(copy.deepcopy(merged.outline))
        if speakers_changed:
            self.speakers_changed.emit(copy.deepcopy(merged.speakers))

    def _on_save_error(self, generation: int, message: str, seq: int) -> None:
        if seq == self._save_seq:
            self._saving = False
        if generation == self._generation:
            self.last_save_error = message
            self.save_failed.emit(
                f"Your annotations could not be saved: {message}\n"
                "They are kept in memory; saving will be retried."
            )
            self._autosave.start(RETRY_MS)

    def _save_before_switch(self) -> None:
        """Another document is being opened: this one's unsaved changes are kept (as pending) and written on
        the serial lane; they stay pending, and count as unsaved, until a save succeeds."""
        self._autosave.stop()
        if self.dirty and self._store is not None and self.ready and self.path is not None:
            key = str(self.path)
            pending = _Pending(self._store, _snapshot(self._loaded()), self._base)
            self._pending[key] = pending
            self._submit_pending(key, pending)
        self._saved_revision = self._revision  # what was unsaved now lives in the pending entry

    def _submit_pending(self, key: str, pending: _Pending) -> None:
        content, file_store, base = pending.content, pending.store, pending.base

        def done(_written: AnnotationFile) -> None:
            if self._pending.get(key) is pending:
                del self._pending[key]

        def failed(message: str, _error: BaseException) -> None:
            if self._pending.get(key) is pending:
                pending.error = message
                self.last_save_error = message
                self.save_failed.emit(
                    f"Your annotations could not be saved to {key}: {message}\n"
                    "They are kept in memory; saving will be retried."
                )
                self._autosave.start(RETRY_MS)

        self._tasks.submit(
            "annotations-save",
            lambda _p: file_store.save(content, base),
            serial=True,
            on_done=done,
            on_error=failed,
            owner=self,
        )

    def _retry_pending(self) -> None:
        for key, pending in list(self._pending.items()):
            if pending.error is not None:
                pending.error = None
                self._submit_pending(key, pending)

    def flush(self) -> bool:
        """Save now, on this thread (at quit), this document and any other whose save has not succeeded.

        Returns False if something could not be saved (then :attr:`has_unsaved_changes` stays True,
        :attr:`last_save_error` says why and ``save_failed`` was emitted): ask the user to retry, save
        elsewhere (:meth:`save_unsaved_to`) or quit anyway.
        """
        self._autosave.stop()
        self._tasks.wait_serial()
        if self._completed is not None:  # a background save finished; its callback is still queued
            self._take_completed()
        store = _store_module()
        ok = True
        for key, pending in list(self._pending.items()):
            try:
                pending.store.save(pending.content, pending.base)
            except store.AnnotationFileError as error:
                pending.error = self.last_save_error = error.message
                self.save_failed.emit(f"Your annotations could not be saved to {key}: {error.message}")
                ok = False
            else:
                self._pending.pop(key, None)
        if not self.dirty or self._store is None or not self.ready:
            return ok
        revision, snapshot = self._revision, _snapshot(self._loaded())
        try:
            written = self._store.save(snapshot, self._base)
        except store.AnnotationFileError as error:
            self.last_save_error = error.message
            self.save_failed.emit(f"Your annotations could not be saved: {error.message}")
            return False
        self._saved_revision = revision
        self.last_save_error = None
        if written.stamp is not None:
            self._size = written.stamp.size
        if written is not snapshot:
            self._adopt(written, snapshot)
        else:
            self._base = _snapshot(written)
        return ok

    def save_copy(self, path: str | Path) -> Path:
        """Write this document's annotations (with unsaved changes) to another file, e.g. when its own file
        cannot be written; the document stays unsaved. Raises :class:`AnnotationError`."""
        store = _store_module()
        try:
            store.save(Path(path), _snapshot(self._loaded()))
        except store.AnnotationFileError as error:
            raise AnnotationError(f"Could not save a copy to {path}: {error.message}") from error
        return Path(path)

    def save_unsaved_to(self, folder: str | Path) -> list[Path]:
        """Write every document with unsaved changes into ``folder`` (same file names); returns the files
        written. Raises :class:`AnnotationError` (after writing what it could)."""
        store = _store_module()
        target = Path(folder)
        written: list[Path] = []
        jobs: list[tuple[Path, AnnotationFile]] = [
            (Path(key), pending.content) for key, pending in self._pending.items()
        ]
        if self.dirty and self.path is not None and self.content is not None:
            jobs.insert(0, (self.path, _snapshot(self.content)))
        failures = []
        for original, content in jobs:
            path = target / original.name
            try:
                store.save(path, content)
            except store.AnnotationFileError as error:
                failures.append(f"{path}: {error.message}")
            else:
                written.append(path)
        if failures:
            raise AnnotationError("Could not save: " + "; ".join(failures))
        return written

    def close(self) -> bool:
        """Save what is unsaved and stop watching: the service is done with its document."""
        saved = self.flush()
        self._generation += 1
        self.ready = False
        if self._watcher.files():
            self._watcher.removePaths(self._watcher.files())
        return saved

    # -- external changes ---------------------------------------------------------------------
    @Slot(str)
    def _on_file_changed(self, path: str) -> None:
        """Someone else wrote the file: adopt it, or (with unsaved edits of ours) save, which merges by id."""
        if self._store is None or not self.ready or self._saving or not self._store.changed_on_disk():
            return
        if self.dirty:
            self.save_soon()
        else:
            try:
                theirs = self._store.load(self._loaded().document)
            except _store_module().AnnotationFileError as error:
                logger.warning("external change to %s is unreadable: %s", path, error.message)
                self._store.error = None  # keep our content; the next save merges or reports
                return
            self._base = _snapshot(theirs)
            theirs.annotations = _anchored(self._text, theirs.annotations)
            theirs.document = self._loaded().document
            self.content = theirs
            self.changed.emit()
            self.colors_changed.emit()
            self.outline_changed.emit(list(theirs.outline))
            self.speakers_changed.emit(copy.deepcopy(theirs.speakers))
        if Path(path).exists() and path not in self._watcher.files():
            self._watcher.addPath(path)
