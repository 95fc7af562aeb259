"""Every highlight and note of every episode in the library, and the filter of the All Annotations view. No Qt.

:func:`collect_library` reads each episode's annotations file (found as the reader finds it: by the text's
sha256, else by the source path) and, when the transcript file is there, anchors the highlights on its text
and describes each as the reader shows it: the quote as displayed (punctuated, capitalised), the speaker, the
chapter (the user's edited outline, else the file's own chapters, else the cached automatic ones), the time
and a link back (:mod:`desktop_app.quotes`). One episode's trouble (its file gone, its annotations file
unreadable) is reported in its :class:`EpisodeAnnotations` and never stops the others; a missing transcript
still lists its highlights with their quotes as saved.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app import quotes
from desktop_app.annotations import store as annotation_store
from desktop_app.annotations.colors import DEFAULT_COLOR_MEANINGS
from desktop_app.annotations.model import Annotation, anchor_annotations
from desktop_app.display_text import build_display
from desktop_app.timeline import Timeline, chapter_at
from desktop_app.transcript import Transcript, load_transcript

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

    from desktop_app.library.catalog import Entry

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EpisodeRef:
    """What the library knows of an episode (plain data, e.g. from a catalog ``Entry``)."""

    sha256: str
    path: str
    title: str
    show: str = ""
    added: str = ""  # ISO 8601
    source_url: str = ""  # from the catalog, when it read one


def episode_refs(entries: Iterable[Entry]) -> list[EpisodeRef]:
    """The catalog's entries as the plain references the collector reads."""
    return [EpisodeRef(e.sha256, e.path, e.title, e.show, e.added, e.source_url) for e in entries]


@dataclass(frozen=True)
class LibraryHighlight:
    """One highlight of one episode, described as the reader shows it.

    ``start``/``end`` are document offsets in the episode's current text (-1 when the highlight is not found
    there or the transcript is gone); ``place`` is the timeline's label (``12:34`` or ``min 12``), ``seconds``
    the time it stands for; ``link`` points back to the source video at that second, else to the file.
    """

    episode: str  # sha256 of the episode's text
    episode_title: str
    path: str
    id: str
    color: str
    meaning: str
    quote: str
    note: str = ""
    tags: tuple[str, ...] = ()
    start: int = -1
    end: int = -1
    place: str = ""
    seconds: float | None = None
    speaker: str = ""
    chapter: str = ""
    link: str = ""
    updated: str = ""

    @property
    def placed(self) -> bool:
        """Whether the highlight was found in the episode's text (it can be opened at its place)."""
        return self.start >= 0

    def where(self) -> quotes.QuotePlace:
        """The highlight as a quote with its place, for :func:`desktop_app.quotes.markdown_quote`."""
        return quotes.QuotePlace(
            self.quote, self.place, self.link, self.speaker, self.chapter, self.episode_title
        )

    def as_markdown_quote(self) -> str:
        """The highlight as a Markdown block quote with speaker, episode, chapter and the linked time."""
        return quotes.markdown_quote(self.where())


@dataclass(frozen=True)
class EpisodeAnnotations:
    """One episode's highlights (in document order, those not found last), and what went wrong, if anything."""

    episode: EpisodeRef
    highlights: tuple[LibraryHighlight, ...] = ()
    colors: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_COLOR_MEANINGS))
    source: str = ""  # the source video or page ("" when the transcript names none)
    problem: str = ""  # a message for the user ("" when all went well)
    date: str = ""  # the episode's date when its header gives one


Reusable = dict[str, tuple[tuple[object, ...], EpisodeAnnotations]]
"""Episodes described by an earlier walk, by sha256, with the stamp of the files they were read from."""


@dataclass(frozen=True)
class LibraryAnnotations:
    """Every episode that has highlights (or a problem), in library order."""

    episodes: tuple[EpisodeAnnotations, ...] = ()
    reusable: Reusable = field(default_factory=dict, compare=False, repr=False)

    @property
    def highlights(self) -> list[LibraryHighlight]:
        """All highlights of all episodes."""
        return [h for e in self.episodes for h in e.highlights]

    @property
    def problems(self) -> list[str]:
        """The episodes' problems, one message each."""
        return [e.problem for e in self.episodes if e.problem]


# -- reading ------------------------------------------------------------------------------------
def annotation_files(annotations_dir: Path) -> dict[str, Path]:
    """The annotations files of a folder by the sha256 their ``document`` names (and by normalised source
    path, as ``"path:" + key``), read once for the whole library."""
    found: dict[str, Path] = {}
    folder = Path(annotations_dir)
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        header = annotation_store.read_document_header(path)
        sha = (header or {}).get("sha256") or path.stem.rsplit("-", 1)[-1]
        found.setdefault(sha, path)
        source = (header or {}).get("source")
        if source:
            found.setdefault("path:" + _path_key(source), path)
    return found


def _path_key(path: str) -> str:
    return str(Path(path).expanduser().absolute())


def _file_for(files: dict[str, Path], episode: EpisodeRef) -> Path | None:
    exact = files.get(episode.sha256)
    if exact is not None:
        return exact
    named = files.get(episode.sha256[:12])  # a file whose header cannot be read, found by its name
    return named or files.get("path:" + _path_key(episode.path))


@dataclass(frozen=True)
class LiveAnnotations:
    """The highlights of the episode open in the reader as they are now (perhaps not saved yet)."""

    annotations: tuple[Annotation, ...]
    colors: dict[str, str]
    outline: tuple[dict[str, object], ...] = ()


def collect_library(
    episodes: Sequence[EpisodeRef],
    annotations_dir: Path,
    cache_dir: Path | None,
    progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    live: Mapping[str, LiveAnnotations] | None = None,
    reuse: Reusable | None = None,
) -> LibraryAnnotations:
    """Every highlight of every episode (episodes without an annotations file are left out);
    ``progress(done, total)`` after each episode; ``should_stop()`` ends the walk early; ``live``: the
    highlights of open episodes (by sha256), used instead of their files; ``reuse``: an earlier walk's
    :attr:`LibraryAnnotations.reusable`, whose episodes are taken as they were while their files are
    unchanged (a library of hundreds of annotated episodes is read again in a moment)."""
    files = annotation_files(annotations_dir)
    collected: list[EpisodeAnnotations] = []
    reusable: Reusable = {}
    for number, episode in enumerate(episodes):
        if should_stop is not None and should_stop():
            break
        path = _file_for(files, episode)
        current = (live or {}).get(episode.sha256)
        if path is not None or current is not None:
            stamp = _stamp(episode, path) if current is None and path is not None else None
            earlier = (reuse or {}).get(episode.sha256)
            if stamp is not None and earlier is not None and earlier[0] == stamp:
                result = earlier[1]
            else:
                result = collect_episode(episode, path, cache_dir, current)
            if stamp is not None:
                reusable[episode.sha256] = (stamp, result)
            if result.highlights or result.problem:
                collected.append(result)
        if progress is not None:
            progress(number + 1, len(episodes))
    return LibraryAnnotations(tuple(collected), reusable)


def _stamp(episode: EpisodeRef, annotations_file: Path) -> tuple[object, ...] | None:
    """What an episode's description depends on: its entry, its annotations file and its transcript file."""
    try:
        notes = annotations_file.stat()
    except OSError:
        return None
    try:
        text = os.stat(episode.path)
        transcript: tuple[int, int] | None = (text.st_mtime_ns, text.st_size)
    except OSError:
        transcript = None
    return (episode, str(annotations_file), notes.st_mtime_ns, notes.st_size, transcript)


def collect_episode(
    episode: EpisodeRef,
    annotations_file: Path | None,
    cache_dir: Path | None,
    live: LiveAnnotations | None = None,
) -> EpisodeAnnotations:
    """One episode's highlights, described as the reader shows them (see the module's docstring);
    ``live``: its highlights as they are in the reader now, instead of its file."""
    if live is None and annotations_file is not None:
        try:
            content = annotation_store.load(annotations_file)
        except (OSError, annotation_store.AnnotationFileError) as error:
            logger.info("library annotations of %s not read: %s", episode.path, error)
            return EpisodeAnnotations(
                episode,
                problem=f"The highlights of “{episode.title}” could not be read "
                f"({annotations_file.name}): {_reason(error)}. The other episodes are listed.",
            )
        live = LiveAnnotations(tuple(content.annotations), content.colors, tuple(content.outline))
    return _describe_episode(episode, live, cache_dir)


def _describe_episode(
    episode: EpisodeRef, content: LiveAnnotations | None, cache_dir: Path | None = None
) -> EpisodeAnnotations:
    if content is None:
        return EpisodeAnnotations(episode)
    colors = {**DEFAULT_COLOR_MEANINGS, **content.colors}
    head = quotes.read_head(episode.path)
    source = episode.source_url or quotes.source_url(episode.path, head)
    try:
        transcript = load_transcript(episode.path)
        items = describe_highlights(
            episode, transcript, content.annotations, colors, source, content.outline, cache_dir
        )
    except Exception as error:  # one episode's trouble (a file gone, unreadable, odd) never stops the others
        logger.info("library transcript %s not described: %s", episode.path, error, exc_info=True)
        saved = [_as_saved(episode, a, colors, source) for a in content.annotations]
        trouble = (
            f"was not found at {episode.path}"
            if not Path(episode.path).exists()
            else f"could not be read ({_reason(error)})"
        )
        problem = (
            f"The transcript of “{episode.title}” {trouble}; its {len(saved)} highlight(s) are listed with "
            "their words as saved."
        )
        return EpisodeAnnotations(episode, tuple(saved), colors, source, problem, _date(head))
    return EpisodeAnnotations(episode, tuple(items), colors, source, "", _date(head))


def _reason(error: BaseException) -> str:
    return str(getattr(error, "message", "") or error).rstrip(".")


def _date(head: str) -> str:
    for line in quotes.header_lines(head):
        key, _, value = line.lstrip("#").strip().partition(":")
        if key.strip().lower() in ("date", "published", "upload_date") and value.strip():
            return value.strip()
    return ""


def _as_saved(episode: EpisodeRef, item: Annotation, colors: dict[str, str], source: str) -> LibraryHighlight:
    """A highlight whose transcript is gone: its words as saved, no place."""
    return LibraryHighlight(
        episode.sha256,
        episode.title,
        episode.path,
        item.id,
        item.color,
        colors.get(item.color, item.color),
        " ".join(item.target.exact.split()),
        item.note,
        tuple(item.tags),
        link=quotes.link_back(source, episode.path, None),
        updated=item.updated,
    )


def describe_highlights(
    episode: EpisodeRef,
    transcript: Transcript,
    annotations: Iterable[Annotation],
    colors: dict[str, str],
    source: str,
    outline_records: Sequence[dict[str, object]] = (),
    cache_dir: Path | None = None,
) -> list[LibraryHighlight]:
    """Highlights anchored on the transcript's text, each with its readable quote, speaker, chapter, place
    and link; those not found in the text keep their saved words and come last."""
    from desktop_app.library.derived import readable_of

    text = transcript.text
    anchored = sorted(
        anchor_annotations(text, list(annotations)), key=lambda a: (a.is_orphan, a.start, a.end)
    )
    readable = readable_of(transcript, cache_dir, speakers=True)
    display = build_display(text, readable, [p.speaker for p in readable.paragraphs])
    timeline = Timeline.of_transcript(transcript)
    chapters = _chapters(transcript, outline_records, cache_dir)
    items = []
    for item in anchored:
        if item.is_orphan:
            items.append(_as_saved(episode, item, colors, source))
            continue
        number = chapter_at(chapters, item.start)
        seconds = timeline.seconds_at(item.start)
        items.append(
            LibraryHighlight(
                episode.sha256,
                episode.title,
                episode.path,
                item.id,
                item.color,
                colors.get(item.color, item.color),
                quotes.readable_quote(display, item.start, item.end),
                item.note,
                tuple(item.tags),
                item.start,
                item.end,
                timeline.place_label(item.start),
                seconds,
                readable.speaker_at(item.start) or "",
                chapters[number].title if number >= 0 else "",
                quotes.link_back(source, episode.path, seconds),
                item.updated,
            )
        )
    return items


@dataclass(frozen=True)
class _Chapter:
    title: str
    start: int
    end: int


def _chapters(
    transcript: Transcript, records: Sequence[dict[str, object]], cache_dir: Path | None
) -> list[_Chapter]:
    """The chapters in force as the reader shows them: the user's edited outline, else the file's own
    chapters, else the cached automatic outline (none when it was never computed: no numpy here)."""
    from desktop_app.library.derived import cached_chapters
    from desktop_app.outline import edits as outline_edits

    text = transcript.text
    edited = outline_edits.from_records(list(records), text) if records else None
    if edited:
        return [_Chapter(s.title, s.start, s.end) for s in edited]
    headings = [h for h in transcript.chapters if 0 <= h.start < len(text)]
    if len(headings) >= 2:  # the first chapter takes in whatever comes before it (as the reader does)
        starts = [0, *(h.start for h in headings[1:])]
        ends = [*starts[1:], len(text)]
        return [_Chapter(h.title, a, b) for h, a, b in zip(headings, starts, ends, strict=True)]
    cached = cached_chapters(transcript, cache_dir) if cache_dir is not None else None
    return [_Chapter(c.title, c.start, c.end) for c in cached or []]


# -- filtering ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class AnnotationFilter:
    """What the All Annotations view shows: empty fields let everything through.

    ``colors``: colour keys; ``tag``, ``speaker``: exact (case-insensitive); ``episode``: an episode's
    sha256; ``text``: every word must occur in the quote, the note, the tags, the speaker, the chapter or
    the episode's title.
    """

    colors: frozenset[str] = frozenset()
    tag: str = ""
    speaker: str = ""
    episode: str = ""
    text: str = ""

    def matches(self, item: LibraryHighlight) -> bool:
        """Whether ``item`` passes every part of the filter."""
        if self.colors and item.color not in self.colors:
            return False
        if self.tag and self.tag.casefold() not in (t.casefold() for t in item.tags):
            return False
        if self.speaker and self.speaker.casefold() != item.speaker.casefold():
            return False
        if self.episode and self.episode != item.episode:
            return False
        words = self.text.casefold().split()
        if words:
            haystack = " ".join(
                (item.quote, item.note, " ".join(item.tags), item.speaker, item.chapter, item.episode_title)
            ).casefold()
            return all(word in haystack for word in words)
        return True


def filter_highlights(items: Iterable[LibraryHighlight], wanted: AnnotationFilter) -> list[LibraryHighlight]:
    """The highlights that pass ``wanted``, in their order."""
    return [item for item in items if wanted.matches(item)]


def newest_first(items: Iterable[LibraryHighlight]) -> list[LibraryHighlight]:
    """The highlights by their last change, newest first (equal times keep their order)."""
    return sorted(items, key=lambda item: item.updated, reverse=True)


@dataclass(frozen=True)
class Facets:
    """The values the filter offers: tags, speakers and episodes (sha256, title) that occur, sorted."""

    tags: tuple[str, ...] = ()
    speakers: tuple[str, ...] = ()
    episodes: tuple[tuple[str, str], ...] = ()
    colors: tuple[str, ...] = ()


def facets_of(items: Sequence[LibraryHighlight]) -> Facets:
    """The tags, speakers, episodes and colours found among ``items``."""
    tags = sorted({t for item in items for t in item.tags}, key=str.casefold)
    speakers = sorted({item.speaker for item in items if item.speaker}, key=str.casefold)
    episodes = list(dict.fromkeys((item.episode, item.episode_title) for item in items))
    colors = list(dict.fromkeys(item.color for item in items))
    return Facets(tuple(tags), tuple(speakers), tuple(episodes), tuple(colors))
