"""The library index: one Whoosh document per paragraph, episodes as a field, incremental and resumable."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from desktop_app.library.index import LibraryIndex, prepare_episode
from desktop_app.transcript import load_transcript

DATA = Path(__file__).parent / "data" / "library"
FILES = sorted(str(p) for p in DATA.iterdir())


@pytest.fixture
def opened(tmp_path):
    indexes = []

    def open_index(folder=tmp_path):
        indexes.append(LibraryIndex.open(folder))
        return indexes[-1]

    yield open_index
    for index in indexes:
        index.close()


def _wanted(files=FILES):
    return [(load_transcript(f).sha256, f, None) for f in files]


def test_search_finds_words_across_episodes_grouped_by_episode(tmp_path, opened):
    index = opened()
    report = index.sync(_wanted(), tmp_path)
    assert len(report.added) == 3 and not report.failed
    result = index.search("patience")
    assert result.total >= 3 and result.episodes_indexed == 3
    assert len({h.document for h in result.hits}) == 3
    groups = result.groups()
    assert [g.document for g in groups] == list(dict.fromkeys(h.document for h in result.hits))
    for hit in result.hits:
        text = load_transcript(hit.path).text
        assert text[hit.start : hit.end].lower() == "patience"
        assert "patience" in hit.snippet.lower()


def test_episodes_indexed_by_an_older_app_are_indexed_again(tmp_path, opened, monkeypatch):
    """Chapter titles and speaker labels come from the outline and speaker passes: when those change, the
    library's copies follow (an index made before keeps its words searchable meanwhile)."""
    from desktop_app.library import index as index_module

    index = opened()
    index.sync(_wanted(), tmp_path)
    assert not index.sync(_wanted(), tmp_path).added  # the same app: nothing to do
    monkeypatch.setattr(index_module, "derived_version", lambda _refined=False: "outline-next|speakers-next")
    report = index.sync(_wanted(), tmp_path)
    assert len(report.added) == 3 and not report.removed
    assert {r["derived"] for r in index.indexed().values()} == {"outline-next|speakers-next"}
    assert index.search("patience").episodes_indexed == 3


def test_an_episode_whose_outline_the_reader_refined_is_indexed_again_with_those_chapters(tmp_path, opened):
    from desktop_app.library import derived

    index = opened()
    index.sync(_wanted(), tmp_path)
    transcript = load_transcript(FILES[0])
    readable = derived.readable_of(transcript, tmp_path, speakers=True)
    refined, _was = derived.outline_stage(
        transcript.text, transcript.sha256, readable, 1.0, transcript.speakers, True, tmp_path
    )
    report = index.sync(_wanted(), tmp_path)
    assert report.added == [transcript.sha256]  # the others are as they were
    record = index.indexed()[transcript.sha256]
    assert record["derived"] == derived.derived_version(refined=True) != derived.derived_version()
    assert record["sections"] == [s.title for s in refined]
    assert not index.sync(_wanted(), tmp_path).added
    assert derived.forget_refined_outlines(tmp_path) == 1  # the reader turned refining off
    report = index.sync(_wanted(), tmp_path)
    assert report.added == [transcript.sha256]
    first = derived.sections_of(transcript, readable, tmp_path, refine=False)
    assert index.indexed()[transcript.sha256]["sections"] == [s.title for s in first]
    assert index.indexed()[transcript.sha256]["derived"] == derived.derived_version()


def test_phrases_are_checked_on_the_text(tmp_path, opened):
    index = opened()
    index.sync(_wanted(), tmp_path)
    hits = index.search('"open source"').hits
    assert {Path(h.path).name for h in hits} == {"rocket-episode.txt"}
    text = load_transcript(hits[0].path).text
    assert text[hits[0].start : hits[0].end] == "open source"
    assert index.search('"source open"').total == 0
    assert index.search("sourdough bread").hits[0].to_json()["title"]


def test_sync_is_incremental_and_removes_what_left_the_library(tmp_path, opened):
    index = opened()
    index.sync(_wanted(FILES[:1]), tmp_path)
    assert len(index.indexed()) == 1
    report = index.sync(_wanted(), tmp_path)
    assert len(report.added) == 2
    report = index.sync(_wanted(FILES[1:]), tmp_path)
    assert not report.added and len(report.removed) == 1
    assert set(index.indexed()) == {sha for sha, _, _ in _wanted(FILES[1:])}
    assert index.search("sourdough").total == 0 or "bakery" not in FILES[0]


def test_adding_an_episode_twice_does_not_duplicate_it(tmp_path, opened):
    index = opened()
    episode = prepare_episode(FILES[1], tmp_path)
    index.add([episode])
    index.add([episode])
    assert index.search("marigolds").total == 1


def test_bad_queries_and_unreadable_files_are_reported(tmp_path, opened):
    index = opened()
    report = index.sync([("0" * 64, str(tmp_path / "absent.txt"), None)], tmp_path)
    assert report.failed and not index.indexed()
    assert index.search("   ").hits == ()
    for query in ("science", '"open source"', "sci*", "a NOT b"):  # an empty index answers, without an error
        result = index.search(query)
        assert (result.total, result.error) == (0, None)


def test_a_killed_indexing_process_leaves_an_index_the_next_run_completes(tmp_path, opened):
    folder = tmp_path / "episodes"
    folder.mkdir()
    for number in range(6):
        for source in FILES:
            name = Path(source).name
            text = Path(source).read_text(encoding="utf-8")
            (folder / f"{number}-{name}").write_text(text + f" variant number {number}\n", encoding="utf-8")
    files = sorted(str(p) for p in folder.iterdir())
    child = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from desktop_app.library import index as library_index
        from desktop_app.transcript import load_transcript
        library_index.COMMIT_EVERY_S = 0.0
        files = {files!r}
        wanted = [(load_transcript(f).sha256, f, None) for f in files]
        ix = library_index.LibraryIndex.open(Path({str(tmp_path)!r}))

        def committed(count):
            print(count, flush=True)
            if count >= 2:
                sys.stdin.readline()  # wait here to be killed

        ix.sync(wanted, Path({str(tmp_path)!r}), committed=committed)
        """
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    with subprocess.Popen(
        [sys.executable, "-c", child], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
    ) as process:
        assert process.stdout is not None
        seen = 0
        while seen < 2:
            line = process.stdout.readline()
            assert line, "the indexing process ended early"
            seen = int(line)
        process.send_signal(signal.SIGKILL)
        process.wait()
    index = opened()
    partial = len(index.indexed())
    assert 2 <= partial < len(files)
    report = index.sync(_wanted(files), tmp_path)
    assert len(report.added) == len(files) - partial
    assert len(index.indexed()) == len(files)
    assert index.search("marigolds").total == 6


@pytest.mark.parametrize(
    "query", ["patience", "soil patience", "rocket OR bread", "patience NOT soil", "the", "absentword"]
)
def test_array_scoring_finds_and_orders_what_whoosh_does(tmp_path, opened, query):
    from desktop_app.library.index import _arrays_of, _without_phrases
    from desktop_app.library.postings import top
    from desktop_app.search.query import parse_query

    index = opened()
    index.sync(_wanted(), tmp_path)
    index.set_notes(_wanted()[0][0], [("n1", "patience is a virtue of soil", 0, 10)])
    whoosh_query, _ = _without_phrases(parse_query(query).query)
    with index._leased() as searcher:
        expected = searcher.search(whoosh_query, limit=None)
        ids, scores = _arrays_of(searcher).evaluate(whoosh_query)
        assert len(ids) == len(expected)
        ranked = [int(ids[p]) for p in top(ids, scores, None)]
        assert ranked == [hit.docnum for hit in expected]
        assert [round(float(scores[p]), 4) for p in top(ids, scores, None)] == [
            round(hit.score, 4) for hit in expected
        ]
        if len(ids) > 2:
            assert [int(ids[p]) for p in top(ids, scores, 2)] == ranked[:2]


def test_wildcards_and_fuzzy_words_still_work(tmp_path, opened):
    index = opened()
    index.sync(_wanted(), tmp_path)
    assert index.search("patien*").total == index.search("patience").total > 0
    assert index.search("soill~").total == index.search("soil").total > 0


def test_hits_name_who_speaks(tmp_path, opened):
    index = opened()
    index.sync(_wanted(), tmp_path)
    hits = index.search("patience", limit=None).hits
    assert hits and all(hit.speaker for hit in hits)
    assert all(hit.to_json()["speaker"] == hit.speaker for hit in hits)


def test_an_indexing_process_with_preparing_workers_indexes_everything(tmp_path, opened):
    import multiprocessing

    from desktop_app.library.index import POOL_MIN_EPISODES, run_sync_process

    folder = tmp_path / "episodes"
    folder.mkdir()
    for number in range(POOL_MIN_EPISODES // len(FILES) + 1):
        for source in FILES:
            text = Path(source).read_text(encoding="utf-8") + f" variant number {number}\n"
            (folder / f"{number}-{Path(source).name}").write_text(text, encoding="utf-8")
    files = sorted(str(p) for p in folder.iterdir())
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=run_sync_process, args=(_wanted(files), tmp_path, theirs, 2))
    process.start()
    theirs.close()
    while True:
        kind, value = ours.recv()
        if kind == "done":
            break
    process.join(timeout=60)
    assert len(value.added) == len(files) and not value.failed
    index = opened()
    assert len(index.indexed()) == len(files)
    assert index.search("marigolds").total == len(files) // len(FILES)


def test_an_indexing_process_whose_app_has_gone_stops_quietly(tmp_path):
    import multiprocessing

    from desktop_app.library.index import run_sync_process

    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    ours.close()  # the app is gone before the indexer says anything
    errors = tmp_path / "stderr.txt"
    process = context.Process(
        target=_run_with_stderr, args=(run_sync_process, errors, _wanted(), tmp_path, theirs)
    )
    process.start()
    theirs.close()
    process.join(timeout=120)
    assert process.exitcode == 0
    assert "Traceback" not in errors.read_text(encoding="utf-8")


def _run_with_stderr(target, errors_path, *args):
    import sys

    with open(errors_path, "w", encoding="utf-8") as errors:
        sys.stderr = errors
        target(*args)


def test_the_paragraph_table_agrees_with_the_stored_fields(tmp_path, opened):
    from desktop_app.library.index import KIND_PARAGRAPH, _table_of

    index = opened()
    index.sync(_wanted(FILES[:2]), tmp_path)
    index.set_notes(_wanted()[0][0], [("n1", "a note on patience", 0, 10)])
    index.sync(_wanted(), tmp_path)  # a second segment
    index.remove([_wanted()[1][0]])  # deletions
    with index._leased() as searcher:
        table = _table_of(searcher)
        paragraphs = 0
        for docnum in range(searcher.doc_count_all()):
            if searcher.reader().is_deleted(docnum):
                continue
            stored = searcher.stored_fields(docnum)
            where = table.location(docnum)
            if stored.get("kind") != KIND_PARAGRAPH:
                assert where is None
                continue
            paragraphs += 1
            assert where is not None
            assert (where.info["key"], where.start, where.end, where.section, where.speaker) == (
                stored["loc"][0],
                *stored["loc"][2:],
            )
    assert paragraphs == index.paragraph_count() - 1  # and the note


def test_a_retired_searcher_is_freed_without_the_cyclic_garbage_collector(tmp_path, opened):
    import gc
    import weakref

    index = opened()
    index.sync(_wanted(), tmp_path)
    gc.collect()
    gc.disable()  # what matters: freed at once, not at the next full collection (200-300 ms on the GUI thread)
    try:
        index.search("patience")  # the searcher gets its arrays and table
        with index._leased() as searcher:
            freed = weakref.ref(searcher)
            del searcher
        index._retire_searchers()  # a commit
        assert freed() is None
    finally:
        gc.enable()


def test_passages_join_short_paragraphs_of_one_speaker_in_one_chapter() -> None:
    from desktop_app.library.index import passages

    text = "a b c. d e. f g h. i j. k l m n. o p."
    ranges = [(0, 6), (7, 11), (12, 18), (19, 23), (24, 32), (33, 37)]
    sections = [0, 0, 0, 0, 1, 1]
    speakers = [0, 0, 1, 1, 1, 1]
    units = passages(ranges, sections, speakers, text, max_words=6)
    # the host's two short turns join; the guest's join up to 6 words; a new chapter starts a new passage
    assert units == [(0, 11, 0, 0), (12, 23, 0, 1), (24, 37, 1, 1)]
    assert passages(ranges, sections, speakers, text, max_words=2) == [
        (0, 6, 0, 0),
        (7, 11, 0, 0),
        (12, 18, 0, 1),
        (19, 23, 0, 1),
        (24, 32, 1, 1),
        (33, 37, 1, 1),
    ]


def test_an_older_format_index_folder_is_removed(tmp_path) -> None:
    from desktop_app.library.index import INDEX_FOLDER, LibraryIndex

    stale = tmp_path / "library-index-v2"
    (stale / "x").mkdir(parents=True)
    LibraryIndex.open(tmp_path).close()
    assert not stale.exists() and (tmp_path / INDEX_FOLDER).is_dir()
