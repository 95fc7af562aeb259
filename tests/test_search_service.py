"""SearchService: the newest query wins, late results are dropped, notes become searchable (qtbot, real index)."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QCoreApplication
from search_samples import split_paragraphs

from desktop_app.search.index import SearchIndex, SearchResult
from desktop_app.search.service import SearchService
from desktop_app.tasks import TaskRunner

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from pathlib import Path

    from pytestqt.qtbot import QtBot


@pytest.fixture(scope="module")
def index_cache(tmp_path_factory: pytest.TempPathFactory, seed_text: str) -> Path:
    """The seed's index, built once for the module."""
    cache = tmp_path_factory.mktemp("search-cache")
    SearchIndex.open_or_build(cache, "seed", seed_text, split_paragraphs(seed_text)).close()
    return cache


@pytest.fixture
def index(index_cache: Path, seed_text: str) -> Iterator[SearchIndex]:
    """A fresh index object over the cached seed index (no notes)."""
    opened = SearchIndex.open_or_build(index_cache, "seed", seed_text, split_paragraphs(seed_text))
    assert not opened.built
    yield opened
    opened.close()


@pytest.fixture
def tasks(qapp: object) -> Iterator[TaskRunner]:
    runner = TaskRunner()
    yield runner
    runner.wait()


@pytest.fixture
def service(tasks: TaskRunner) -> SearchService:
    return SearchService(tasks)


def drain(tasks: TaskRunner) -> None:
    """Let every job finish and deliver whatever it queued to the GUI thread."""
    assert tasks.wait()
    QCoreApplication.sendPostedEvents()
    QCoreApplication.processEvents()


def record(service: SearchService) -> list[SearchResult]:
    emitted: list[SearchResult] = []
    service.results_ready.connect(emitted.append)
    return emitted


class BlockingIndex:
    """Answers every query at once, except "slow", which waits until released."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()
        self.notes: list[Sequence[object]] = []

    def search(
        self,
        query: str,
        limit: int | None = None,
        join_adjacent: bool = False,
        should_stop: Callable[[], bool] | None = None,
    ) -> SearchResult:
        if query == "slow":
            self.started.set()
            assert self.release.wait(10)
        return SearchResult(query, (), 0)

    def set_notes(self, notes: Sequence[tuple[str, str, int, int]]) -> None:
        self.notes.append(notes)


class FailingIndex(BlockingIndex):
    def search(
        self,
        query: str,
        limit: int | None = None,
        join_adjacent: bool = False,
        should_stop: Callable[[], bool] | None = None,
    ) -> SearchResult:
        raise RuntimeError("index gone")


def test_newer_search_supersedes_older(
    qtbot: QtBot, service: SearchService, index: SearchIndex, tasks: TaskRunner
) -> None:
    service.set_index(index)
    emitted = record(service)
    with qtbot.waitSignal(service.results_ready, timeout=10_000) as blocker:
        service.search("llama")
        service.search("open source")
        service.search("metaverse")
    assert blocker.args[0].query == "metaverse" and blocker.args[0].total > 0
    with qtbot.assertNotEmitted(service.results_ready):
        drain(tasks)
    assert [r.query for r in emitted] == ["metaverse"]
    assert service.last_result is emitted[0] and not service.busy


def test_late_result_of_an_older_search_is_dropped(
    qtbot: QtBot, service: SearchService, tasks: TaskRunner
) -> None:
    slow = BlockingIndex()
    service.set_index(slow)
    service.search("slow")
    assert slow.started.wait(10)  # the old search is running
    with qtbot.waitSignal(service.results_ready, timeout=10_000) as blocker:
        service.search("fast")
    assert blocker.args[0].query == "fast"
    with qtbot.assertNotEmitted(service.results_ready), qtbot.assertNotEmitted(service.busy_changed):
        slow.release.set()
        drain(tasks)
    assert service.last_result is not None and service.last_result.query == "fast"


def test_busy_while_searching(qtbot: QtBot, service: SearchService, index: SearchIndex) -> None:
    service.set_index(index)
    busy: list[bool] = []
    service.busy_changed.connect(busy.append)
    with qtbot.waitSignal(service.results_ready, timeout=10_000):
        service.search("fight")
    assert busy == [True, False]


def test_empty_query_gives_an_empty_result_at_once(
    qtbot: QtBot, service: SearchService, index: SearchIndex, tasks: TaskRunner
) -> None:
    service.set_index(index)
    emitted = record(service)
    service.search("llama")
    service.search("   ")  # emitted synchronously, and the pending "llama" is dropped
    assert len(emitted) == 1 and emitted[0].hits == () and emitted[0].total == 0 and emitted[0].error is None
    assert not service.busy
    drain(tasks)
    assert len(emitted) == 1


def test_malformed_query_gives_an_error_not_a_failure(
    qtbot: QtBot, service: SearchService, index: SearchIndex
) -> None:
    service.set_index(index)
    with qtbot.assertNotEmitted(service.search_failed):
        with qtbot.waitSignal(service.results_ready, timeout=10_000) as blocker:
            service.search("(")
    result = blocker.args[0]
    assert result.error and result.hits == ()


def test_a_failing_search_is_reported(qtbot: QtBot, service: SearchService) -> None:
    service.set_index(FailingIndex())
    with qtbot.waitSignal(service.search_failed, timeout=10_000) as blocker:
        service.search("anything")
    assert blocker.args == ["index gone"]
    assert not service.busy


def test_set_notes_makes_notes_searchable(qtbot: QtBot, service: SearchService, index: SearchIndex) -> None:
    service.set_index(index)
    with qtbot.waitSignal(service.results_ready, timeout=10_000) as blocker:
        service.search("zebra")
    assert blocker.args[0].total == 0
    with qtbot.waitSignal(service.results_ready, timeout=10_000) as blocker:  # the query runs again
        service.set_notes([("note-1", "A zebra crossing of ideas", 100, 104)])
    (hit,) = blocker.args[0].hits
    assert (hit.note_id, hit.start, hit.end) == ("note-1", 100, 104)
    assert "zebra" in hit.snippet


def test_notes_that_do_not_change_the_answer_emit_nothing(
    qtbot: QtBot, service: SearchService, index: SearchIndex, tasks: TaskRunner
) -> None:
    service.set_index(index)
    with qtbot.waitSignal(service.results_ready, timeout=10_000):
        service.search("llama")
    busy: list[bool] = []
    service.busy_changed.connect(busy.append)
    with qtbot.assertNotEmitted(service.results_ready):
        service.set_notes([("note-1", "nothing relevant here", 100, 104)])
        drain(tasks)
        drain(tasks)  # the notes job, then the search it starts
    assert busy == [True, False]  # the query did run again


def test_a_search_waits_for_the_index_and_its_notes(
    qtbot: QtBot, service: SearchService, index: SearchIndex
) -> None:
    service.set_notes([("note-9", "zebra", 5, 9)])
    busy: list[bool] = []
    service.busy_changed.connect(busy.append)
    with qtbot.assertNotEmitted(service.results_ready):
        service.search("zebra")
    assert busy == [True] and service.busy
    with qtbot.waitSignal(service.results_ready, timeout=10_000) as blocker:
        service.set_index(index)
    assert [hit.note_id for hit in blocker.args[0].hits] == ["note-9"]
    assert busy == [True, False]


def test_unsetting_the_index_drops_the_running_search(
    qtbot: QtBot, service: SearchService, tasks: TaskRunner
) -> None:
    slow = BlockingIndex()
    service.set_index(slow)
    service.search("slow")
    assert slow.started.wait(10)
    service.set_index(None)
    with qtbot.assertNotEmitted(service.results_ready):
        slow.release.set()
        drain(tasks)
    assert service.busy  # still waiting for an index to answer "slow"


class CancellableIndex(BlockingIndex):
    """The query "slow" runs until the service says it is superseded (as SearchIndex does between documents)."""

    def __init__(self) -> None:
        super().__init__()
        self.cancelled = threading.Event()

    def search(
        self,
        query: str,
        limit: int | None = None,
        join_adjacent: bool = False,
        should_stop: Callable[[], bool] | None = None,
    ) -> SearchResult:
        if query == "slow":
            assert should_stop is not None
            self.started.set()
            while not should_stop():
                self.release.wait(0.002)  # a worker polling its flag, as between documents
            self.cancelled.set()
        return SearchResult(query, (), 0)


def test_a_superseded_search_stops_running(qtbot: QtBot, service: SearchService) -> None:
    slow = CancellableIndex()
    service.set_index(slow)
    service.search("slow")
    assert slow.started.wait(10)
    with qtbot.waitSignal(service.results_ready, timeout=10_000) as blocker:
        service.search("fast")
    assert slow.cancelled.wait(10)
    assert blocker.args[0].query == "fast"
