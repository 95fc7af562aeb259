"""The search index's cache (reopen, rebuild when missing / stale / corrupt / left by a dead process), notes,
threads and edge cases."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from search_samples import split_paragraphs

from desktop_app.paths import resource_path
from desktop_app.search import store
from desktop_app.search.index import INDEX_SCHEMA_VERSION, SearchIndex

SHA = "0437f9af2b30a0a6"


@pytest.fixture(scope="module")
def excerpt() -> str:
    """The first ~3,000 words of the seed (fast to index)."""
    text = resource_path("transcripts", "lex-383-mark-zuckerberg.txt").read_text(encoding="utf-8")
    return text[:16_000].rsplit(" ", 1)[0]


def open_index(cache: Path, text: str, sha: str = SHA, **kwargs: object) -> SearchIndex:
    return SearchIndex.open_or_build(cache, sha, text, split_paragraphs(text), **kwargs)


def folder(cache: Path, sha: str = SHA) -> Path:
    return cache / f"{sha}-v{INDEX_SCHEMA_VERSION}"


def segment_file(cache: Path) -> Path:
    (seg,) = folder(cache).glob("*.seg")
    return seg


def test_builds_once_then_reopens_from_cache(tmp_path: Path, excerpt: str) -> None:
    reported: list[float] = []
    first = open_index(tmp_path, excerpt, progress=reported.append)
    assert first.built and first.folder == folder(tmp_path)
    assert reported == sorted(reported) and reported[-1] == 1.0 and len(reported) > 3
    expected = first.search("jiu jitsu")
    assert expected.total > 0
    mtime = segment_file(tmp_path).stat().st_mtime_ns
    again = open_index(tmp_path, excerpt)
    assert not again.built
    assert again.search("jiu jitsu") == expected
    assert segment_file(tmp_path).stat().st_mtime_ns == mtime
    assert [p.name for p in tmp_path.iterdir()] == [folder(tmp_path).name]  # no leftovers


@pytest.mark.parametrize("damage", ["truncate", "garbage", "delete", "meta", "vocabulary"])
def test_rebuilds_a_corrupt_index(tmp_path: Path, excerpt: str, damage: str) -> None:
    expected = open_index(tmp_path, excerpt).search("facebook")
    seg = segment_file(tmp_path)
    if damage == "truncate":
        seg.write_bytes(seg.read_bytes()[: seg.stat().st_size // 2])
    elif damage == "garbage":
        data = bytearray(seg.read_bytes())
        data[100:400] = os.urandom(300)
        seg.write_bytes(bytes(data))
    elif damage == "delete":
        seg.unlink()
    elif damage == "meta":
        (folder(tmp_path) / store.META_FILE).write_text("{not json", encoding="utf-8")
    else:
        (folder(tmp_path) / store.VOCAB_FILE).write_text('{"a": 1}', encoding="utf-8")
    rebuilt = open_index(tmp_path, excerpt)
    assert rebuilt.built
    assert rebuilt.search("facebook") == expected
    assert not open_index(tmp_path, excerpt).built  # and the repaired cache is used next time


def test_rebuilds_when_the_schema_version_or_the_paragraphs_change(
    tmp_path: Path, excerpt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_index(tmp_path, excerpt)
    meta_path = folder(tmp_path) / store.META_FILE
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["schema_version"] = INDEX_SCHEMA_VERSION - 1
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    assert open_index(tmp_path, excerpt).built
    assert not open_index(tmp_path, excerpt).built
    resplit = SearchIndex.open_or_build(tmp_path, SHA, excerpt, split_paragraphs(excerpt, 50))
    assert resplit.built and resplit.search("facebook").hits[0].paragraph >= 0
    # a new schema version uses a new folder
    monkeypatch.setattr(store, "INDEX_SCHEMA_VERSION", INDEX_SCHEMA_VERSION + 1)
    newer = open_index(tmp_path, excerpt)
    assert newer.built and newer.folder == tmp_path / f"{SHA}-v{INDEX_SCHEMA_VERSION + 1}"
    assert [p.name for p in tmp_path.iterdir()] == [newer.folder.name]  # the old version's folder is gone


LOCK_HOLDER = """
import os, sys
from whoosh.filedb.filestore import FileStorage
from desktop_app.search import store
folder = os.path.join(sys.argv[1], store.folder_name(sys.argv[2]) + f".build-{os.getpid()}-dead")
os.makedirs(folder)
storage = FileStorage(folder).create()
from desktop_app.search.query import make_schema
index = storage.create_index(make_schema(), indexname=store.INDEX_NAME)
writer = index.writer()  # holds the write lock
writer.add_document(content="half written")
print(folder, flush=True)
sys.stdin.read()  # wait to be killed
"""


def test_a_build_left_half_done_by_a_dead_process_is_replaced(tmp_path: Path, excerpt: str) -> None:
    root = Path(__file__).resolve().parent.parent
    with subprocess.Popen(
        [sys.executable, "-c", LOCK_HOLDER, str(tmp_path), SHA],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
    ) as holder:
        assert holder.stdout is not None
        leftover = Path(holder.stdout.readline().strip())
        holder.kill()
    assert (leftover / f"{store.INDEX_NAME}_WRITELOCK").exists()
    index = open_index(tmp_path, excerpt)
    assert index.built and index.search("facebook").total > 0
    assert not leftover.exists()
    assert not open_index(tmp_path, excerpt).built


def test_a_build_in_progress_in_a_live_process_is_left_alone(tmp_path: Path, excerpt: str) -> None:
    other = tmp_path / f"{store.folder_name(SHA)}.build-{os.getpid()}-live"
    other.mkdir()
    assert open_index(tmp_path, excerpt).built
    assert other.exists()


def test_two_openers_at_once_both_succeed(tmp_path: Path, excerpt: str) -> None:
    results: list[SearchIndex] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(open_index(tmp_path, excerpt))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(results) == 3
    assert len({r.search("zuckerberg") for r in results}) == 1
    assert [p.name for p in tmp_path.iterdir()] == [folder(tmp_path).name]
    assert not open_index(tmp_path, excerpt).built


def test_unusable_cache_falls_back_to_memory(tmp_path: Path, excerpt: str) -> None:
    not_a_dir = tmp_path / "cache"
    not_a_dir.write_text("a file", encoding="utf-8")
    index = open_index(not_a_dir, excerpt)
    assert index.built and index.folder is None
    assert index.search("facebook").total > 0


@pytest.mark.parametrize(
    ("text", "paragraphs"),
    [("", []), ("", [(0, 0)]), ("... !!! ???", [(0, 11)]), ("hello world", [(5, 3), (-4, 99)])],
)
def test_empty_and_odd_texts(tmp_path: Path, text: str, paragraphs: list[tuple[int, int]]) -> None:
    index = SearchIndex.open_or_build(tmp_path, "empty", text, paragraphs)
    result = index.search("hello")
    assert result.error is None
    assert result.total == text.count("hello")
    for hit in result.hits:
        assert text[hit.start : hit.end] == "hello"
    assert index.search("").error is None and index.search("").total == 0
    assert not SearchIndex.open_or_build(tmp_path, "empty", text, paragraphs).built


def test_set_notes_replaces_all_notes(tmp_path: Path, excerpt: str) -> None:
    index = open_index(tmp_path, excerpt)
    index.set_notes([("a", "first thought about llamas", 10, 20), ("b", "second thought", 30, 40)])
    assert [h.note_id for h in index.search("thought").hits] == ["a", "b"]
    index.set_notes([("b", "a rewritten note", 30, 40)])
    assert index.search("thought").total == 0
    assert [h.note_id for h in index.search("note:rewritten").hits] == ["b"]
    assert index.search("rewriten").suggestion == "rewritten"
    index.set_notes([])
    assert index.search("rewritten").total == 0


def test_concurrent_searches_and_note_updates(tmp_path: Path, excerpt: str) -> None:
    index = open_index(tmp_path, excerpt)
    expected = index.search("meta OR facebook")
    failures: list[str] = []

    def search() -> None:
        for _ in range(20):
            if index.search("meta OR facebook").hits[-1] != expected.hits[-1]:
                failures.append("different result")

    def write() -> None:
        for number in range(20):
            index.set_notes([(str(number), f"note number {number}", 0, 5)])

    threads = [threading.Thread(target=search) for _ in range(3)] + [threading.Thread(target=write)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert [h.note_id for h in index.search("note:number").hits] == ["19"]


def test_search_after_close_reports_an_error(tmp_path: Path, excerpt: str) -> None:
    index = open_index(tmp_path, excerpt)
    index.close()
    result = index.search("meta")
    assert result.total == 0 and result.error


def test_a_paragraph_longer_than_32_kb_is_searched_to_its_end(tmp_path: Path) -> None:
    """Whoosh's highlighter stops at 32 KB of a field by default; hits here come from the postings."""
    filler = "lorem ipsum dolor sit amet " * 3000  # ~81 KB
    text = filler + "zanzibar at the very end " + filler + "zanzibar"
    index = SearchIndex.open_or_build(tmp_path, "long", text, [(0, len(text))])
    result = index.search("zanzibar")
    assert [text[h.start : h.end] for h in result.hits] == ["zanzibar", "zanzibar"]
    assert result.hits[-1].end == len(text)
    assert result.hits[0].start == len(filler)
    phrase = index.search('"the very end"')
    assert [text[h.start : h.end] for h in phrase.hits] == ["the very end"]


def test_the_faster_skip_to_lands_where_whooshs_own_does(tmp_path: Path, excerpt: str) -> None:
    import random

    from whoosh.codec import whoosh3

    from desktop_app.search import _speedups

    assert _speedups.install() and _speedups.original_skip_to is not None
    index = SearchIndex.open_or_build(tmp_path, SHA, excerpt * 3, split_paragraphs(excerpt * 3, 5))
    searcher = index._searcher(index._index)
    rng = random.Random(7)
    for word in ("the", "and", "facebook", "jiu", "s"):
        ours, theirs = searcher.postings("content", word), searcher.postings("content", word)
        assert isinstance(ours, whoosh3.W3LeafMatcher)
        target = 0
        while ours.is_active():
            target += rng.choice((1, 2, 3, 40, 130, 300))
            ours.skip_to(target)
            _speedups.original_skip_to(theirs, target)
            assert ours.is_active() == theirs.is_active()
            if ours.is_active():
                assert ours.id() == theirs.id() >= target
                assert ours.value_as("characters") == theirs.value_as("characters")


OPENER = """
import sys
from pathlib import Path
from desktop_app.search.index import SearchIndex
text = Path(sys.argv[2]).read_text(encoding="utf-8")
words = text.split(" ")
paragraphs, start = [], 0
for i in range(0, len(words), 80):
    chunk = " ".join(words[i : i + 80])
    paragraphs.append((start, start + len(chunk)))
    start += len(chunk) + 1
index = SearchIndex.open_or_build(Path(sys.argv[1]), "shared", text, paragraphs)
print(index.search("facebook").total, flush=True)
"""


def test_two_processes_opening_the_same_document_at_once(tmp_path: Path, excerpt: str) -> None:
    root = Path(__file__).resolve().parent.parent
    source = tmp_path / "excerpt.txt"
    source.write_text(excerpt, encoding="utf-8")
    cache = tmp_path / "cache"
    command = [sys.executable, "-c", OPENER, str(cache), str(source)]
    env = {**os.environ, "PYTHONPATH": str(root)}
    processes = [
        subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=root, env=env) for _ in range(3)
    ]
    outputs = [p.communicate(timeout=60)[0].strip() for p in processes]
    assert [p.returncode for p in processes] == [0, 0, 0]
    assert len(set(outputs)) == 1 and int(outputs[0]) > 0
    assert [p.name for p in cache.iterdir()] == [f"shared-v{INDEX_SCHEMA_VERSION}"]
