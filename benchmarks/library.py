"""Library figures on the 375 caption files of ``../shared/library-corpus/lex-autocaptions.tar.xz``.

Unpacks the archive into a temporary folder, then, with an empty data folder (nothing cached):

* **catalog**: time until the catalog lists every file (``Catalog.add_files`` on the folder);
* **indexing** on a background thread, as the app does (``LibraryIndex.sync``; segmentation and outline are
  computed and cached for every episode, ``--workers N`` prepares episodes in N processes): time until the
  first search answers (on what is committed so far) and until indexing is complete;
* **queries**: p50 / p95 wall time of 1-3-word queries and phrases drawn from the texts with a fixed seed,
  each asking for 20 hits with snippets, against **SQLite FTS5** (``porter unicode61``, ``bm25`` order,
  ``snippet()`` of the best 20, ``count(*)``) over exactly the same paragraphs, built in the same run;
* **size**: the index folder (postings + compressed texts) and the FTS5 database against the UTF-8 text;
* **peak memory** (max RSS of this process and of the worker processes).

The GUI-thread stall while indexing is measured by ``--gui`` (the Qt service and the panel, offscreen).
Says so and exits 0 when ``../shared`` is missing.

Usage: python benchmarks/library.py [--workers 1] [--queries 100] [--limit N files] [--gui]
"""

from __future__ import annotations

import argparse
import functools
import os
import random
import re
import resource
import shutil
import sqlite3
import statistics
import sys
import tarfile
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop_app.library import catalog as library_catalog
from desktop_app.library.index import LibraryIndex, prepare_or_error
from desktop_app.search.query import STOP_WORDS

ARCHIVE = (
    Path(__file__).resolve().parent.parent.parent / "shared" / "library-corpus" / "lex-autocaptions.tar.xz"
)
SNIPPETS = 20


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def make_queries(texts: list[str], count: int, seed: int = 375) -> list[str]:
    rng = random.Random(seed)
    queries: list[str] = []
    while len(queries) < count:
        words = re.findall(r"[a-z]{4,}", rng.choice(texts)[:200_000].lower())
        if len(words) < 10:
            continue
        kind = len(queries) % 4
        at = rng.randrange(len(words) - 3)
        if kind == 3:  # a phrase of 2-3 adjacent words
            queries.append('"' + " ".join(words[at : at + rng.choice((2, 3))]) + '"')
        else:  # 1-3 content words from one place
            picked = [w for w in words[at : at + 12] if w not in STOP_WORDS][: kind + 1]
            if picked:
                queries.append(" ".join(picked))
    return queries


def fts5_build(db: Path, index: LibraryIndex) -> tuple[sqlite3.Connection, float]:
    started = time.perf_counter()
    connection = sqlite3.connect(db, check_same_thread=False)
    connection.execute(
        "CREATE VIRTUAL TABLE p USING fts5(doc UNINDEXED, start UNINDEXED, body, tokenize='porter unicode61')"
    )
    rows = []
    texts: dict[str, str] = {}
    keys = {info["key"]: sha for sha, info in index.indexed().items()}
    with index._leased() as searcher:
        for fields in searcher.all_stored_fields():
            if fields.get("kind") != "p":
                continue
            key, _, start, end, *_ = fields["loc"]
            sha = keys[key]
            if sha not in texts:
                texts[sha] = index.text_of(sha) or ""
            rows.append((sha, start, texts[sha][start:end]))
    connection.executemany("INSERT INTO p(doc, start, body) VALUES (?, ?, ?)", rows)
    connection.commit()
    connection.execute("INSERT INTO p(p) VALUES('optimize')")
    connection.commit()
    return connection, time.perf_counter() - started


def fts5_query(connection: sqlite3.Connection, query: str) -> int:
    match = query if query.startswith('"') else " ".join(query.split())
    total = connection.execute("SELECT count(*) FROM p WHERE p MATCH ?", (match,)).fetchone()[0]
    connection.execute(
        "SELECT doc, start, snippet(p, 2, '[', ']', '…', 24) FROM p WHERE p MATCH ? ORDER BY bm25(p) LIMIT ?",
        (match, SNIPPETS),
    ).fetchall()
    return int(total)


def timed(function, queries: list[str], repeat: int = 2) -> tuple[float, float, float, float]:  # noqa: ANN001
    """p50 and p95 of the best of ``repeat`` runs of each query, then of each query's first run."""
    times, firsts = [], []
    for query in queries:
        runs = []
        for _ in range(repeat):
            started = time.perf_counter()
            function(query)
            runs.append((time.perf_counter() - started) * 1000)
        times.append(min(runs))
        firsts.append(runs[0])
    return (
        statistics.median(times),
        percentile(times, 0.95),
        statistics.median(firsts),
        percentile(firsts, 0.95),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=1, help="processes preparing episodes (0: a thread)")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--limit", type=int, default=0, help="use only the first N files (quick runs)")
    parser.add_argument("--keep", default="", help="keep the data folder here (else a temporary one)")
    parser.add_argument(
        "--gui",
        action="store_true",
        help="measure through the Qt service and panel (offscreen): list, first answer, GUI stall",
    )
    parser.add_argument(
        "--screenshot", default="", help="with --gui: save the panel with a library search here"
    )
    parser.add_argument("--reuse", default="", help="only measure queries on the index kept here by --keep")
    args = parser.parse_args()
    if not ARCHIVE.exists():
        print(f"library benchmark: {ARCHIVE} is missing (../shared not available); nothing measured.")
        return 0
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; workers {args.workers}")
    work = Path(tempfile.mkdtemp(prefix="library-bench-"))
    try:
        if args.reuse:
            return run_reuse(args, work)
        return run_gui(args, work) if args.gui else run(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(args: argparse.Namespace, work: Path) -> int:
    started = time.perf_counter()
    folder = unpack(args, work)
    print(f"unpacked in {time.perf_counter() - started:.1f} s: {len(list(folder.iterdir()))} files")
    data = Path(args.keep) if args.keep else work / "data"
    cache = data / "cache"

    started = time.perf_counter()
    catalog = library_catalog.Catalog.open(data / library_catalog.CATALOG_FILE)
    result = catalog.add_files([folder])
    listed_s = time.perf_counter() - started
    entries = catalog.entries()
    print(f"catalog lists {len(entries)} files in {listed_s:.2f} s ({len(result.failed)} failed)")

    index = LibraryIndex.open(cache)
    wanted = [(e.sha256, e.path, e.title) for e in entries]
    first_answer: list[float] = []
    indexing_started = time.perf_counter()

    def committed(count: int) -> None:
        if count >= len(wanted):
            print(
                f"every episode searchable after {time.perf_counter() - indexing_started:.0f} s (then the "
                "segments are merged into one)",
                flush=True,
            )
        if not first_answer and count:
            index.search("science", limit=SNIPPETS)
            first_answer.append(time.perf_counter() - indexing_started)
            print(
                f"first search answered after {first_answer[0]:.1f} s of indexing ({count} episodes committed)",
                flush=True,
            )

    def progress(done: int, total: int) -> None:
        if done % 25 == 0:
            print(f"  {done}/{total} episodes at {time.perf_counter() - indexing_started:.0f} s", flush=True)

    pool = None
    prepare = None
    if args.workers > 0:
        import multiprocessing

        pool = multiprocessing.get_context("spawn").Pool(args.workers)
        job = functools.partial(_prepare_job, cache=cache)
        prepare = functools.partial(pool.imap, job)
    report_box = []
    thread = threading.Thread(
        target=lambda: report_box.append(
            index.sync(wanted, cache, progress=progress, committed=committed, prepare=prepare)
        )
    )
    thread.start()
    thread.join()
    indexed_s = time.perf_counter() - indexing_started
    if pool is not None:
        pool.close()
        pool.join()
    report = report_box[0]
    print(
        f"indexing complete in {indexed_s:.0f} s ({indexed_s / 60:.1f} min): {len(report.added)} episodes, "
        f"{len(report.failed)} failed, {index.paragraph_count()} paragraphs"
    )

    measure_index(args, index, cache, work)
    index.close()
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory: {own:.0f} MB this process, {children:.0f} MB largest worker process")
    return 0


def measure_index(args: argparse.Namespace, index: LibraryIndex, cache: Path, work: Path) -> None:
    """Size, reopening, and query latency against FTS5 over the same paragraphs, built in this run."""
    texts = [index.text_of(sha) or "" for sha in index.indexed()]
    text_bytes = sum(len(t.encode("utf-8")) for t in texts)
    index_bytes = index.size_bytes()
    print(
        f"text {text_bytes / 1e6:.1f} MB; index {index_bytes / 1e6:.1f} MB = {index_bytes / text_bytes:.2f}× the text "
        f"(postings {(index_bytes - _folder_size(index.folder / 'texts')) / 1e6:.1f} MB, "
        f"compressed texts {_folder_size(index.folder / 'texts') / 1e6:.1f} MB)"
    )

    started = time.perf_counter()
    reopened = LibraryIndex.open(cache)
    reopened.search("science", limit=SNIPPETS)
    print(f"reopen + first query: {(time.perf_counter() - started) * 1000:.0f} ms")
    reopened.close()

    connection, fts_build_s = fts5_build(work / "fts.db", index)
    fts_bytes = (work / "fts.db").stat().st_size
    print(
        f"FTS5: built in {fts_build_s:.1f} s, {fts_bytes / 1e6:.1f} MB = {fts_bytes / text_bytes:.2f}× the text"
    )

    queries = make_queries(texts, args.queries)
    for query in queries[:20]:  # warm both
        index.search(query, limit=SNIPPETS)
        fts5_query(connection, query)
    phrase = [q for q in queries if q.startswith('"')]
    words = [q for q in queries if not q.startswith('"')]
    print(
        f"{'queries (20 snippets)':<28}{'Whoosh p50':>11}{'p95':>8}{'FTS5 p50':>10}{'p95':>8}{'p95 ratio':>11}"
        f"{'first try: Whoosh p50':>23}{'p95':>8}{'FTS5 p95':>10}"
    )
    for name, chosen in (("1-3 words", words), ("phrases", phrase), ("all", queries)):
        w50, w95, w50_first, w95_first = timed(lambda q: index.search(q, limit=SNIPPETS).total, chosen)
        f50, f95, _f50_first, f95_first = timed(lambda q: fts5_query(connection, q), chosen)
        print(
            f"{name + f' ({len(chosen)})':<28}{w50:>9.1f}ms{w95:>6.1f}ms{f50:>8.1f}ms{f95:>6.1f}ms"
            f"{w95 / max(f95, 1e-9):>10.1f}×{w50_first:>21.1f}ms{w95_first:>6.1f}ms{f95_first:>8.1f}ms"
        )
    connection.close()


def run_reuse(args: argparse.Namespace, work: Path) -> int:
    """Only the query figures, on the index kept by an earlier ``--keep`` run (nothing is indexed again)."""
    cache = Path(args.reuse) / "cache"
    index = LibraryIndex.open(cache)
    measure_index(args, index, cache, work)
    index.close()
    return 0


def unpack(args: argparse.Namespace, work: Path) -> Path:
    with tarfile.open(ARCHIVE) as archive:
        archive.extractall(work / "corpus", filter="data")
    folder = next((work / "corpus").iterdir())
    if args.limit:
        for extra in sorted(folder.iterdir())[args.limit :]:
            extra.unlink()
    return folder


def run_gui(args: argparse.Namespace, work: Path) -> int:
    """The app's path: LibraryService + LibraryPanel on an offscreen QApplication, a 5 ms timer measuring the
    longest gap between its ticks (the GUI thread's longest stall) while the folder is added and indexed."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from desktop_app.library.service import LibraryService
    from desktop_app.paths import AppDirs
    from desktop_app.tasks import TaskRunner
    from desktop_app.views.library_panel import LibraryPanel, connect_library_panel

    sys.setswitchinterval(0.001)  # as app.py does
    app = QApplication([])
    folder = unpack(args, work)
    files = len(list(folder.iterdir()))
    data = Path(args.keep) if args.keep else work / "data"
    dirs = AppDirs(data=data / "data", cache=data / "cache", config=data / "config")
    dirs.ensure()
    tasks = TaskRunner()
    service = LibraryService(dirs, tasks)
    panel = LibraryPanel()
    connect_library_panel(panel, service)
    panel.resize(900, 800)
    panel.show()
    clock = QElapsedTimer()
    ticks = QElapsedTimer()
    marks: dict[str, float] = {}
    stalls: list[float] = []

    long_gaps: list[tuple[float, float]] = []  # (seconds since the start, gap ms) of the gaps over 100 ms
    gc_pauses: list[tuple[float, float, int]] = []  # (seconds since the start, ms, generation) of collections
    gc_started = [0.0]

    def on_gc(phase: str, info: dict) -> None:
        if phase == "start":
            gc_started[0] = time.perf_counter()
        elif info.get("generation") == 2 or time.perf_counter() - gc_started[0] > 0.05:
            took = (time.perf_counter() - gc_started[0]) * 1000
            gc_pauses.append(
                (clock.elapsed() / 1000 if clock.isValid() else 0.0, took, info.get("generation", -1))
            )

    import gc

    gc.callbacks.append(on_gc)

    def tick() -> None:
        gap = ticks.restart()
        stalls.append(gap)
        if gap > 100 and clock.isValid():
            long_gaps.append((clock.elapsed() / 1000, gap))

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(tick)

    def on_adding(done: int, total: int) -> None:
        if done == total == 0 and "listed" not in marks:  # every file read and listed
            marks["listed"] = clock.elapsed() / 1000

    def on_committed(count: int) -> None:
        if "listed" in marks and count >= len(service.entries()) and "all" not in marks:
            marks["all"] = clock.elapsed() / 1000
        if count and "searching" not in marks:
            marks["searching"] = clock.elapsed() / 1000
            service.search("science")

    def on_results(result: object) -> None:
        if "answered" not in marks and getattr(result, "hits", ()):
            marks["answered"] = clock.elapsed() / 1000

    def on_finished(_report: object) -> None:
        if "listed" in marks and service.indexed_count >= len(service.entries()):
            marks["indexed"] = clock.elapsed() / 1000
            app.quit()

    service.adding.connect(on_adding)
    service.indexed_changed.connect(on_committed)
    service.results_ready.connect(on_results)
    service.indexing_finished.connect(on_finished)
    # baseline, same run: the longest gap between ticks of an idle event loop for 3 s (the machine's own noise)
    ticks.start()
    timer.start()
    QTimer.singleShot(3000, app.quit)
    app.exec()
    idle = list(stalls)
    stalls.clear()
    clock.start()
    service.start()
    ticks.restart()
    panel.add_paths([str(folder)])
    app.exec()
    timer.stop()
    print(f"GUI (service + panel, offscreen), {files} files:")
    print(
        f"  list shows all documents after {marks.get('listed', float('nan')):.2f} s "
        f"({len(service.entries())} documents: identical texts are one)"
    )
    print(
        f"  first search answered after {marks.get('answered', float('nan')):.1f} s "
        f"(first commit at {marks.get('searching', float('nan')):.1f} s)"
    )
    print(f"  every document searchable after {marks.get('all', float('nan')):.0f} s")
    print(f"  indexing complete after {marks.get('indexed', float('nan')):.0f} s")
    print(
        f"  GUI thread: longest stall {max(stalls):.0f} ms (timer at 5 ms; p99 {percentile(stalls, 0.99):.0f} ms, "
        f"{sum(1 for s in stalls if s > 100)} gaps over 100 ms in {len(stalls)} ticks); idle baseline in this "
        f"run: longest {max(idle):.0f} ms, p99 {percentile(idle, 0.99):.0f} ms"
    )
    print("  gaps over 100 ms at (s, ms): " + ", ".join(f"{t:.0f}: {g:.0f}" for t, g in long_gaps))
    slow_gc = sorted(gc_pauses, key=lambda p: -p[1])[:8]
    print(
        "  slowest garbage collections in this process (s, ms, generation): "
        + ", ".join(f"{t:.0f}: {ms:.0f} g{g}" for t, ms, g in slow_gc)
    )
    if args.screenshot:
        panel.search_field.setText("open source")

        def shown(result: object) -> None:
            if getattr(result, "query", "") == "open source":
                app.quit()

        service.results_ready.connect(shown)
        app.exec()
        panel.grab().save(args.screenshot)
        print(f"  screenshot: {args.screenshot}")
    service.close()
    tasks.wait()
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"  peak memory: {own:.0f} MB this process, {children:.0f} MB largest indexing process")
    index = LibraryIndex.open(dirs.cache)
    measure_index(args, index, dirs.cache, work)
    index.close()
    return 0


def _prepare_job(job: tuple[str, str], cache: Path) -> object:
    path, title = job
    return prepare_or_error(path, title, cache)


def _folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


if __name__ == "__main__":
    sys.exit(main())
