"""The library for the GUI: the catalog on the GUI thread, file reading, indexing and searches on workers.

* Adding files reads and hashes them on the pool (``catalog.describe_files``) and hands batches back as they
  are read (``Reporter.partial``), so the list fills while a large folder is read; the catalog itself is only
  changed on the GUI thread.
* Indexing (``LibraryIndex.sync``) runs on the serial lane of ``tasks.py`` with all other index writes; it
  reports progress and every commit (what searches see), stops early on :meth:`LibraryService.close`, and is
  run again when the catalog changed meanwhile. A run that was killed is completed by the next :meth:`start`.
* Searches run on the pool; the newest query wins and late results are dropped.
"""

from __future__ import annotations

import logging
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

if TYPE_CHECKING:  # the catalog (and what it imports) loads when the library starts, after the first paint
    from collections.abc import Collection, Iterable, Iterator, Sequence

    from desktop_app.library.catalog import Catalog, Entry
    from desktop_app.library.index import LibraryIndex, SyncReport
    from desktop_app.library.notes import AnnotationSummary
    from desktop_app.library.results import LibraryResult
    from desktop_app.paths import AppDirs
    from desktop_app.speakers.edits import SpeakerEdits
    from desktop_app.tasks import Reporter, TaskRunner

logger = logging.getLogger(__name__)

SEARCH_LIMIT = 200
"""Paragraphs listed per library search."""
READ_BATCH = 40
"""Files read before the list is updated, when adding a folder."""
SAVE_DELAY_MS = 2000
"""Reading positions are saved to the catalog this long after the last change."""


class LibraryService(QObject):
    """The library's state and background work.

    Signals:
        entries_changed(object): the catalog's entries (``list[Entry]``), after any change.
        adding(int, int): files read so far and files to read, while adding (0, 0 when done).
        add_failed(object): (path, message) pairs of files that could not be added.
        indexing_progress(int, int): episodes indexed and episodes in the library.
        indexed_changed(int): episodes searchable now (after each commit of the indexer).
        indexing_finished(object): the :class:`SyncReport` of an indexing run.
        results_ready(object): the :class:`LibraryResult` of the latest query.
        annotations_read(): highlight and note counts (and the notes in the index) were refreshed.
        notice(str): something to tell the user in passing.
    """

    entries_changed = Signal(object)
    adding = Signal(int, int)
    add_failed = Signal(object)
    indexing_progress = Signal(int, int)
    indexed_changed = Signal(int)
    indexing_finished = Signal(object)
    results_ready = Signal(object)
    annotations_read = Signal()
    notice = Signal(str)

    def __init__(
        self,
        dirs: AppDirs,
        tasks: TaskRunner,
        default_document: Path | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._dirs = dirs
        self._tasks = tasks
        self._default_document = default_document
        self.catalog: Catalog | None = None
        self._index: LibraryIndex | None = None
        self._indexing = False
        self._resync = False
        self._stop = [False]  # read by the indexing job
        self._generation = 0
        self._latest = [0]
        self._query = ""
        self.indexed_count = 0
        self._annotations_read_once = False
        # True: read and index on threads of this process (tests may set it). False, frozen apps too: in
        # spawned processes, which keep the window's interpreter (its GIL) free; a frozen app can spawn them
        # because app.main() calls multiprocessing.freeze_support() first (checked on the PyInstaller bundle:
        # an indexing process and two preparing processes indexed a 12-file library).
        self.in_process = False
        self.last_result: LibraryResult | None = None
        self._speaker_edits: dict[str, SpeakerEdits] = {}  # the user's speaker corrections, by document
        self._early_entries: list[Entry] = []  # read before the catalog opened (after the first paint)
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self._save_catalog)
        self._save_lock = threading.Lock()  # catalog writes happen on the pool, newest snapshot last
        self._saves = [0, 0]  # [snapshots taken, newest snapshot written]

    # -- state ----------------------------------------------------------------------------------
    def entries(self) -> list[Entry]:
        """The documents of the library (empty before :meth:`start`)."""
        return self.catalog.entries() if self.catalog is not None else []

    @property
    def indexing(self) -> bool:
        """An indexing run is going on."""
        return self._indexing

    # -- life cycle -----------------------------------------------------------------------------
    def start(self) -> None:
        """Open the catalog (the bundled transcript is added on the first start) and index what is missing."""
        from desktop_app.library.catalog import open_library_catalog

        self.catalog = open_library_catalog(self._dirs.data, self._default_document)
        if self._early_entries:  # files added before the library opened
            self.catalog.add_entries(self._early_entries, save=False)
            self._early_entries = []
            self._save_catalog()
        self.entries_changed.emit(self.entries())
        self.sync()

    def close(self) -> None:
        """Stop indexing at the next episode (what was committed stays) and save the catalog."""
        self._stop[0] = True
        self._generation += 1
        self._latest[0] = self._generation
        if self._save_timer.isActive():
            self._save_timer.stop()
            self._save_catalog(wait=True)

    # -- catalog changes ------------------------------------------------------------------------
    def add_paths(self, paths: Sequence[str]) -> None:
        """Add files and folders: read on a worker, listed batch by batch, then indexed."""
        from desktop_app.library.catalog import expand_paths

        files = expand_paths(paths)
        if not files:
            self.notice.emit(
                "No transcript files found there (the library takes subtitles, text, Markdown, JSON and TSV transcripts)."
            )
            return
        self.adding.emit(0, len(files))

        batches = [files[first : first + READ_BATCH] for first in range(0, len(files), READ_BATCH)]
        in_child = len(batches) > 1 and not self.in_process

        def job(report: Reporter) -> list[tuple[str, str]]:
            failed: list[tuple[str, str]] = []
            done = 0
            for entries, bad in _describe_batches(batches, in_child):
                failed.extend(bad)
                done += len(entries) + len(bad)
                report.partial((entries, done, len(files)))
            return failed

        self._tasks.submit(
            "library-add",
            job,
            on_partial=self._on_described,
            on_done=self._on_added,
            on_error=lambda message, _e: self.notice.emit(f"Could not add files: {message}"),
            owner=self,
        )

    def _on_described(self, batch: tuple[list[Entry], int, int]) -> None:
        entries, done, total = batch
        if self.catalog is None:  # not opened yet: kept for :meth:`start`
            self._early_entries.extend(entries)
            self.adding.emit(done, total)
            return
        result = self.catalog.add_entries(entries, save=False)
        if result.added or result.moved:
            self._save_catalog()
            self.entries_changed.emit(self.entries())
        self.adding.emit(done, total)

    def _on_added(self, failed: list[tuple[str, str]]) -> None:
        self.adding.emit(0, 0)
        if failed:
            self.add_failed.emit(failed)
            self.notice.emit(f"{len(failed)} file(s) could not be read.")
        self.sync()

    def remove(
        self, sha256s: Iterable[str], trash_annotations: bool = False, keep: Collection[str] = ()
    ) -> None:
        """Remove documents from the library and from its index. Their annotations files stay, unless
        ``trash_annotations``: then they go to the system's trash (recoverable), except those of ``keep``
        (the document being read, whose highlights are in use)."""
        if self.catalog is None:
            return
        removed = self.catalog.remove(sha256s, save=False)
        if removed:
            self._save_catalog()
            self.entries_changed.emit(self.entries())
            self.sync()
        if trash_annotations:
            kept = [e for e in removed if e.sha256 in keep]
            if kept:
                self.notice.emit(
                    f"The highlights of “{kept[0].title}”, open in the reader, are kept (open another transcript "
                    "first to remove them)."
                )
            self._trash_annotations([e for e in removed if e.sha256 not in keep])

    def _trash_annotations(self, entries: Sequence[Entry]) -> None:
        from PySide6.QtCore import QFile  # here, not at start-up: its enums cost time before the first paint

        folder = self._dirs.annotations

        def job(_report: Reporter) -> tuple[int, list[str]]:
            from desktop_app.library.notes import annotation_files_of

            moved = 0
            failed: list[str] = []
            _ensure_trash_home()
            for entry in entries:
                for path in annotation_files_of(folder, entry.sha256, entry.path, entry.title):
                    if QFile.moveToTrash(str(path)):
                        moved += path.suffix == ".yaml"
                    else:
                        failed.append(str(path))
            return moved, failed

        self._tasks.submit(
            "library-trash-annotations",
            job,
            on_done=self._on_annotations_trashed,
            on_error=lambda message, _e: self.notice.emit(f"Highlights not moved to the trash: {message}"),
            serial=True,
            owner=self,
        )

    def _on_annotations_trashed(self, outcome: tuple[int, list[str]]) -> None:
        moved, failed = outcome
        if moved:
            self.notice.emit(f"Moved the highlights and notes of {moved} transcript(s) to the trash")
        if failed:
            self.notice.emit(f"Could not move to the trash (kept where they are): {', '.join(failed)}")

    def set_reading_progress(self, sha256: str, fraction: float) -> None:
        """Remember how far a document was read (0..1); saved a little later."""
        if self.catalog is not None and self.catalog.get(sha256) is not None:
            self.catalog.update(sha256, save=False, progress=max(0.0, min(1.0, float(fraction))))
            self._save_timer.start()

    def set_annotation_counts(self, sha256: str, highlights: int, notes: int) -> None:
        """Update a document's numbers of highlights and notes (shown in the list)."""
        if self.catalog is not None and self.catalog.get(sha256) is not None:
            self.catalog.update(sha256, save=False, highlights=int(highlights), notes=int(notes))
            self._save_timer.start()
            self.entries_changed.emit(self.entries())

    def _save_catalog(self, wait: bool = False) -> None:
        """Write a snapshot of the catalog on the pool (``wait``: here, at once). Never on the GUI thread while
        the app runs: replacing a file can wait for the disk for a long time while the indexer merges."""
        if self.catalog is None:
            return
        from desktop_app.library.catalog import Catalog

        snapshot = Catalog(self.catalog.path)
        snapshot.add_entries(self.catalog.entries(), save=False)
        self._saves[0] += 1
        number, lock, saves = self._saves[0], self._save_lock, self._saves

        def job(_report: object) -> None:
            with lock:
                if saves[1] > number:  # a newer snapshot is already written
                    return
                try:
                    snapshot.save()
                except OSError as error:
                    logger.warning("library catalog not saved: %s", error)
                saves[1] = number

        if wait:
            job(None)
        else:
            self._tasks.submit("library-save", job)

    # -- indexing ---------------------------------------------------------------------------------
    def sync(self) -> None:
        """Index what the library holds and the index lacks (once the running run, if any, is over)."""
        if self.catalog is None:
            return
        if self._indexing:
            self._resync = True
            return
        self._indexing = True
        self._resync = False
        self._stop[0] = False
        wanted = [(e.sha256, e.path, e.title) for e in self.catalog.entries() if not e.missing]
        cache, stop = self._dirs.cache, self._stop
        index = self._index

        in_process = self.in_process

        def job(report: Reporter) -> tuple[LibraryIndex, SyncReport]:
            from desktop_app.library.index import LibraryIndex

            ix = index if index is not None else LibraryIndex.open(cache)
            report.partial(("opened", ix))
            if in_process:
                result = ix.sync(
                    wanted,
                    cache,
                    progress=lambda done, total: report.partial(("progress", (done, total))),
                    committed=lambda count: report.partial(("committed", count)),
                    should_stop=lambda: stop[0],
                )
            else:
                result = _sync_in_child(ix, wanted, cache, report, stop)
            return ix, result

        self._tasks.submit(
            "library-index",
            job,
            on_partial=self._on_index_news,
            on_done=self._on_indexed,
            on_error=self._on_index_failed,
            serial=True,
            owner=self,
        )

    def _on_index_news(self, news: tuple[str, Any]) -> None:
        kind, value = news
        if kind == "opened":
            first = self._index is None
            self._index = value
            if first and self._query.strip():
                self.search(self._query)
        elif kind == "progress":
            self.indexing_progress.emit(*value)
        elif kind == "committed":
            self.indexed_count = int(value)
            self.indexed_changed.emit(self.indexed_count)
            if self._query.strip():  # what was just committed may answer the current query
                self.search(self._query)

    def _on_indexed(self, outcome: tuple[LibraryIndex, SyncReport]) -> None:
        self._index, report = outcome
        self._indexing = False
        self.indexing_finished.emit(report)
        if not self._annotations_read_once:
            self._annotations_read_once = True
            self.refresh_annotations()
        elif report.added:
            self.refresh_annotations(report.added)
        if report.failed:
            self.notice.emit(f"{len(report.failed)} document(s) could not be indexed.")
        if self._resync and not self._stop[0]:
            self.sync()

    def _on_index_failed(self, message: str, _error: BaseException) -> None:
        self._indexing = False
        logger.error("library indexing failed: %s", message)
        self.notice.emit(f"Library indexing stopped: {message}")

    # -- highlights and notes ---------------------------------------------------------------------
    def refresh_annotations(self, sha256s: Sequence[str] | None = None) -> None:
        """Read the annotations files of these documents (all when None): their numbers of highlights and
        notes go to the list, their text to the library index (so notes are searchable across the library),
        their speaker corrections to the speakers of library hits."""
        if self.catalog is None:
            return
        chosen = set(sha256s) if sha256s is not None else None
        entries = [e for e in self.catalog.entries() if chosen is None or e.sha256 in chosen]
        folder, cache, index = self._dirs.annotations, self._dirs.cache, self._index

        def job(_report: Reporter) -> list[tuple[str, AnnotationSummary]]:
            from desktop_app.library.index import LibraryIndex
            from desktop_app.library.notes import read_summary

            ix = index if index is not None else LibraryIndex.open(cache)
            summaries = []
            indexed = ix.indexed()
            for entry in entries:
                summary = read_summary(folder, entry.sha256, entry.path, entry.title)
                if entry.sha256 in indexed and (summary.records or entry.highlights):
                    ix.set_notes(entry.sha256, summary.records)
                summaries.append((entry.sha256, summary))
            return summaries

        self._tasks.submit(
            "library-annotations",
            job,
            on_done=self._on_annotations_read,
            on_error=lambda message, _e: logger.warning("library annotations not read: %s", message),
            serial=True,
            owner=self,
        )

    def _on_annotations_read(self, summaries: list[tuple[str, AnnotationSummary]]) -> None:
        if self.catalog is None:
            return
        changed = False
        for sha, summary in summaries:
            self._keep_speaker_edits(sha, summary.speakers)
            entry = self.catalog.get(sha)
            if entry is not None and (entry.highlights, entry.notes) != (summary.highlights, summary.notes):
                self.catalog.update(sha, save=False, highlights=summary.highlights, notes=summary.notes)
                changed = True
        if changed:
            self._save_timer.start()
            self.entries_changed.emit(self.entries())
        self.annotations_read.emit()
        if self._query.strip():
            self.search(self._query)

    def set_speaker_edits(self, sha256: str, edits: SpeakerEdits) -> None:
        """The open document's speaker corrections changed: library hits in it name speakers so from now on."""
        if self._keep_speaker_edits(sha256, edits) and self.last_result is not None:
            self._deliver(self._generation, self.last_result)

    def _keep_speaker_edits(self, sha256: str, edits: SpeakerEdits) -> bool:
        """Remember a document's corrections; whether that changed anything."""
        had = self._speaker_edits.get(sha256)
        if edits.is_empty:
            self._speaker_edits.pop(sha256, None)
        else:
            self._speaker_edits[sha256] = edits
        return had != self._speaker_edits.get(sha256)

    # -- searching --------------------------------------------------------------------------------
    def search(self, query: str) -> None:
        """Search the library in the background; ``results_ready`` carries the newest query's result."""
        from desktop_app.library.results import LibraryResult

        self._query = query
        self._generation += 1
        generation = self._latest[0] = self._generation
        index = self._index
        if not query.strip() or index is None:
            self._deliver(generation, LibraryResult(query, episodes_indexed=self.indexed_count))
            return
        latest = self._latest

        def job(_report: Reporter) -> LibraryResult | None:
            if latest[0] != generation:
                return None
            return index.search(query, limit=SEARCH_LIMIT)

        self._tasks.submit(
            "library-search",
            job,
            on_done=lambda result: self._deliver(generation, result),
            on_error=lambda message, _e: self.notice.emit(f"Search failed: {message}"),
            owner=self,
        )

    def _deliver(self, generation: int, result: LibraryResult | None) -> None:
        if result is None or generation != self._generation:
            return
        self.last_result = result
        if self._speaker_edits:  # (their module came with them: no import on this thread at start-up)
            from desktop_app.library.notes import with_speaker_corrections

            result = with_speaker_corrections(result, self._speaker_edits)
        self.results_ready.emit(result)


def _ensure_trash_home() -> None:
    """Qt puts the trash of a Linux desktop under the user's data folder (``~/.local/share``), and fails when
    that folder does not exist yet (a new account): make it."""
    if sys.platform.startswith("linux"):
        from PySide6.QtCore import QStandardPaths

        home = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericDataLocation)
        if home:
            Path(home).mkdir(parents=True, exist_ok=True)


def _describe_batches(
    batches: list[list[Path]], in_child: bool
) -> Iterator[tuple[list[Entry], list[tuple[str, str]]]]:
    """``describe_files`` of each batch, in order. ``in_child``: in a spawned process (its own interpreter),
    because reading and parsing hundreds of files on a thread of this one holds the GIL that the window needs
    for every call into the Python list model: painting the list took 5x as long, and the window stalled for
    150-280 ms at a time while a folder was listed."""
    from desktop_app.library.catalog import describe_files

    done = 0
    if in_child:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        try:
            with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
                for described in pool.map(describe_files, batches):
                    yield described
                    done += 1
            return
        except (OSError, BrokenProcessPool) as error:
            # no process could start, or it died: read the rest here
            logger.warning("reading files in a process failed (%s); reading them on a thread", error)
    yield from map(describe_files, batches[done:])


def _sync_in_child(
    index: LibraryIndex, wanted: list[tuple[str, str, str]], cache: Path, report: Reporter, stop: list[bool]
) -> SyncReport:
    """Run the indexer in a spawned process (its own interpreter: no GIL shared with the window), relaying its
    messages; a process that dies leaves the committed episodes, and the next start completes the rest."""
    import multiprocessing

    from desktop_app.library.index import indexing_workers, run_sync_process

    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    workers = indexing_workers()
    process = context.Process(target=run_sync_process, args=(wanted, cache, theirs, workers))
    process.start()
    theirs.close()
    asked_to_stop = False
    try:
        while True:
            if stop[0] and not asked_to_stop:
                ours.send("stop")
                asked_to_stop = True
            if not ours.poll(0.1):
                if not process.is_alive() and not ours.poll():
                    raise RuntimeError("the indexing process ended unexpectedly")
                continue
            try:
                kind, value = ours.recv()
            except EOFError:
                raise RuntimeError("the indexing process ended unexpectedly") from None
            if kind == "done":
                index.refresh()
                return value  # type: ignore[no-any-return]
            if kind == "committed":
                index.refresh()
            report.partial((kind, value))
    finally:
        ours.close()
        process.join(timeout=30)
