"""The outline's two stages in the running app: the first chapters at once, then the refined ones (contextual
encoder) replacing them, cached so that the next opening shows the refined ones straight away; a user's edit
made meanwhile is kept."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from desktop_app.document import OutlineSuperseded
from desktop_app.library import derived
from desktop_app.outline import chapters
from desktop_app.settings import Settings

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tests.views.conftest import WindowHarness


def _episode(tmp_path: Path, seed_text: str) -> Path:
    """The first 9,000 words of the seed: long enough for a dozen chapters, refined in a few seconds."""
    path = tmp_path / "episode.txt"
    path.write_text(" ".join(seed_text.split()[:9000]), encoding="utf-8")
    return path


def _rows(sections: list) -> list[tuple[str, int, int]]:
    return [(s.title, s.start, s.end) for s in sections]


def _settled_rows(qtbot, harness: WindowHarness) -> list[tuple[str, int, int]]:
    """Wait until the document service has sent its last outline of the request (the refined one), and give it."""
    qtbot.waitUntil(lambda: harness.service.outline_settled, timeout=120_000)
    return _rows(harness.service.sections)


def _refined_in_cache(harness: WindowHarness) -> list[tuple[str, int, int]] | None:
    document = harness.service.document
    text = document.transcript.text
    cached = derived.cached_sections(harness.dirs.cache, document.sha256, text, 1.0, refined=True)
    return None if cached is None else _rows(cached)


def test_the_refined_chapters_replace_the_first_and_open_at_once_next_time(
    qtbot, tmp_path: Path, seed_text: str, private_harness: Callable[[], WindowHarness]
) -> None:
    path = _episode(tmp_path, seed_text)
    harness = private_harness()
    window = harness.start(refine_outline=True)
    notices: list[str] = []
    harness.session.notice.connect(notices.append)
    with qtbot.waitSignal(harness.service.outline_ready, timeout=60_000):
        harness.open(path)
    assert _refined_in_cache(harness) is None  # the first outline: the refined one is on its way
    assert window.outline_panel.model.rowCount() >= 3
    refined_rows = _settled_rows(qtbot, harness)
    assert f"Chapters refined: {len(refined_rows)} chapters" in notices  # why the list just changed
    with qtbot.waitSignal(harness.service.outline_ready, timeout=60_000):
        harness.session.set_granularity(2.0)
    qtbot.waitUntil(lambda: harness.service.outline_settled, timeout=120_000)
    notices.clear()
    with qtbot.waitSignal(harness.service.outline_ready, timeout=60_000) as back:
        harness.session.set_granularity(1.0)  # refined before: from the cache, no news
    assert _rows(back.args[0]) == refined_rows and harness.service.outline_settled
    assert not [n for n in notices if n.startswith("Chapters refined")]
    assert _refined_in_cache(harness) == refined_rows
    assert _rows(harness.session.sections) == refined_rows
    shown = [window.outline_panel.model.index(r, 0).data() for r in range(len(refined_rows))]
    assert shown == [f"{i + 1}. {title}" for i, (title, _start, _end) in enumerate(refined_rows)]
    harness.stop()

    again = private_harness()  # a restart: the refined chapters come from the cache, first
    again.start(refine_outline=True)
    with qtbot.waitSignal(again.service.outline_ready, timeout=60_000) as first:
        again.open(path)
    assert _rows(first.args[0]) == refined_rows


def test_a_chapter_renamed_before_the_refined_outline_arrives_keeps_its_name(
    qtbot, tmp_path: Path, seed_text: str, private_harness: Callable[[], WindowHarness]
) -> None:
    harness = private_harness()
    harness.start(refine_outline=True)
    with qtbot.waitSignal(harness.service.outline_ready, timeout=60_000):
        harness.open(_episode(tmp_path, seed_text))
    qtbot.waitUntil(lambda: harness.annotations.ready, timeout=10_000)
    harness.session.rename_chapter(1, "What I call it")
    edited = [(s.title, s.start) for s in harness.session.sections]
    _settled_rows(qtbot, harness)  # the refined outline has arrived underneath
    assert harness.session.outline_source == "edited"
    assert [(s.title, s.start) for s in harness.session.sections] == edited
    assert harness.session.sections[1].title == "What I call it"


def test_a_failed_refinement_keeps_the_first_chapters_and_clears_the_progress(
    qtbot, tmp_path: Path, seed_text: str, private_harness: Callable[[], WindowHarness], monkeypatch
) -> None:
    def broken(*_args: object) -> None:
        raise MemoryError("no room for the encoder's batches")

    monkeypatch.setattr(chapters, "unit_embeddings", broken)
    harness = private_harness()
    window = harness.start(refine_outline=True)
    failures: list[tuple[str, str]] = []
    harness.service.stage_failed.connect(lambda stage, message: failures.append((stage, message)))
    with qtbot.waitSignal(harness.service.outline_ready, timeout=60_000) as first:
        harness.open(_episode(tmp_path, seed_text))
    with qtbot.waitSignal(harness.service.outline_ready, timeout=60_000) as settled:
        pass  # the refinement failed: the first outline is the outline (the smoke test waits on this)
    assert harness.service.outline_settled
    assert _rows(settled.args[0]) == _rows(first.args[0])
    assert _rows(harness.session.sections) == _rows(first.args[0])
    assert not failures  # no "Outline unavailable" over chapters on screen
    assert not window.status.progress_bar.isVisible()
    assert _refined_in_cache(harness) is None


def test_another_granularity_stops_the_refinement_under_way(
    qtbot, tmp_path: Path, seed_text: str, private_harness: Callable[[], WindowHarness], monkeypatch
) -> None:
    entered, gate, outcomes = threading.Event(), threading.Event(), []

    def held(_text: str, _spans: object, _units: object, report: Callable[[float], None]) -> None:
        entered.set()
        gate.wait(60)
        try:
            report(0.5)
        except OutlineSuperseded:
            outcomes.append("stopped")
            raise
        outcomes.append("went on")

    monkeypatch.setattr(chapters, "unit_embeddings", held)
    harness = private_harness()
    window = harness.start(refine_outline=True)
    with qtbot.waitSignal(harness.service.outline_ready, timeout=60_000):
        harness.open(_episode(tmp_path, seed_text))
    count = window.outline_panel.model.rowCount()
    qtbot.waitUntil(entered.is_set, timeout=60_000)  # the refinement is under way
    with qtbot.waitSignal(harness.service.outline_ready, timeout=60_000) as more:
        harness.session.set_granularity(2.0)
    assert len(more.args[0]) > count
    gate.set()
    qtbot.waitUntil(lambda: harness.service.outline_settled, timeout=60_000)
    qtbot.waitUntil(lambda: len(outcomes) == 2, timeout=60_000)
    assert sorted(outcomes) == ["stopped", "went on"]
    assert len(harness.session.sections) == len(more.args[0])  # the stale stage sent nothing


def test_the_view_menu_turns_refinement_on_for_the_open_episode_and_the_next_run(
    qtbot, tmp_path: Path, seed_text: str, private_harness: Callable[[], WindowHarness]
) -> None:
    path = _episode(tmp_path, seed_text)
    harness = private_harness()
    window = harness.start()
    with qtbot.waitSignal(harness.service.outline_ready, timeout=60_000) as plain:
        harness.open(path)
    first_rows = _rows(plain.args[0])
    assert harness.service.outline_settled and _refined_in_cache(harness) is None  # off by default
    action = window.menu.refine_outline_action
    assert not action.isChecked()
    with qtbot.waitSignal(harness.service.outline_ready, timeout=60_000):
        action.trigger()  # the first outline again (from the cache), then the refined one
    qtbot.waitUntil(
        lambda: harness.service.outline_settled and _refined_in_cache(harness) is not None, timeout=120_000
    )
    refined_rows = _refined_in_cache(harness)
    assert refined_rows is not None and _rows(harness.session.sections) == refined_rows
    harness.stop()

    again = private_harness()
    window = again.start()
    assert window.menu.refine_outline_action.isChecked()  # kept between runs
    with qtbot.waitSignal(again.service.outline_ready, timeout=60_000) as first:
        again.open(path)
    assert _rows(first.args[0]) == refined_rows
    with qtbot.waitSignal(again.service.outline_ready, timeout=60_000) as first_only:
        window.menu.refine_outline_action.trigger()  # off: the first outline
    assert _rows(first_only.args[0]) == first_rows
    assert again.service.outline_settled
    # the refined chapters are forgotten, so search, export and the library name the ones on screen
    qtbot.waitUntil(lambda: _refined_in_cache(again) is None, timeout=30_000)
    document = again.service.document
    named = derived.sections_of(document.transcript, document.readable, again.dirs.cache)
    assert _rows(named) == first_rows


def test_turning_refinement_off_while_it_runs_clears_its_progress(
    qtbot, tmp_path: Path, seed_text: str, private_harness: Callable[[], WindowHarness], monkeypatch
) -> None:
    entered, gate = threading.Event(), threading.Event()

    def held(_text: str, _spans: object, _units: object, report: Callable[[float], None]) -> None:
        entered.set()
        gate.wait(60)
        report(0.5)  # stopped here: a newer request

    monkeypatch.setattr(chapters, "unit_embeddings", held)
    harness = private_harness()
    window = harness.start(refine_outline=True)
    with qtbot.waitSignal(harness.service.outline_ready, timeout=60_000) as first:
        harness.open(_episode(tmp_path, seed_text))
    qtbot.waitUntil(entered.is_set, timeout=60_000)
    qtbot.waitUntil(lambda: window.status.progress_label.text() == "Refining chapters…", timeout=60_000)
    with qtbot.waitSignal(harness.service.outline_ready, timeout=60_000) as plain:
        window.menu.refine_outline_action.trigger()  # off: the first outline, from the cache
    gate.set()
    assert harness.service.outline_settled
    assert _rows(plain.args[0]) == _rows(first.args[0])
    assert window.status.progress_label.text() != "Refining chapters…"
    # the bar is hidden, or it is another stage's, with its own label (the search index may still be built)
    assert not window.status.progress_bar.isVisible() or window.status.progress_label.text() in (
        "Indexing for search…",
    ), window.status.progress_label.text()


def test_without_the_encoder_file_the_option_is_not_offered(
    qtbot, private_harness: Callable[[], WindowHarness], monkeypatch
) -> None:
    """The packaged app leaves the 21 MB encoder out (packaging/transcript-reader.spec): no dead menu item."""
    from desktop_app import session as session_module

    monkeypatch.setattr(session_module, "outline_encoder_present", lambda: False)
    harness = private_harness()
    Settings(harness.dirs.settings_file).refine_outline = True  # saved by a build that had the encoder
    assert not harness.start().menu.refine_outline_action.isVisible()
    assert not harness.session.refine_outline and not harness.service.refine_outline  # no dead second stage
    harness.stop()
    monkeypatch.setattr(session_module, "outline_encoder_present", lambda: True)
    assert private_harness().start().menu.refine_outline_action.isVisible()
