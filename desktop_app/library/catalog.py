"""The library's catalog: every document the user added, in a small JSON file written atomically.

Plain Python (no Qt). An entry is keyed by the sha256 of its text (as annotations are), so a file that moved
or was renamed is found again by its content: adding it again updates the entry's path instead of adding a
second one, and :meth:`Catalog.relocate` looks for missing files in given folders. Removing a document
removes its entry only; its annotations file stays where it is.
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_app.atomic_file import write_text_atomic
from desktop_app.transcript import Transcript, TranscriptError, count_words, load_transcript

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

logger = logging.getLogger(__name__)

CATALOG_FILE = "library.json"
CATALOG_FORMAT = "transcript-reader-library"
CATALOG_VERSION = 1
SUFFIXES = (".vtt", ".srt", ".sbv", ".json", ".tsv", ".csv", ".md", ".markdown", ".txt", ".html", ".htm")
"""The files a folder contributes (others are skipped), best first: when one tool wrote the same episode in
several formats (Whisper writes ``ep.txt``, ``ep.srt``, ``ep.vtt``, ``ep.tsv``, ``ep.json``), the folder
contributes the first of them (times, and speakers where the tool gives them)."""
NOT_TRANSCRIPTS = (".info.json", ".live_chat.json", ".description", "chapters.json", "chapters.vtt")
"""Files that sit beside transcripts but are not one (yt-dlp's metadata, chapters files)."""
_KEYS = ("title", "show", "podcast", "episode", "source", "url", "date", "guest")
_HEADER_RE = re.compile(rf"^#\s*({'|'.join(_KEYS)})\s*:\s*(.+?)\s*$", re.IGNORECASE)
_EPISODE_RE = re.compile(r"^#\s*(episode\s*#?\s*\d+)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Entry:
    """One document of the library (all plain data; ``duration`` in seconds for subtitles and for text whose
    chapter list gives its pace, else None)."""

    sha256: str
    path: str
    title: str
    show: str = ""
    words: int = 0
    duration: float | None = None
    added: str = ""  # ISO 8601, UTC
    progress: float = 0.0  # reading position, 0..1
    highlights: int = 0
    notes: int = 0
    source_url: str = ""  # a "# Source: URL" header line, when the file has one
    missing: bool = False  # the file was not found at ``path`` when last checked

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Entry:
        """Rebuild an entry; unknown keys are ignored, missing ones take their defaults."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        if not isinstance(values.get("sha256"), str) or not isinstance(values.get("path"), str):
            raise ValueError("an entry needs sha256 and path")
        values.setdefault("title", Path(values["path"]).stem)
        return cls(**values)


@dataclass(frozen=True)
class AddResult:
    """What adding files did: new entries, entries whose path changed (moved files), and failures."""

    added: tuple[Entry, ...] = ()
    moved: tuple[Entry, ...] = ()
    unchanged: tuple[Entry, ...] = ()
    failed: tuple[tuple[str, str], ...] = ()  # (path, message)


def headers(text: str) -> dict[str, str]:
    """The ``# key: value`` lines (and a bare ``# title`` line, as ``title``) at the top of a text file."""
    found: dict[str, str] = {}
    for line in text[:2000].split("\n")[:8]:
        line = line.strip()
        if not line.startswith("#"):
            break
        keyed, episode = _HEADER_RE.match(line), _EPISODE_RE.match(line)
        if keyed:
            key = {"url": "source", "podcast": "show"}.get(keyed.group(1).lower(), keyed.group(1).lower())
            found.setdefault(key, keyed.group(2))
        elif episode:
            found.setdefault("episode", "#" + re.sub(r"\D", "", episode.group(1)))
        elif line.lstrip("# ").strip():
            found.setdefault("title", line.lstrip("# ").strip())
    return found


def _file_head(path: str, size: int = 4096) -> str:
    """The first characters of a file as written (the reader keeps ``#`` header lines out of the text)."""
    try:
        with open(path, "rb") as stream:
            return stream.read(size).decode("utf-8", errors="replace").lstrip("\ufeff")
    except OSError:
        return ""


def entry_for(transcript: Transcript, added: str | None = None, show: str | None = None) -> Entry:
    """A catalog entry describing ``transcript`` (title and show from its header lines when it has them)."""
    head = headers(_file_head(transcript.source)) if transcript.format in ("text", "markdown") else {}
    title = head.get("title") or transcript.title
    episode = head.get("episode")
    if episode and episode.lower() not in title.lower():
        title = f"{title} ({episode})"
    folder = Path(transcript.source).parent.name
    words = count_words(transcript.text)
    duration = transcript.cues[-1].t_end if transcript.cues else None
    if duration is None and transcript.words_per_minute:  # untimed text whose chapter list gives the pace
        duration = words / transcript.words_per_minute * 60.0
    return Entry(
        sha256=transcript.sha256,
        path=transcript.source,
        title=title,
        show=show if show is not None else head.get("show", folder),
        words=words,
        duration=duration,
        added=added or now_iso(),
        source_url=head.get("source", ""),
    )


def now_iso() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def files_in(folder: str | os.PathLike[str]) -> list[Path]:
    """The transcript files under ``folder`` (recursively, sorted; hidden files and folders skipped), one
    per episode where the same name comes in several formats (see :data:`SUFFIXES`)."""
    root = Path(folder)
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        found.extend(Path(dirpath) / name for name in one_per_episode(filenames))
    return found


def one_per_episode(names: Iterable[str]) -> list[str]:
    """The transcript file names among ``names``, sorted, keeping for each name stem only its best format."""
    best: dict[str, tuple[int, str]] = {}
    for name in names:
        lowered = name.lower()
        if name.startswith(".") or lowered.endswith(NOT_TRANSCRIPTS):
            continue
        rank = next((i for i, suffix in enumerate(SUFFIXES) if lowered.endswith(suffix)), None)
        if rank is None:
            continue
        stem = name[: len(name) - len(SUFFIXES[rank])]
        if stem not in best or rank < best[stem][0]:
            best[stem] = (rank, name)
    return sorted(name for _rank, name in best.values())


def expand_paths(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Files as given, and the transcript files of every folder given."""
    out: list[Path] = []
    for path in paths:
        p = Path(path).expanduser()
        out.extend(files_in(p) if p.is_dir() else [p])
    return out


def describe_files(
    files: Sequence[Path],
    loader: Callable[[Path], Transcript] = load_transcript,
    progress: Callable[[float], None] | None = None,
) -> tuple[list[Entry], list[tuple[str, str]]]:
    """Entries for files (pure work: a worker thread may do it), and (path, message) for those unreadable."""
    stamp = now_iso()
    entries: list[Entry] = []
    failed: list[tuple[str, str]] = []
    for number, path in enumerate(files):
        try:
            entries.append(entry_for(loader(path), stamp))
        except (TranscriptError, OSError) as error:
            failed.append((str(path), str(error)))
        if progress is not None:
            progress((number + 1) / len(files))
    return entries, failed


class Catalog:
    """The documents of the library, in the order they were added; saved to ``path`` on every change.

    Not thread-safe: one owner (the GUI thread's service, or a CLI command) changes it.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._entries: dict[str, Entry] = {}
        self.existed = False  # the file was there when the catalog was opened

    # -- reading and writing ----------------------------------------------------------------
    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> Catalog:
        """Load the catalog at ``path`` (an unreadable file is kept aside as ``.bad`` and the catalog starts empty)."""
        catalog = cls(path)
        try:
            raw = catalog.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return catalog
        catalog.existed = True
        try:
            data = json.loads(raw)
            if data.get("format") != CATALOG_FORMAT:
                raise ValueError("not a library catalog")
            for record in data.get("documents", []):
                entry = Entry.from_json(record)
                catalog._entries[entry.sha256] = entry
        except (ValueError, TypeError, AttributeError) as error:
            logger.warning("library catalog %s unreadable (%s); starting a new one", catalog.path, error)
            catalog._entries.clear()
            try:
                os.replace(catalog.path, catalog.path.with_suffix(".json.bad"))
            except OSError:
                pass
        return catalog

    def save(self) -> None:
        """Write the whole catalog atomically."""
        payload = {
            "format": CATALOG_FORMAT,
            "version": CATALOG_VERSION,
            "documents": [entry.to_json() for entry in self._entries.values()],
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(self.path, json.dumps(payload, ensure_ascii=False, indent=1) + "\n")

    # -- queries ----------------------------------------------------------------------------
    def entries(self) -> list[Entry]:
        """Every entry, in the order added."""
        return list(self._entries.values())

    def get(self, sha256: str) -> Entry | None:
        """The entry of a document, or None."""
        return self._entries.get(sha256)

    def by_path(self, path: str | os.PathLike[str]) -> Entry | None:
        """The entry whose file is ``path``, or None."""
        wanted = str(Path(path).expanduser().resolve())
        return next((e for e in self._entries.values() if e.path == wanted), None)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, sha256: object) -> bool:
        return sha256 in self._entries

    # -- changes ----------------------------------------------------------------------------
    def add_files(
        self,
        paths: Sequence[str | os.PathLike[str]],
        loader: Callable[[Path], Transcript] = load_transcript,
        progress: Callable[[float], None] | None = None,
        save: bool = True,
    ) -> AddResult:
        """Add files (and the transcript files of folders); a known text with a new path is a moved file."""
        entries, failed = describe_files(expand_paths(paths), loader, progress)
        result = self.add_entries(entries, save=save)
        return replace(result, failed=tuple(failed))

    def add_entries(self, entries: Iterable[Entry], save: bool = True) -> AddResult:
        """Add described files (:func:`describe_files`): new texts are added, known ones with a new path moved."""
        added: list[Entry] = []
        moved: list[Entry] = []
        unchanged: list[Entry] = []
        batch: set[str] = set()  # texts this call added or moved: a second file with one of them is a copy
        for described in entries:
            known = self._entries.get(described.sha256)
            if known is None:
                self._entries[described.sha256] = described
                added.append(described)
                batch.add(described.sha256)
            elif described.sha256 in batch:
                unchanged.append(known)  # the same text twice in one folder: the first file stays the entry's
            elif known.path != described.path or known.missing:
                batch.add(described.sha256)
                entry = replace(known, path=described.path, missing=False)
                self._entries[entry.sha256] = entry
                moved.append(entry)
            else:
                unchanged.append(known)
        if save and (added or moved):
            self.save()
        return AddResult(tuple(added), tuple(moved), tuple(unchanged))

    def remove(self, sha256s: Iterable[str], save: bool = True) -> list[Entry]:
        """Remove entries (their annotations files are left alone); returns the ones removed."""
        removed = [self._entries.pop(sha) for sha in list(sha256s) if sha in self._entries]
        if save and removed:
            self.save()
        return removed

    def update(self, sha256: str, save: bool = True, **changes: Any) -> Entry | None:
        """Change fields of one entry (progress, counts, title…); returns the new entry."""
        entry = self._entries.get(sha256)
        if entry is None:
            return None
        entry = replace(entry, **changes)
        self._entries[sha256] = entry
        if save:
            self.save()
        return entry

    def check_files(self, save: bool = True) -> list[Entry]:
        """Mark entries whose file is gone as ``missing`` (and found ones as not); returns the missing ones."""
        changed = False
        for sha, entry in list(self._entries.items()):
            missing = not Path(entry.path).is_file()
            if missing != entry.missing:
                self._entries[sha] = replace(entry, missing=missing)
                changed = True
        if save and changed:
            self.save()
        return [e for e in self._entries.values() if e.missing]

    def relocate(
        self,
        folders: Iterable[str | os.PathLike[str]],
        loader: Callable[[Path], Transcript] = load_transcript,
        save: bool = True,
    ) -> list[Entry]:
        """Look for the missing entries' texts in ``folders`` (by content hash); returns the entries found."""
        missing = {e.sha256 for e in self.check_files(save=False)}
        found: list[Entry] = []
        for path in expand_paths(folders) if missing else []:
            try:
                transcript = loader(path)
            except (TranscriptError, OSError):
                continue
            if transcript.sha256 in missing:
                entry = replace(self._entries[transcript.sha256], path=transcript.source, missing=False)
                self._entries[entry.sha256] = entry
                missing.discard(entry.sha256)
                found.append(entry)
                if not missing:
                    break
        if save:
            self.save()
        return found


def open_library_catalog(data_dir: Path, default_document: Path | None = None) -> Catalog:
    """The catalog in ``data_dir``; on first start (no catalog file yet) it holds ``default_document``."""
    catalog = Catalog.open(data_dir / CATALOG_FILE)
    if not catalog.existed:
        if default_document is not None and default_document.is_file():
            catalog.add_files([default_document], save=False)
        catalog.save()
    return catalog
