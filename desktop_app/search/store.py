"""Where a document's Whoosh index lives: built once into the cache, verified and loaded into memory after.

Layout: ``<cache_root>/<sha256>-v<schema>/`` holds the Whoosh files, ``vocab.json`` and ``meta.json`` (written
last: schema version, text hash, paragraph digest, size and CRC-32 of every file). A folder is built under a
private name (``<sha256>-v<schema>.build-<pid>-<token>``) and renamed into place when complete, so a reader
never sees half an index and two processes building the same document cannot corrupt each other (the second
rename loses and its folder is dropped). After the rename the folder is never written again: opening it reads
every file once, checks its CRC and serves searches from memory, so no lock is ever taken on the cache, a dead
process cannot leave one behind, and another process may replace a corrupt folder while this one searches.
Anything wrong (missing, stale, corrupt, half-built by a dead process) means a silent rebuild; a cache folder
that cannot be written means an index in memory only.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import shutil
import time
import zlib
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from whoosh.filedb.filestore import FileStorage, RamStorage
from whoosh.filedb.structfile import BufferFile

from desktop_app.search.query import CONTENT, make_schema
from desktop_app.search.vocabulary import Vocabulary

if TYPE_CHECKING:
    from pathlib import Path

    from whoosh.index import Index

logger = logging.getLogger(__name__)

INDEX_SCHEMA_VERSION = 2
INDEX_NAME = "MAIN"
META_FILE = "meta.json"
VOCAB_FILE = "vocab.json"
META_FORMAT = "transcript-reader-search-index"
ABANDONED_AFTER_S = 24 * 3600  # a build folder this old is dropped even if its pid looks alive

Progress = Callable[[float], None]


class IndexCorrupt(Exception):
    """A cached index folder cannot be used (missing, stale or damaged)."""


class MemoryStorage(RamStorage):
    """A RamStorage that shares its buffers with readers (no copy per searcher) and keeps temp files in RAM."""

    def open_file(self, name: str, **kwargs: object) -> BufferFile:
        """A reader over the file's buffer, shared rather than copied."""
        if name not in self.files:
            raise NameError(name)
        return BufferFile(self.files[name], name=name)

    def temp_storage(self, name: str | None = None) -> MemoryStorage:
        """Temporary files in memory too."""
        return MemoryStorage()


@dataclass
class OpenedIndex:
    """An index ready to search, its vocabulary, and whether it had to be built."""

    index: Index
    vocabulary: Vocabulary
    built: bool
    folder: Path | None


def paragraphs_digest(paragraphs: Sequence[tuple[int, int]]) -> str:
    """A short fingerprint of the paragraph split (the index is stale when it changes)."""
    flat = array("q", (value for pair in paragraphs for value in pair))
    return hashlib.sha256(flat.tobytes()).hexdigest()[:32]


def folder_name(doc_sha256: str) -> str:
    """The cache folder of a document for the current schema."""
    return f"{doc_sha256}-v{INDEX_SCHEMA_VERSION}"


def open_or_build(
    cache_root: Path,
    doc_sha256: str,
    text: str,
    paragraphs: Sequence[tuple[int, int]],
    progress: Progress | None = None,
) -> OpenedIndex:
    """Load the cached index of this document, else build it (in memory when the cache is unusable)."""
    final = cache_root / folder_name(doc_sha256)
    digest = paragraphs_digest(paragraphs)
    try:
        opened = load(final, doc_sha256, digest, len(paragraphs))
        if progress:
            progress(1.0)
        return opened
    except IndexCorrupt as exc:
        if final.exists():
            logger.info("rebuilding search index %s: %s", final, exc)
    try:
        cache_root.mkdir(parents=True, exist_ok=True)
        _remove_leftovers(cache_root, doc_sha256)
        return _build_and_publish(final, doc_sha256, digest, text, paragraphs, progress)
    except (OSError, IndexCorrupt) as exc:
        logger.warning("search index cache %s unusable (%s); indexing in memory", cache_root, exc)
        storage = MemoryStorage()
        vocabulary = write_index(storage, text, paragraphs, progress)
        return OpenedIndex(storage.open_index(INDEX_NAME), vocabulary, True, None)


def write_index(
    storage: FileStorage | MemoryStorage,
    text: str,
    paragraphs: Sequence[tuple[int, int]],
    progress: Progress | None = None,
) -> Vocabulary:
    """Index one Whoosh document per paragraph, in order, and return the text's vocabulary."""
    index = storage.create_index(make_schema(), indexname=INDEX_NAME)
    writer = index.writer(limitmb=256)  # (uncompressed postings: 15% faster to build, twice the size)
    step = max(1, len(paragraphs) // 50)
    texts = []
    for number, (start, end) in enumerate(paragraphs):
        chunk = text[start:end]
        texts.append(chunk)
        writer.add_document(**{CONTENT: chunk})
        if progress and number % step == 0:
            progress(0.85 * number / max(1, len(paragraphs)))
    writer.commit()
    if progress:
        progress(0.95)
    return Vocabulary.from_texts(texts)


def _build_and_publish(
    final: Path,
    doc_sha256: str,
    digest: str,
    text: str,
    paragraphs: Sequence[tuple[int, int]],
    progress: Progress | None,
) -> OpenedIndex:
    started = time.perf_counter()
    building = final.with_name(f"{final.name}.build-{os.getpid()}-{secrets.token_hex(4)}")
    building.mkdir()
    try:
        storage = FileStorage(str(building)).create()
        vocabulary = write_index(storage, text, paragraphs, progress)
        vocabulary.save(building / VOCAB_FILE)
        _write_meta(building, doc_sha256, digest, len(paragraphs))
        opened = load(building, doc_sha256, digest, len(paragraphs))
        if _publish(building, final) != final:
            logger.info("another process published %s first", final)
            shutil.rmtree(building, ignore_errors=True)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    logger.info("search index built in %.2f s: %s", time.perf_counter() - started, final)
    if progress:
        progress(1.0)
    return OpenedIndex(opened.index, opened.vocabulary, True, final)


def _publish(building: Path, final: Path) -> Path:
    """Rename a finished build into place; returns where the index now is."""
    if final.exists():
        stale = final.with_name(f"{final.name}.stale-{os.getpid()}-{secrets.token_hex(4)}")
        try:
            final.rename(stale)
        except OSError:
            pass  # someone else moved it
        else:
            shutil.rmtree(stale, ignore_errors=True)
    try:
        building.rename(final)
    except OSError:
        return building
    return final


def _write_meta(folder: Path, doc_sha256: str, digest: str, paragraph_count: int) -> None:
    files = {}
    for path in sorted(folder.iterdir()):
        if path.is_file() and not path.name.endswith("LOCK") and path.name != META_FILE:
            data = path.read_bytes()
            files[path.name] = [len(data), zlib.crc32(data)]
    meta = {
        "format": META_FORMAT,
        "schema_version": INDEX_SCHEMA_VERSION,
        "sha256": doc_sha256,
        "paragraphs": paragraph_count,
        "paragraphs_digest": digest,
        "files": files,
    }
    tmp = folder / (META_FILE + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(meta, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, folder / META_FILE)


def load(folder: Path, doc_sha256: str, digest: str, paragraph_count: int) -> OpenedIndex:
    """Verify a published folder and load it into memory (raises IndexCorrupt when it cannot be used)."""
    try:
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
        expected = {
            "format": META_FORMAT,
            "schema_version": INDEX_SCHEMA_VERSION,
            "sha256": doc_sha256,
            "paragraphs": paragraph_count,
            "paragraphs_digest": digest,
        }
        for key, value in expected.items():
            if meta.get(key) != value:
                raise IndexCorrupt(f"{key} is {meta.get(key)!r}, expected {value!r}")
        storage = MemoryStorage()
        vocabulary = None
        for name, (size, crc) in meta["files"].items():
            data = (folder / name).read_bytes()
            if len(data) != size or zlib.crc32(data) != crc:
                raise IndexCorrupt(f"{name} is damaged")
            if name == VOCAB_FILE:
                vocabulary = Vocabulary.from_json(data)
            else:
                storage.files[name] = data
        if vocabulary is None:
            raise IndexCorrupt("no vocabulary")
        index = storage.open_index(INDEX_NAME)
        if index.doc_count_all() != paragraph_count:
            raise IndexCorrupt("wrong number of documents")
    except IndexCorrupt:
        raise
    except Exception as exc:
        raise IndexCorrupt(f"{type(exc).__name__}: {exc}") from exc
    return OpenedIndex(index, vocabulary, False, folder)


def _remove_leftovers(cache_root: Path, doc_sha256: str) -> None:
    """Drop this document's folders of older schema versions, and build/stale folders left by processes that
    died (or long abandoned)."""
    prefix = folder_name(doc_sha256)
    for path in cache_root.glob(f"{doc_sha256}-v*"):
        version = path.name[len(doc_sha256) + 2 :]
        if version.isdigit() and int(version) != INDEX_SCHEMA_VERSION:
            logger.info("removing index folder of schema version %s: %s", version, path)
            shutil.rmtree(path, ignore_errors=True)
    for path in cache_root.glob(f"{prefix}.*-*-*"):
        kind, _, rest = path.name[len(prefix) + 1 :].partition("-")
        if kind not in ("build", "stale"):
            continue
        pid_text = rest.split("-", 1)[0]
        try:
            pid = int(pid_text)
            age = time.time() - path.stat().st_mtime
        except (ValueError, OSError):
            continue
        if kind == "stale" or not _pid_alive(pid) or age > ABANDONED_AFTER_S:
            logger.info("removing leftover index folder %s", path)
            shutil.rmtree(path, ignore_errors=True)


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid() or os.name == "nt":  # os.kill(pid, 0) would terminate it on Windows
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists but not ours, or we cannot tell (Windows): assume alive
    return True
