"""One Whoosh index over the whole library: a Whoosh document per passage (a reader paragraph, or a few short
consecutive ones of one speaker in one chapter: ``passages``), the episode as a field.

Layout: a Whoosh ``FileStorage`` folder (``<cache>/library-index/``). Each episode is written in one commit
together with an *episode record* (a document of kind ``episode`` holding its title, path and counts), and an
episode is always deleted before it is written, so:

* the index is complete for an episode exactly when its record is there (:meth:`LibraryIndex.indexed`);
* a process killed mid-write leaves the last commit intact (Whoosh publishes a commit by renaming its table of
  contents; its write lock is an OS lock that dies with the process), and the next :meth:`LibraryIndex.sync`
  writes the episodes still missing;
* adding an episode again never duplicates it.

Paragraph documents store their offsets and chapter; the episode's text is kept beside the index, compressed
(``texts/<sha256>.z``, written before the commit), so a hit's snippet needs no access to the file. Queries use the single-document search's language (``search/query.py``).
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import logging
import os
import re
import shutil
import threading
import time
import zlib
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whoosh import fields
from whoosh import query as wq
from whoosh.filedb.filestore import FileStorage
from whoosh.index import Index, LockError

from desktop_app.library.derived import derived_version, readable_of, refined_cached, sections_of
from desktop_app.library.doctable import DocTable
from desktop_app.library.postings import PostingArrays, top
from desktop_app.library.results import LibraryHit, LibraryResult
from desktop_app.search.query import CONTENT, NOTE, make_analyzer, parse_query, stem_words, walk
from desktop_app.search.snippets import make_snippet
from desktop_app.timeline import chapter_at
from desktop_app.transcript import TranscriptError, load_transcript

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence

    from whoosh.searching import Searcher

logger = logging.getLogger(__name__)

LIBRARY_SCHEMA_VERSION = 3  # 3: passages of consecutive short paragraphs (``passages``)
INDEX_NAME = "LIBRARY"
INDEX_FOLDER = f"library-index-v{LIBRARY_SCHEMA_VERSION}"
# Consecutive paragraphs of one speaker in one chapter are indexed together up to this many words: the reader's
# short turns would otherwise make one index document each (index 1.8x the text instead of 1.4x).
PASSAGE_WORDS = 60
KIND_PARAGRAPH = "p"
KIND_EPISODE = "episode"
KIND_NOTE = "note"
COMMIT_EVERY_S = 3.0
"""Episodes written since the last commit are published after this long (what a search sees meanwhile)."""
DEFAULT_LIMIT = 50
INDEXER_NICENESS = 10
"""The indexing process runs at a lower priority."""
MAX_INDEXING_WORKERS = 4
POOL_MIN_EPISODES = 12
"""Fewer episodes to index are prepared by the indexing process itself."""
MAX_IDLE_SEARCHERS = 2
PHRASE_CHECK_LIMIT = 400
PHRASE_CHECK_MIN = 60
"""Candidate paragraphs checked for a phrase: at least MIN (once ``limit`` hits are found) and at most LIMIT;
when not all were checked, the total is extrapolated from the share that held the phrase."""


def make_library_schema() -> fields.Schema:
    """The library schema: the single-document search's text fields (without positions: phrases are checked
    on the paragraph text, which halves the index), the episode, and a small stored location per paragraph."""
    analyzer = make_analyzer()
    return fields.Schema(
        kind=fields.ID(stored=True),
        doc=fields.ID(),
        loc=fields.STORED(),  # (episode key, paragraph number, start, end, chapter number, speaker number)
        info=fields.STORED(),  # the episode record: sha256, title, path, chapters…
        **{
            CONTENT: fields.TEXT(analyzer=analyzer, phrase=False),
            NOTE: fields.TEXT(analyzer=analyzer, phrase=False),
        },
    )


@dataclass(frozen=True)
class PreparedEpisode:
    """An episode ready to write: its paragraphs with their chapter titles (plain data, picklable)."""

    sha256: str
    path: str
    title: str
    text: str
    paragraphs: tuple[tuple[int, int], ...]
    section_titles: tuple[str, ...]
    section_starts: tuple[int, ...]
    paragraph_sections: tuple[int, ...]  # the chapter of each paragraph (-1: none)
    speakers: tuple[str, ...] = ()  # who speaks (named in the file, or the inferred host / guest)
    paragraph_speakers: tuple[
        int, ...
    ] = ()  # the speaker of each paragraph (index in ``speakers``; -1: none)
    refined_outline: bool = False  # the chapters are the refined outline's (the reader made one)


def prepare_episode(path: str, cache_dir: Path | None, title: str | None = None) -> PreparedEpisode:
    """Load a transcript with its (cached) segmentation, speakers and outline; pure work, for a worker thread or
    process. Speakers are the file's, else the host / guest labels the reader shows (cached as it caches them)."""
    transcript = load_transcript(path)
    readable = readable_of(transcript, cache_dir, speakers=True)
    refined = refined_cached(cache_dir, transcript.sha256)  # then its chapters are the refined ones
    sections = sections_of(transcript, readable, cache_dir)
    speakers = readable.speakers
    numbers = {name: number for number, name in enumerate(speakers)}
    units = passages(
        [(p.start, p.end) for p in readable.paragraphs],
        [chapter_at(sections, p.start) for p in readable.paragraphs],
        [numbers.get(p.speaker, -1) if p.speaker else -1 for p in readable.paragraphs],
        transcript.text,
    )
    return PreparedEpisode(
        sha256=transcript.sha256,
        path=transcript.source,
        title=title or transcript.title,
        text=transcript.text,
        paragraphs=tuple((start, end) for start, end, _, _ in units),
        section_titles=tuple(s.title for s in sections),
        section_starts=tuple(s.start for s in sections),
        paragraph_sections=tuple(section for _, _, section, _ in units),
        speakers=speakers,
        paragraph_speakers=tuple(speaker for _, _, _, speaker in units),
        refined_outline=refined,
    )


def passages(
    ranges: list[tuple[int, int]],
    sections: list[int],
    speakers: list[int],
    text: str,
    max_words: int = PASSAGE_WORDS,
) -> list[tuple[int, int, int, int]]:
    """The index's units: ``(start, end, section, speaker)``, consecutive paragraphs of the same speaker in the
    same chapter joined while they hold at most ``max_words`` words together (a longer paragraph stays whole)."""
    units: list[tuple[int, int, int, int]] = []
    words = 0
    for (start, end), section, speaker in zip(ranges, sections, speakers, strict=True):
        count = len(text[start:end].split())
        if units and units[-1][2:] == (section, speaker) and words + count <= max_words:
            units[-1] = (units[-1][0], end, section, speaker)
            words += count
        else:
            units.append((start, end, section, speaker))
            words = count
    return units


@dataclass
class SyncReport:
    """What a :meth:`LibraryIndex.sync` did."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    stopped: bool = False


class LibraryIndex:
    """The library's search index. Searches may run on any thread; writes are serialised by a lock."""

    def __init__(self, folder: Path, index: Index) -> None:
        self.folder = folder
        self._index = index
        self._write_lock = threading.Lock()
        self._texts = _TextStore(folder / "texts")
        self._idle: list[Searcher] = []
        self._indexed_cache: tuple[int, dict[str, dict[str, Any]]] | None = None
        self._searchers_lock = threading.Lock()
        self._generation = 0  # commits seen by this object: a thread's searcher older than this is refreshed

    @classmethod
    def open(cls, cache_dir: Path) -> LibraryIndex:
        """Open the index under ``cache_dir`` (created when missing, rebuilt empty when unreadable)."""
        folder = Path(cache_dir) / INDEX_FOLDER
        folder.mkdir(parents=True, exist_ok=True)
        for stale in Path(cache_dir).glob("library-index-v*"):  # an older format's index: rebuilt in this one
            if stale.name != INDEX_FOLDER and stale.is_dir():
                shutil.rmtree(stale, ignore_errors=True)
        storage = FileStorage(str(folder))
        try:
            if storage.index_exists(INDEX_NAME):
                return cls(folder, storage.open_index(INDEX_NAME))
        except Exception as error:
            logger.warning("library index %s unreadable (%s); starting again", folder, error)
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True, exist_ok=True)
            storage = FileStorage(str(folder))
        return cls(folder, storage.create_index(make_library_schema(), indexname=INDEX_NAME))

    # -- reading ------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _leased(self) -> Iterator[Searcher]:
        """A searcher of the latest commit for the duration of a call (a searcher is not thread-safe): taken
        from a small pool of idle ones, returned to it afterwards, closed once a newer commit exists. Searchers
        are never left open per thread: each keeps every segment file open (and mapped)."""
        with self._searchers_lock:
            generation = self._generation
            searcher = self._idle.pop() if self._idle else None
        if searcher is None:
            searcher = self._index.searcher()
        try:
            yield searcher
        finally:
            with self._searchers_lock:
                keep = generation == self._generation and len(self._idle) < MAX_IDLE_SEARCHERS
                if keep:
                    self._idle.append(searcher)
            if not keep:
                _release(searcher)

    def _retire_searchers(self) -> None:
        """A commit happened: idle searchers of the older one are closed (busy ones when they come back)."""
        with self._searchers_lock:
            self._generation += 1
            retired, self._idle = self._idle, []
        for searcher in retired:
            _release(searcher)

    def close(self) -> None:
        """Close the idle searchers (the index may be used again afterwards: new searchers are opened)."""
        self._retire_searchers()

    def indexed(self) -> dict[str, dict[str, Any]]:
        """The episodes completely indexed: sha256 → their record (title, path, chapters, paragraphs)."""
        generation = self._generation
        cached = self._indexed_cache
        if cached is not None and cached[0] == generation:
            return dict(cached[1])
        with self._leased() as searcher:  # the records are read once per commit, with the paragraph table
            found = {
                str(info["sha256"]): dict(info) for info in _table_of(searcher).records if "sha256" in info
            }
        self._indexed_cache = (generation, found)
        return dict(found)

    def paragraph_count(self) -> int:
        """The number of paragraph documents."""
        with self._leased() as searcher:
            documents = int(searcher.doc_count())
        return documents - len(self.indexed())

    def size_bytes(self) -> int:
        """The bytes on disk (index and stored texts)."""
        return sum(p.stat().st_size for p in self.folder.rglob("*") if p.is_file())

    def text_of(self, sha256: str) -> str | None:
        """An indexed episode's document text (from the compressed copy beside the index)."""
        return self._texts.get(sha256)

    def search(self, query: str, limit: int | None = DEFAULT_LIMIT) -> LibraryResult:
        """The best ``limit`` paragraphs for ``query`` across the library (never raises)."""
        try:
            return self._search(query, limit)
        except Exception:
            logger.exception("library search failed for %r", query)
            return LibraryResult(query, error="This query could not be run; try plain words.")

    def _search(self, query: str, limit: int | None) -> LibraryResult:
        parsed = parse_query(query)
        if parsed.query is None:
            return LibraryResult(query, error=parsed.error)
        with self._leased() as searcher:
            return self._search_with(searcher, query, parsed.query, limit)

    def _search_with(
        self, searcher: Searcher, query: str, parsed: wq.Query, limit: int | None
    ) -> LibraryResult:
        records = _table_of(searcher).records  # this searcher's (another one may see another commit)
        episodes = {key: info for info in records if "sha256" in info and (key := str(info["key"]))}
        whoosh_query, phrases = _without_phrases(parsed)
        evaluated = _arrays_of(searcher).evaluate(whoosh_query)
        if evaluated is None:  # wildcards, fuzzy terms: Whoosh's own search
            if phrases:
                return self._search_phrases(searcher, query, whoosh_query, phrases, limit, episodes)
            return self._search_whoosh(searcher, query, whoosh_query, limit, episodes)
        ids, scores = evaluated
        terms = _plain_terms(whoosh_query)
        if phrases:
            return self._check_phrases(searcher, query, (ids, scores), terms, phrases, limit, episodes)
        located: list[tuple[int, int, LibraryHit]] = []
        order: dict[str, int] = {}
        for position in top(ids, scores, limit):
            hit = self._hit_at(
                searcher, int(ids[position]), episodes, terms, phrases, float(scores[position])
            )
            if hit is not None:
                located.append((order.setdefault(hit.document, len(order)), hit.start, hit))
        located.sort(key=lambda item: (item[0], item[1]))
        return LibraryResult(query, tuple(h for _, _, h in located), len(ids), len(episodes))

    def _check_phrases(
        self,
        searcher: Searcher,
        query: str,
        evaluated: tuple[Any, Any],
        terms: set[str],
        phrases: list[tuple[tuple[str, ...], int]],
        limit: int | None,
        episodes: dict[str, dict[str, Any]],
    ) -> LibraryResult:
        """Phrases: the paragraphs holding all the words, best first, checked on the text until ``limit`` hits
        are found and at least ``PHRASE_CHECK_MIN`` were checked (at most ``PHRASE_CHECK_LIMIT``); the total is
        extrapolated over the rest when they were not all checked."""
        ids, scores = evaluated
        order: dict[str, int] = {}
        located: list[tuple[int, int, LibraryHit]] = []
        checked = verified = 0
        candidates = top(ids, scores, PHRASE_CHECK_LIMIT)
        for position in candidates:
            if limit is not None and len(located) >= limit and checked >= PHRASE_CHECK_MIN:
                break
            checked += 1
            hit = self._hit_at(
                searcher, int(ids[position]), episodes, terms, phrases, float(scores[position])
            )
            if hit is None:
                continue
            verified += 1
            if limit is None or len(located) < limit:
                located.append((order.setdefault(hit.document, len(order)), hit.start, hit))
        exhausted = checked >= len(ids)
        total = verified if exhausted else round(verified * len(ids) / max(1, checked))
        located.sort(key=lambda item: (item[0], item[1]))
        return LibraryResult(
            query, tuple(h for _, _, h in located), int(total), len(episodes), approximate=not exhausted
        )

    def _hit_at(
        self,
        searcher: Searcher,
        docnum: int,
        episodes: dict[str, dict[str, Any]],
        terms: set[str],
        phrases: Sequence[tuple[tuple[str, ...], int]],
        score: float,
    ) -> LibraryHit | None:
        """The hit of document ``docnum``: a paragraph from the searcher's table, anything else from its stored
        fields."""
        where = _table_of(searcher).location(docnum)
        if where is None:
            return self._hit_of(searcher.stored_fields(docnum), episodes, terms, phrases, score)
        return self._paragraph_hit(
            where.info, where.start, where.end, where.section, where.speaker, terms, phrases, score
        )

    def _hit_of(
        self,
        stored: dict[str, Any],
        episodes: dict[str, dict[str, Any]],
        terms: set[str],
        phrases: Sequence[tuple[tuple[str, ...], int]],
        score: float,
    ) -> LibraryHit | None:
        """The hit of a matching paragraph or note (None: its episode is gone, or a phrase is not there)."""
        if stored.get("kind") == KIND_NOTE:
            return _note_hit(stored, episodes, [(NOTE, t) for t in terms], phrases, score)
        if stored.get("kind") != KIND_PARAGRAPH:
            return None
        key, _, start, end, section, *rest = stored["loc"]
        info = episodes.get(key)
        if info is None:
            return None
        speaker = int(rest[0]) if rest else -1
        return self._paragraph_hit(info, start, end, section, speaker, terms, phrases, score)

    def _paragraph_hit(
        self,
        info: dict[str, Any],
        start: int,
        end: int,
        section: int,
        speaker: int,
        terms: set[str],
        phrases: Sequence[tuple[tuple[str, ...], int]],
        score: float,
    ) -> LibraryHit | None:
        """The hit of a paragraph of an episode (None: its text is gone, or a phrase is not there)."""
        text = self._texts.get(str(info["sha256"]))
        if text is None or (phrases and not _has_phrases(text[start:end], phrases)):
            return None
        hit = replace(
            _make_hit(info, text, start, end, section, terms, phrases, score), paragraph=(start, end)
        )
        speakers = info.get("speakers") or []
        if 0 <= speaker < len(speakers):
            hit = replace(hit, speaker=str(speakers[speaker]))
        return hit

    def _search_whoosh(
        self,
        searcher: Searcher,
        query: str,
        whoosh_query: wq.Query,
        limit: int | None,
        episodes: dict[str, dict[str, Any]],
    ) -> LibraryResult:
        """A query the arrays do not answer (wildcards, fuzzy terms), scored and counted by Whoosh."""
        expanding = any(isinstance(n, (wq.Wildcard, wq.Prefix, wq.FuzzyTerm)) for n in walk(whoosh_query))
        results = searcher.search(whoosh_query, limit=limit, terms=expanding)
        plain_terms = _plain_terms(whoosh_query)
        order: dict[str, int] = {}
        located: list[tuple[int, int, LibraryHit]] = []
        for hit in results:
            stored = hit.fields()
            if expanding:
                fieldname = NOTE if stored.get("kind") == KIND_NOTE else CONTENT
                terms = {_decoded(t) for f, t in hit.matched_terms() if f == fieldname}
            else:
                terms = plain_terms
            found = self._hit_of(stored, episodes, terms, (), hit.score)
            if found is not None:
                located.append((order.setdefault(stored["loc"][0], len(order)), found.start, found))
        located.sort(key=lambda item: (item[0], item[1]))
        return LibraryResult(query, tuple(h for _, _, h in located), len(results), len(episodes))

    def _search_phrases(
        self,
        searcher: Searcher,
        query: str,
        whoosh_query: wq.Query,
        phrases: list[tuple[tuple[str, ...], int]],
        limit: int | None,
        episodes: dict[str, dict[str, Any]],
    ) -> LibraryResult:
        """Phrases with wildcards or fuzzy words: the paragraphs holding all the words, in index order (no
        scoring), checked on the text as :meth:`_check_phrases` does."""
        terms = _plain_terms(whoosh_query)
        order: dict[str, int] = {}
        located: list[tuple[int, int, LibraryHit]] = []
        checked = verified = 0
        exhausted = True
        for docnum in searcher.docs_for_query(whoosh_query):
            if checked >= PHRASE_CHECK_LIMIT or (
                limit is not None and len(located) >= limit and checked >= PHRASE_CHECK_MIN
            ):
                exhausted = False
                break
            stored = searcher.stored_fields(docnum)
            checked += 1
            hit = self._hit_of(stored, episodes, terms, phrases, 1.0)
            if hit is None:
                continue
            verified += 1
            if limit is None or len(located) < limit:
                located.append((order.setdefault(stored["loc"][0], len(order)), hit.start, hit))
        if exhausted:
            total = verified
        else:
            candidates = whoosh_query.estimate_size(searcher.reader())
            total = round(verified * candidates / max(1, checked))
        located.sort(key=lambda item: (item[0], item[1]))
        return LibraryResult(
            query, tuple(h for _, _, h in located), int(total), len(episodes), approximate=not exhausted
        )

    # -- writing ------------------------------------------------------------------------------
    def add(self, episodes: Sequence[PreparedEpisode], optimize: bool = False) -> None:
        """Write episodes (replacing them if already there) in one commit; ``optimize`` merges all segments
        into one (each Whoosh segment has its own term dictionary: many small ones take ~3× the space)."""
        if not episodes and not optimize:
            return
        with self._write_lock:
            for episode in episodes:  # texts first: an episode record never points to a missing text
                self._texts.put(episode.sha256, episode.text)
            writer = self._index.writer(limitmb=64, timeout=10.0)
            try:
                for episode in episodes:
                    _write_episode(writer, episode)
            except BaseException:
                writer.cancel()
                raise
            writer.commit(optimize=optimize)
            self._committed()

    def segment_count(self) -> int:
        """The number of Whoosh segments (merged into one at the end of a sync that added episodes)."""
        return len(self._index._segments())

    def remove(self, sha256s: Iterable[str]) -> int:
        """Delete episodes; returns the number of Whoosh documents deleted."""
        shas = list(sha256s)
        if not shas:
            return 0
        with self._write_lock:
            writer = self._index.writer(timeout=10.0)
            count = sum(int(writer.delete_by_term("doc", sha)) for sha in shas)
            writer.commit()
            self._committed()
            for sha in shas:
                self._texts.drop(sha)
        return count

    def _committed(self) -> None:
        self._index = self._index.refresh()
        self._retire_searchers()

    def set_notes(self, sha256: str, records: Sequence[tuple[str, str, int, int]]) -> None:
        """Replace the notes and highlights of one indexed episode: (annotation id, text, start, end)."""
        info = self.indexed().get(sha256)
        with self._write_lock:
            writer = self._index.writer(timeout=10.0)
            try:
                writer.delete_by_query(wq.And([wq.Term("doc", sha256), wq.Term("kind", KIND_NOTE)]))
                titles = (info or {}).get("sections") or []
                starts = (info or {}).get("section_starts") or []
                key = _episode_key(sha256)
                for note_id, text, start, end in records if info is not None else ():
                    if not text.strip():
                        continue
                    section = bisect.bisect_right(starts, start) - 1 if starts else -1
                    writer.add_document(
                        kind=KIND_NOTE,
                        doc=sha256,
                        loc=(key, -1, int(start), int(end), section if section < len(titles) else -1),
                        info={"id": note_id, "text": text},
                        **{NOTE: text},
                    )
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
            self._committed()

    def refresh(self) -> None:
        """See the commits of another process (searches after this read the latest commit)."""
        with self._write_lock:
            self._committed()

    def sync(
        self,
        wanted: Sequence[tuple[str, str, str]],
        cache_dir: Path | None,
        progress: Callable[[int, int], None] | None = None,
        committed: Callable[[int], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
        prepare: Callable[[Iterable[tuple[str, str]]], Iterator[PreparedEpisode | Exception]] | None = None,
    ) -> SyncReport:
        """Make the index hold exactly the ``wanted`` episodes, given as (sha256, path, title), each as this
        version of the app derives it (``derived_version``: an episode indexed by another is indexed again).

        Episodes no longer wanted are removed; missing ones are prepared (``prepare`` maps (path, title) pairs
        to prepared episodes or exceptions, in order: a process pool may do it) and written, committed every
        ``COMMIT_EVERY_S``. ``progress(done, total)`` follows the episodes; ``committed(n)`` says n episodes
        are searchable; ``should_stop`` ends the run early (what is committed stays).
        """
        report = SyncReport()
        have = self.indexed()
        wanted_shas = {sha for sha, _, _ in wanted}
        report.removed = [sha for sha in have if sha not in wanted_shas]
        self.remove(report.removed)
        self._texts.tidy(set(have) - set(report.removed))
        # records of an older app, or made before the reader refined the episode's outline: made anew
        todo = [
            (sha, path, title)
            for sha, path, title in wanted
            if have.get(sha, {}).get("derived") != derived_version(refined_cached(cache_dir, sha))
        ]
        done_before = len(wanted) - len(todo)
        if progress:
            progress(done_before, len(wanted))
        pending: list[PreparedEpisode] = []
        last_commit = time.monotonic()
        jobs = ((path, title) for _, path, title in todo)
        prepared_iter = (
            prepare(jobs) if prepare is not None else (prepare_or_error(p, t, cache_dir) for p, t in jobs)
        )
        for number, (item, (sha, path, _)) in enumerate(zip(prepared_iter, todo, strict=False)):
            if should_stop is not None and should_stop():
                report.stopped = True
                break
            if isinstance(item, Exception):
                report.failed.append((path, str(item)))
            else:
                pending.append(item)
                report.added.append(item.sha256 if item.sha256 == sha else sha)
            if pending and (
                time.monotonic() - last_commit >= COMMIT_EVERY_S or not (have or report.added[1:])
            ):
                self.add(pending)
                pending = []
                last_commit = time.monotonic()
                if committed:
                    committed(len(self.indexed()))
            if progress:
                progress(done_before + number + 1, len(wanted))
        self.add(pending)
        if committed:
            committed(len(self.indexed()))
        if report.added and self.segment_count() > 1 and not (should_stop is not None and should_stop()):
            self.add([], optimize=True)  # every episode is searchable already: this only compacts
        return report


def indexing_workers() -> int:
    """Processes preparing episodes for an indexing run: one per core, at most ``MAX_INDEXING_WORKERS``."""
    return max(1, min(MAX_INDEXING_WORKERS, os.cpu_count() or 1))


def run_sync_process(
    wanted: Sequence[tuple[str, str, str]], cache_dir: Path, connection: Any, workers: int = 1
) -> None:
    """The body of an indexing process: ``LibraryIndex.sync`` reporting over a ``multiprocessing`` connection.

    Sends ("progress", (done, total)), ("committed", count) and finally ("done", SyncReport); any message
    received asks it to stop after the current episode. Indexing in a process of its own keeps the GUI
    process's interpreter free (a thread would share its GIL with the window); with ``workers`` > 1, that many
    spawned processes (at the same low priority) prepare the episodes and this one writes them.
    """
    if hasattr(os, "nice"):
        try:
            os.nice(INDEXER_NICENESS)  # background work: the window (and the rest of the machine) come first
        except OSError:
            pass
    index = LibraryIndex.open(cache_dir)
    with contextlib.ExitStack() as stack:
        prepare = None
        have = index.indexed()
        missing = sum(1 for sha, _, _ in wanted if sha not in have)
        if workers > 1 and missing >= POOL_MIN_EPISODES:  # starting the processes takes seconds
            import multiprocessing

            pool = stack.enter_context(multiprocessing.get_context("spawn").Pool(workers))
            prepare = functools.partial(pool.imap, functools.partial(_prepare_pair, cache_dir=cache_dir))
        try:
            link = _ParentLink(connection)
            report = index.sync(
                wanted,
                cache_dir,
                progress=lambda done, total: link.send(("progress", (done, total))),
                committed=lambda count: link.send(("committed", count)),
                should_stop=link.should_stop,
                prepare=prepare,
            )
            link.send(("done", report))
        finally:
            index.close()
            connection.close()


class _ParentLink:
    """The indexing process's side of its pipe to the app; a closed app means stop, quietly.

    When the window's process ends (quit, crash, killed) the pipe breaks: the indexer finishes the episode it
    is writing, commits and exits instead of printing a ``BrokenPipeError`` traceback on the terminal.
    """

    def __init__(self, connection: Any) -> None:
        self._connection = connection
        self.parent_gone = False

    def send(self, message: tuple[str, Any]) -> None:
        """Send ``message`` unless the app has gone away."""
        if self.parent_gone:
            return
        try:
            self._connection.send(message)
        except (BrokenPipeError, ConnectionResetError, EOFError, OSError):
            self.parent_gone = True

    def should_stop(self) -> bool:
        """True when the app asked to stop (any message) or is no longer there."""
        if self.parent_gone:
            return True
        try:
            return bool(self._connection.poll())
        except (BrokenPipeError, ConnectionResetError, EOFError, OSError):
            self.parent_gone = True
            return True


def _prepare_pair(job: tuple[str, str], cache_dir: Path) -> PreparedEpisode | Exception:
    """:func:`prepare_or_error` on a (path, title) pair (for a process pool's ``imap``)."""
    path, title = job
    return prepare_or_error(path, title, cache_dir)


def prepare_many(
    jobs: Iterable[tuple[str, str]], cache_dir: Path | None
) -> Iterator[PreparedEpisode | Exception]:
    """Prepare episodes one after the other (errors become values)."""
    for path, title in jobs:
        yield prepare_or_error(path, title, cache_dir)


def prepare_or_error(path: str, title: str | None, cache_dir: Path | None) -> PreparedEpisode | Exception:
    """:func:`prepare_episode`, with a file that cannot be read returned as its exception."""
    try:
        return prepare_episode(path, cache_dir, title)
    except (TranscriptError, OSError, ValueError) as error:
        logger.warning("library: could not index %s: %s", path, error)
        return error


def _decoded(text: str | bytes) -> str:
    return text.decode("utf-8") if isinstance(text, bytes) else text


def _plain_terms(query: wq.Query) -> set[str]:
    """The words of a query (stems), for the snippets' emphasis."""
    return {_decoded(t) for _f, t in query.iter_all_terms()}


def _arrays_of(searcher: Searcher) -> PostingArrays:
    """The postings arrays of a searcher (made on first use, kept as long as the searcher: one commit)."""
    arrays: PostingArrays | None = getattr(searcher, "_library_arrays", None)
    if arrays is None:
        arrays = PostingArrays(searcher)
        searcher._library_arrays = arrays
    return arrays


def _release(searcher: Searcher) -> None:
    """Close a searcher and drop its arrays now. The arrays refer to the searcher, and sub-searchers to their
    parent: left to the cyclic garbage collector, every retired searcher (one per commit, tens of MB with its
    arrays) piles up until a full collection, which then takes 200-300 ms on the GUI thread."""
    searcher.close()
    for name in ("_library_arrays", "_library_table"):
        if hasattr(searcher, name):
            delattr(searcher, name)
    searcher.subsearchers = None  # sub-searchers refer to their parent


def _table_of(searcher: Searcher) -> DocTable:
    """The paragraph table of a searcher (made on first use, kept as long as the searcher)."""
    table: DocTable | None = getattr(searcher, "_library_table", None)
    if table is None:
        table = DocTable(searcher, KIND_EPISODE)
        searcher._library_table = table
    return table


def _episode_key(sha256: str) -> str:
    return sha256[:16]


def _write_episode(writer: Any, episode: PreparedEpisode) -> None:
    writer.delete_by_term("doc", episode.sha256)
    text = episode.text
    key = _episode_key(episode.sha256)
    columns: tuple[list[int], list[int], list[int], list[int]] = ([], [], [], [])
    for number, (start, end) in enumerate(episode.paragraphs):
        chunk = text[start:end]
        if not chunk.strip():
            continue
        speaker = episode.paragraph_speakers[number] if number < len(episode.paragraph_speakers) else -1
        loc = (key, number, start, end, episode.paragraph_sections[number], speaker)
        writer.add_document(kind=KIND_PARAGRAPH, doc=episode.sha256, loc=loc, **{CONTENT: chunk})
        for column, value in zip(columns, loc[2:], strict=True):
            column.append(value)
    info = {
        "sha256": episode.sha256,
        "key": key,
        "title": episode.title,
        "path": episode.path,
        "paragraphs": len(episode.paragraphs),
        "sections": list(episode.section_titles),
        "speakers": list(episode.speakers),
        "section_starts": list(episode.section_starts),
        "chars": len(text),
        "derived": derived_version(episode.refined_outline),
        # the paragraph documents just written, in order (``doctable.py`` reads them from here)
        **dict(zip(("doc_starts", "doc_ends", "doc_sections", "doc_speakers"), columns, strict=True)),
    }
    writer.add_document(kind=KIND_EPISODE, doc=episode.sha256, info=info)


def _make_hit(
    info: dict[str, Any],
    text: str,
    start: int,
    end: int,
    section: int,
    terms: set[str],
    phrases: Sequence[tuple[tuple[str, ...], int]],
    score: float,
) -> LibraryHit:
    """A hit on the first matched words of a paragraph, with its snippet."""
    chunk = text[start:end]
    spans = _match_spans(chunk, terms | {w for words, _ in phrases for w in words})
    first_start, first_end = spans[0] if spans else (0, min(len(chunk), 1))
    snippet, snippet_spans = make_snippet(
        chunk, first_start, first_end, [s for s, _ in spans], [e for _, e in spans]
    )
    titles = info.get("sections") or []
    return LibraryHit(
        document=str(info["sha256"]),
        title=str(info.get("title", "")),
        path=str(info.get("path", "")),
        start=start + first_start,
        end=start + first_end,
        snippet=snippet,
        snippet_spans=snippet_spans,
        section=str(titles[section]) if 0 <= section < len(titles) else None,
        section_number=section,
        score=float(score),
    )


def _note_hit(
    stored: dict[str, Any],
    episodes: dict[str, dict[str, Any]],
    matched: Any,
    phrases: Sequence[tuple[tuple[str, ...], int]],
    score: float,
) -> LibraryHit | None:
    """A hit in a note: the snippet is the note's text, the offsets those of the highlight."""
    key, _, start, end, section, *_rest = stored["loc"]
    info = episodes.get(key)
    note = stored.get("info") or {}
    text = str(note.get("text", ""))
    if info is None or (phrases and not _has_phrases(text, phrases)):
        return None
    terms = {t.decode("utf-8") if isinstance(t, bytes) else t for f, t in matched or () if f == NOTE}
    spans = _match_spans(text, terms | {w for words, _ in phrases for w in words})
    first = spans[0] if spans else (0, 0)
    snippet, snippet_spans = make_snippet(
        text, first[0], first[1], [s for s, _ in spans], [e for _, e in spans]
    )
    titles = info.get("sections") or []
    return LibraryHit(
        document=str(info["sha256"]),
        title=str(info.get("title", "")),
        path=str(info.get("path", "")),
        start=int(start),
        end=int(end),
        snippet=snippet,
        snippet_spans=snippet_spans,
        section=str(titles[section]) if 0 <= section < len(titles) else None,
        section_number=section,
        score=float(score),
        note_id=str(note.get("id", "")) or None,
    )


_WORD_RE = re.compile(r"\w+(?:\.?\w+)*")  # Whoosh's RegexTokenizer default


@functools.lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    stems = stem_words(word)
    return stems[0] if stems else word


def _tokens(text: str) -> list[tuple[str, int, int]]:
    """(stem, start, end) of every word of ``text``, as the index's analyser sees them (stems cached)."""
    return [(_stem(m.group().lower()), m.start(), m.end()) for m in _WORD_RE.finditer(text)]


def _match_spans(text: str, terms: set[str]) -> list[tuple[int, int]]:
    """Spans of the matched words in ``text``; neighbouring matched words (only spaces between) are one span."""
    spans: list[tuple[int, int]] = []
    if not terms:
        return spans
    for stem, start, end in _tokens(text):
        if stem in terms:
            if spans and not text[spans[-1][1] : start].strip():
                spans[-1] = (spans[-1][0], end)
            else:
                spans.append((start, end))
    return spans


@functools.lru_cache(maxsize=256)
def _phrase_prefilter(words: tuple[str, ...], slop: int) -> re.Pattern[str]:
    """A permissive regex for a phrase of stems (each stem cut by two letters: Porter stems are not always
    prefixes of the words, "hoping" → "hope"): a text it does not match cannot hold the phrase."""
    parts = [re.escape(word if len(word) <= 3 else word[:-2]) + r"\w*" for word in words]
    gap = r"(?:\W+\w+){0," + str(max(1, slop) - 1) + r"}\W+"
    return re.compile(r"(?<!\w)" + gap.join(parts), re.IGNORECASE)


def _has_phrases(text: str, phrases: Sequence[tuple[tuple[str, ...], int]]) -> bool:
    """Whether every phrase occurs in ``text`` (each word within ``slop`` words after the previous one)."""
    if not all(_phrase_prefilter(words, slop).search(text) for words, slop in phrases):
        return False
    stems = [stem for stem, _, _ in _tokens(text)]
    positions: dict[str, list[int]] = {}
    for number, stem in enumerate(stems):
        positions.setdefault(stem, []).append(number)
    for words, slop in phrases:
        if not all(word in positions for word in words):
            return False
        found = False
        for first in positions[words[0]]:
            current = first
            for word in words[1:]:
                nxt = next((p for p in positions[word] if current < p <= current + max(1, slop)), None)
                if nxt is None:
                    break
                current = nxt
            else:
                found = True
                break
        if not found:
            return False
    return True


def _without_phrases(query: wq.Query) -> tuple[wq.Query, list[tuple[tuple[str, ...], int]]]:
    """The query with every phrase turned into an AND of its words (the index has no positions), and the
    phrases every hit must hold (those reached from the top through ANDs only; a phrase under OR or NOT is
    matched as its words)."""
    required: list[tuple[tuple[str, ...], int]] = []

    def collect(node: wq.Query) -> None:
        if isinstance(node, wq.Phrase):
            words = tuple(w.decode("utf-8") if isinstance(w, bytes) else w for w in node.words)
            if len(words) > 1 and (words, node.slop) not in required:
                required.append((words, node.slop))
        elif type(node) is wq.And:
            for child in node.subqueries:
                collect(child)
        elif (
            type(node) is wq.Or and node.subqueries and all(isinstance(c, wq.Phrase) for c in node.subqueries)
        ):
            for child in node.subqueries:
                collect(child)

    collect(query)

    def rewrite(node: wq.Query) -> wq.Query:
        if isinstance(node, wq.Phrase):
            terms = [wq.Term(node.fieldname, word) for word in node.words]
            return terms[0] if len(terms) == 1 else wq.And(terms, boost=node.boost)
        return node

    return query.accept(rewrite), required


class _TextStore:
    """The episodes' texts beside the index, one zlib file each, with a small in-memory cache."""

    def __init__(self, folder: Path, keep: int = 400) -> None:
        self.folder = folder
        self._cache: OrderedDict[str, str] = OrderedDict()
        self._keep = keep
        self._lock = threading.Lock()

    def _path(self, sha256: str) -> Path:
        return self.folder / f"{sha256}.z"

    def put(self, sha256: str, text: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self._path(sha256)
        temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        temp.write_bytes(zlib.compress(text.encode("utf-8"), 9))
        os.replace(temp, target)

    def drop(self, sha256: str) -> None:
        self._path(sha256).unlink(missing_ok=True)
        with self._lock:
            self._cache.pop(sha256, None)

    def get(self, sha256: str) -> str | None:
        with self._lock:
            text = self._cache.get(sha256)
            if text is not None:
                self._cache.move_to_end(sha256)
                return text
        try:
            text = zlib.decompress(self._path(sha256).read_bytes()).decode("utf-8")
        except (OSError, zlib.error, UnicodeDecodeError):
            return None
        with self._lock:
            self._cache[sha256] = text
            while len(self._cache) > self._keep:
                self._cache.popitem(last=False)
        return text

    def tidy(self, keep: set[str]) -> None:
        """Drop texts of episodes not indexed (left by a crash between writing a text and its commit)."""
        for path in self.folder.glob("*.z"):
            if path.stem not in keep:
                path.unlink(missing_ok=True)
        for path in self.folder.glob(".*.tmp"):
            path.unlink(missing_ok=True)


__all__ = [
    "INDEX_FOLDER",
    "PASSAGE_WORDS",
    "LibraryIndex",
    "LockError",
    "PreparedEpisode",
    "SyncReport",
    "prepare_episode",
    "prepare_many",
    "indexing_workers",
    "prepare_or_error",
    "passages",
]
