"""Every highlight of the library for the GUI: collected and exported on workers, never on the GUI thread.

:class:`LibraryAnnotationsService` reads the library's annotations files (``all_annotations.collect_library``)
on the task runner's pool, reporting progress per episode; a newer request supersedes an older one (its
result is dropped). Exporting to a folder (``export_all.export_library``) collects afresh and writes the
files on the pool too.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from collections.abc import Mapping

    from desktop_app.library.all_annotations import LibraryAnnotations, LiveAnnotations
    from desktop_app.library.catalog import Entry
    from desktop_app.library.export_all import ExportReport
    from desktop_app.paths import AppDirs
    from desktop_app.tasks import Reporter, TaskRunner

logger = logging.getLogger(__name__)


class LibraryAnnotationsService(QObject):
    """Collects and exports every highlight of the library in the background.

    Signals:
        progress(int, int): episodes read so far, and episodes in the library (0, 0 when done).
        loaded(object): the :class:`~desktop_app.library.all_annotations.LibraryAnnotations` of the latest
            request.
        exported(object): the :class:`~desktop_app.library.export_all.ExportReport` of an export.
        failed(str, str): a title and a message for the user (an export that could not be written).
    """

    progress = Signal(int, int)
    loaded = Signal(object)
    exported = Signal(object)
    failed = Signal(str, str)

    def __init__(self, dirs: AppDirs, tasks: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._dirs = dirs
        self._tasks = tasks
        self._generation = 0
        self._latest = [0]  # read by the running job: a newer request stops it
        self.last: LibraryAnnotations | None = None
        self.loading = False

    def load(
        self, entries: list[Entry], live: Mapping[str, LiveAnnotations] | None = None, afresh: bool = False
    ) -> None:
        """Collect every highlight of these episodes (``live``: open ones as they are now); ``loaded`` follows.

        Episodes whose files did not change since the last collection are taken from it, unless ``afresh``.
        """
        from desktop_app.library.all_annotations import collect_library, episode_refs  # after first paint

        self._generation += 1
        reuse = dict(self.last.reusable) if self.last is not None and not afresh else {}
        generation = self._latest[0] = self._generation
        episodes, live_now = episode_refs(entries), dict(live or {})
        folder, cache, latest = self._dirs.annotations, self._dirs.cache, self._latest
        self.loading = True
        self.progress.emit(0, len(episodes))

        def job(report: Reporter) -> LibraryAnnotations | None:
            result = collect_library(
                episodes,
                folder,
                cache,
                progress=lambda done, total: report.partial((generation, done, total)),
                should_stop=lambda: latest[0] != generation,
                live=live_now,
                reuse=reuse,
            )
            return result if latest[0] == generation else None

        self._tasks.submit(
            "library-annotations-all",
            job,
            on_partial=self._on_progress,
            on_done=lambda result: self._on_loaded(generation, result),
            on_error=lambda message, _e: self._on_load_failed(generation, message),
            owner=self,
        )

    def cancel(self) -> None:
        """Stop the collection under way at the next episode (its result is dropped)."""
        self._generation += 1
        self._latest[0] = self._generation
        self.loading = False

    def _on_progress(self, news: tuple[int, int, int]) -> None:
        generation, done, total = news
        if generation == self._generation:
            self.progress.emit(done, total)

    def _on_loaded(self, generation: int, result: LibraryAnnotations | None) -> None:
        if result is None or generation != self._generation:
            return
        self.loading = False
        self.last = result
        self.progress.emit(0, 0)
        self.loaded.emit(result)

    def _on_load_failed(self, generation: int, message: str) -> None:
        if generation == self._generation:
            self.loading = False
            self.progress.emit(0, 0)
            self.failed.emit("Could not read the library's highlights", message)

    def export(
        self, folder: str, entries: list[Entry], live: Mapping[str, LiveAnnotations] | None = None
    ) -> None:
        """Write one Markdown file per episode with highlights into ``folder``; ``exported`` or ``failed``."""
        from desktop_app.library.all_annotations import collect_library, episode_refs
        from desktop_app.library.export_all import ExportFolderError, export_library

        episodes, live_now = episode_refs(entries), dict(live or {})
        notes, cache = self._dirs.annotations, self._dirs.cache

        def job(report: Reporter) -> ExportReport:
            collected = collect_library(episodes, notes, cache, live=live_now)
            try:
                return export_library(folder, collected.episodes, lambda done, total: report(done / total))
            except ExportFolderError as error:
                raise RuntimeError(str(error)) from error

        self._tasks.submit(
            "library-export",
            job,
            on_done=self.exported.emit,
            on_error=lambda message, _e: self.failed.emit("Export failed", message),
            owner=self,
        )
