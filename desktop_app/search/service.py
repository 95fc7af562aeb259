"""Searches on the background pool for the GUI: the newest query wins, late results are dropped.

The service owns no widget. Each :meth:`SearchService.search` gets a generation number; a job that starts after a
newer search was asked for returns at once, a running one stops at its next look at the flag (between documents:
the pool thread is free again within milliseconds), every search has a time budget (``TIME_BUDGET_S`` in
``index.py``), and a result that arrives after a newer search is dropped, so
``results_ready`` only ever carries the result of the latest query. Note updates run on the serial lane (all index
writes do, see ``tasks.py``) and then re-run the current query.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from desktop_app.search.index import SearchResult
    from desktop_app.tasks import TaskRunner

logger = logging.getLogger(__name__)

DEFAULT_LIMIT = 1000
"""Hits located (with snippets) per search; ``SearchResult.total`` still counts them all."""

Note = tuple[str, str, int, int]  # (annotation id, note text, target start, target end)


class Searchable(Protocol):
    """What the service needs of an index (``SearchIndex``)."""

    def search(
        self,
        query: str,
        limit: int | None = None,
        join_adjacent: bool = False,
        should_stop: Callable[[], bool] | None = None,
    ) -> SearchResult:
        """Every hit of ``query`` (see ``SearchIndex.search``)."""

    def set_notes(self, notes: Sequence[Note]) -> None:
        """Make these notes searchable."""


def empty_result(query: str = "") -> SearchResult:
    """The result of a query with nothing to look for."""
    from desktop_app.search.index import SearchResult

    return SearchResult(query, (), 0)


class SearchService(QObject):
    """Runs searches of the current document's index in the background.

    Signals:
        results_ready(object): the :class:`SearchResult` of the latest query (never of a superseded one).
        search_failed(str): the latest query could not be run at all (a message for the user).
        busy_changed(bool): a search of the latest query is running (or waits for the index).
    """

    results_ready = Signal(object)
    search_failed = Signal(str)
    busy_changed = Signal(bool)

    def __init__(
        self, tasks: TaskRunner, parent: QObject | None = None, limit: int | None = DEFAULT_LIMIT
    ) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._limit = limit
        self._index: Searchable | None = None
        self._notes: tuple[Note, ...] | None = None
        self._query = ""
        self._generation = 0
        self._latest = [0]  # read by jobs on worker threads to skip superseded work
        self._busy = False
        self._last: SearchResult | None = None

    # -- state ----------------------------------------------------------------------------------
    @property
    def last_result(self) -> SearchResult | None:
        """The last result emitted (None before the first)."""
        return self._last

    @property
    def current_query(self) -> str:
        """The latest query asked for."""
        return self._query

    @property
    def has_index(self) -> bool:
        """Whether an index is there to search."""
        return self._index is not None

    @property
    def busy(self) -> bool:
        """Whether a search is running."""
        return self._busy

    def set_index(self, index: Searchable | None) -> None:
        """Search this index from now on (None: none yet); the notes given earlier are applied to it and the
        current query is run again."""
        self._index = index
        self._next_generation()
        if index is not None and self._notes is not None:
            self._submit_notes(index, self._notes)  # then runs the current query
            self._set_busy(bool(self._query.strip()))
        elif self._query.strip():
            self._run(self._query)
        else:
            self._set_busy(False)

    def set_notes(self, notes: Sequence[Note]) -> None:
        """Make these notes searchable (replacing the previous ones), then run the current query again."""
        self._notes = tuple((str(i), str(t), int(s), int(e)) for i, t, s, e in notes)
        if self._index is not None:
            self._submit_notes(self._index, self._notes)

    # -- searching -------------------------------------------------------------------------------
    def search(self, query: str) -> None:
        """Search for ``query`` in the background; an empty query emits an empty result at once."""
        self._query = query
        self._next_generation()
        self._run(query)

    def _run(self, query: str, quiet_if_same: bool = False) -> None:
        generation = self._generation
        if not query.strip():
            self._deliver(generation, empty_result(query))
            return
        index = self._index
        self._set_busy(True)
        if index is None:  # runs when the index arrives (set_index)
            return
        latest, limit = self._latest, self._limit

        def superseded() -> bool:
            return latest[0] != generation

        def job(_progress: object) -> SearchResult | None:
            if superseded():  # superseded before it started
                return None
            return index.search(query, limit, join_adjacent=True, should_stop=superseded)

        self._tasks.submit(
            "search",
            job,
            on_done=lambda result: self._deliver(generation, result, quiet_if_same),
            on_error=lambda message, _error: self._fail(generation, message),
            owner=self,
        )

    def _submit_notes(self, index: Searchable, notes: tuple[Note, ...]) -> None:
        def job(_progress: object) -> None:
            index.set_notes(notes)

        self._tasks.submit(
            "search-notes",
            job,
            on_done=lambda _none: self._notes_applied(index),
            on_error=lambda message, _error: self._notes_failed(index, message),
            serial=True,
            owner=self,
        )

    def _notes_applied(self, index: Searchable) -> None:
        if index is self._index and self._query.strip():
            self._next_generation()
            self._run(self._query, quiet_if_same=True)

    def _notes_failed(self, index: Searchable, message: str) -> None:
        logger.error("notes could not be indexed: %s", message)
        self._notes_applied(index)  # the index kept its previous notes: still answer the current query

    def _next_generation(self) -> None:
        self._generation += 1
        self._latest[0] = self._generation

    def _deliver(self, generation: int, result: Any, quiet_if_same: bool = False) -> None:
        if generation != self._generation or result is None:
            return
        self._set_busy(False)
        if quiet_if_same and result == self._last:
            return  # notes changed but not this query's answer: nothing to redraw (keeps the reader's place)
        self._last = result
        self.results_ready.emit(result)

    def _fail(self, generation: int, message: str) -> None:
        if generation != self._generation:
            return
        self._set_busy(False)
        logger.error("search failed: %s", message)
        self.search_failed.emit(message)

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)
