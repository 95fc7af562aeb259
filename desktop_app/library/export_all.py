"""Export every episode's highlights and notes to a folder: one Markdown file per episode. No Qt.

Each file opens with YAML front matter that note-taking apps read (Obsidian properties, Logseq page
properties): ``title``, ``source`` (the video or page, else the transcript file), ``date``, ``show``,
``tags``…, and ``transcript-reader-episode`` (the text's sha256), which marks the file as ours. Each highlight
is a block quote as the reader shows it, with its speaker, its linked time and its note.

File names are the episode titles made safe for every file system, unique within the export. A file of the
same name that this export did not write (no marker, or another episode's) is never replaced: the episode
gets the next free name (``Title (2).md``). Every file is written atomically; one file that cannot be
written does not stop the others.
"""

from __future__ import annotations

import logging
import os
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_app import export, quotes
from desktop_app.atomic_file import write_text_atomic

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from desktop_app.library.all_annotations import EpisodeAnnotations, LibraryHighlight

logger = logging.getLogger(__name__)

MARKER = "transcript-reader-episode"
"""Front-matter key naming the episode a file was exported from (the sha256 of its text)."""
NAME_CHARS = 100
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*#^\[\]]+')
_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{n}" for n in range(1, 10)),
    *(f"lpt{n}" for n in range(1, 10)),
}
_TAG_CHARS = re.compile(r"[^\w/-]+")


class ExportFolderError(Exception):
    """The folder cannot be written at all; ``str()`` says so in the user's words."""


@dataclass(frozen=True)
class ExportReport:
    """What an export did: the files written, the episodes given another name (an unrelated file had
    theirs), and (episode title, message) for the files that could not be written."""

    folder: Path
    written: tuple[Path, ...] = ()
    renamed: tuple[str, ...] = ()
    failed: tuple[tuple[str, str], ...] = ()

    def summary(self) -> str:
        """One sentence for the status bar."""
        text = f"Exported {len(self.written)} episode(s) to {self.folder}"
        if self.renamed:
            text += f"; {len(self.renamed)} under a new name (a file of that name was already there)"
        if self.failed:
            text += f"; {len(self.failed)} could not be written"
        return text + "."


def safe_file_stem(title: str, limit: int = NAME_CHARS) -> str:
    """A title as a file name that works on Linux, macOS and Windows and in Obsidian links: no path or
    wiki-link characters, no control characters, no leading dot, not a reserved device name."""
    flat = unicodedata.normalize("NFC", " ".join(title.split()))
    stem = _UNSAFE_NAME.sub(" ", flat)
    stem = " ".join(stem.split()).strip(" .")[:limit].strip(" .")
    if not stem or stem.lower() in _RESERVED:
        stem = f"{stem} transcript".strip() if stem else "Transcript"
    return stem


def obsidian_tag(tag: str) -> str:
    """A tag as Obsidian and Logseq accept it: no spaces or punctuation (``open source`` → ``open-source``)."""
    cleaned = _TAG_CHARS.sub("-", tag.strip().lstrip("#")).strip("-")
    return cleaned if cleaned and not cleaned.isdigit() else f"tag-{cleaned}" if cleaned else ""


def episode_front_matter(episode: EpisodeAnnotations) -> dict[str, Any]:
    """The front matter fields of an episode's file."""
    ref = episode.episode
    tags = sorted({obsidian_tag(t) for h in episode.highlights for t in h.tags} - {""}, key=str.casefold)
    return {
        "title": " ".join(ref.title.split()),
        "source": episode.source or quotes.file_uri(ref.path),
        "date": _as_date(episode.date) or _as_date(ref.added),
        "show": " ".join(ref.show.split()),
        "tags": ["transcript-highlights", *tags],
        "transcript": ref.path,
        "highlights": len(episode.highlights),
        "notes": sum(1 for h in episode.highlights if h.note.strip()),
        MARKER: ref.sha256,
    }


def _as_date(value: str) -> date | str:
    """An ISO date or timestamp as a date (a YAML date Obsidian reads), other text as it is."""
    if not value:
        return ""
    try:
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00")).date()
    except ValueError:
        try:
            return datetime.strptime(value.strip(), "%Y%m%d").date()  # yt-dlp's upload_date
        except ValueError:
            return " ".join(value.split())


def episode_markdown(episode: EpisodeAnnotations) -> str:
    """An episode's file: front matter, title, then per chapter each highlight with its linked time."""
    ref = episode.episode
    lines = [export.front_matter(episode_front_matter(episode))]
    lines += [f"# {export.safe_markdown(' '.join(ref.title.split())) or 'Transcript'}", ""]
    if episode.problem:
        lines += [f"*{export.safe_markdown(' '.join(episode.problem.split()))}*", ""]
    heading: str | None = None
    for item in episode.highlights:
        group = _heading_of(item)
        if group != heading:
            heading = group
            lines += [f"## {export.safe_markdown(group)}", ""]
        lines += export.highlight_lines(
            item.quote, item.meaning, item.place or None, item.speaker, item.link, item.note, item.tags
        )
    return "\n".join(lines).rstrip("\n") + "\n"


def _heading_of(item: LibraryHighlight) -> str:
    if not item.placed:
        return "Not found in the current text"
    return " ".join(item.chapter.split()) or "Highlights"


def exported_episode(path: Path) -> str | None:
    """The episode (sha256) a file was exported from, read from its front matter; None for any other file."""
    head = quotes.read_head(path, 4096)
    if not head.startswith("---"):
        return None
    match = re.search(rf"^{re.escape(MARKER)}:\s*['\"]?([0-9a-f]{{64}})", head, re.MULTILINE)
    return match.group(1) if match else None


def check_folder(folder: Path) -> None:
    """Create the folder if needed; :class:`ExportFolderError` when it cannot be written."""
    if folder.exists() and not folder.is_dir():
        raise ExportFolderError(f"{folder} is a file, not a folder. Choose a folder.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ExportFolderError(
            f"The folder {folder} could not be created ({error.strerror or error}). Choose another folder."
        ) from error
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ExportFolderError(
            f"You do not have permission to write in {folder}. Choose another folder; nothing was exported."
        )


def plan_names(folder: Path, episodes: Sequence[EpisodeAnnotations]) -> list[tuple[Path, bool]]:
    """Where each episode goes, and whether it had to take another name than its title's: a name taken by
    another episode of this export, or by a file that is not this episode's export, is not used."""
    taken: set[str] = set()
    planned: list[tuple[Path, bool]] = []
    ours = {e.episode.sha256 for e in episodes}
    for episode in episodes:
        stem = safe_file_stem(episode.episode.title)
        number = 1
        while True:
            name = f"{stem}.md" if number == 1 else f"{stem} ({number}).md"
            path = folder / name
            free = name.casefold() not in taken and (
                not path.exists()
                and not path.is_symlink()
                or exported_episode(path) == episode.episode.sha256
            )
            if free:
                break
            number += 1
        taken.add(name.casefold())
        planned.append((path, number > 1 and _taken_by_user(folder / f"{stem}.md", ours)))
    return planned


def _taken_by_user(path: Path, ours: set[str]) -> bool:
    """Whether ``path`` is a file that none of the episodes being exported wrote (the user's own)."""
    return (path.exists() or path.is_symlink()) and exported_episode(path) not in ours


def export_library(
    folder: str | os.PathLike[str],
    episodes: Sequence[EpisodeAnnotations],
    progress: Callable[[int, int], None] | None = None,
) -> ExportReport:
    """Write one Markdown file per episode that has highlights into ``folder`` (see the module docstring)."""
    target = Path(folder).expanduser()
    check_folder(target)
    chosen = [e for e in episodes if e.highlights]
    written: list[Path] = []
    renamed: list[str] = []
    failed: list[tuple[str, str]] = []
    for number, ((path, moved), episode) in enumerate(zip(plan_names(target, chosen), chosen, strict=True)):
        try:
            write_text_atomic(path, episode_markdown(episode))
        except OSError as error:
            failed.append((episode.episode.title, f"{path.name}: {error.strerror or error}"))
        else:
            written.append(path)
            if moved:
                renamed.append(path.name)
        if progress is not None:
            progress(number + 1, len(chosen))
    if chosen and not written:
        raise ExportFolderError(f"Nothing could be written in {target}: {failed[0][1]}.")
    return ExportReport(target, tuple(written), tuple(renamed), tuple(failed))
