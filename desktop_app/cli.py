"""Headless subcommands (no QApplication): ``paragraphs``, ``outline``, ``search``, ``export``, ``library``.

JSON on stdout with ``--json``; errors on stderr with a non-zero exit code. The segmentation and the outline
come from the app's cache (``library/derived.py``, computed once per call when missing) and ``search`` reuses
the persistent index, so a file seen before is not segmented again.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import TYPE_CHECKING, Any

from desktop_app import __version__
from desktop_app.atomic_file import WriteRefused, write_text_atomic
from desktop_app.timeline import Timeline, chapter_at, format_clock
from desktop_app.transcript import Transcript, TranscriptError, load_transcript

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

COMMANDS = ("paragraphs", "outline", "search", "export", "library")
COMMAND_USAGE = (
    "paragraphs FILE [--json]",
    "outline FILE [--json]",
    "search FILE QUERY [--json]",
    "export FILE [--format markdown|json]",
    "library add|list|search|export|index|remove …",
)
"""How each headless command is called, for the app's ``--help``."""
EXIT_BAD_INPUT = 2


def build_parser() -> argparse.ArgumentParser:
    """The headless commands and their options."""
    parser = argparse.ArgumentParser(
        prog="python -m desktop_app", description="Transcript Reader, headless commands."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("paragraphs", help="sentences and paragraphs of a transcript (or the readable text)")
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="print JSON (the default output is readable text)")
    p.add_argument(
        "--format",
        choices=("text", "markdown"),
        default="text",
        help="the readable transcript as plain text (default) or Markdown, with speaker labels",
    )
    p.add_argument("--timestamps", action="store_true", help="start each paragraph with its time, when known")
    p.add_argument("--data-dir", default=None, help="keep caches under this folder")
    p = sub.add_parser("outline", help="automatic chapters of a transcript")
    p.add_argument("file")
    p.add_argument("--json", action="store_true")
    p.add_argument("--granularity", type=float, default=1.0, help="0.5 = fewer chapters, 2 = more")
    p.add_argument(
        "--refined",
        action="store_true",
        help="refined by the contextual encoder (seconds; View › Refine Automatic Chapters in the app)",
    )
    p.add_argument("--data-dir", default=None, help="keep caches under this folder")
    p = sub.add_parser("search", help="full-text search in a transcript")
    p.add_argument("file")
    p.add_argument("query")
    p.add_argument("--json", action="store_true")
    p.add_argument("--limit", type=int, default=None)
    p.add_argument("--data-dir", default=None, help="keep caches (the search index) under this folder")
    p = sub.add_parser("export", help="export highlights and notes")
    p.add_argument("file")
    p.add_argument("--format", choices=("markdown", "json"), default="markdown")
    p.add_argument("--data-dir", default=None)
    p.add_argument("--output", "-o", default=None, help="write to this file instead of stdout")
    _add_library_parser(sub)
    return parser


def _add_library_parser(sub: Any) -> None:
    library = sub.add_parser("library", help="the library: add, list and search many transcripts")
    commands = library.add_subparsers(dest="library_command", required=True)
    p = commands.add_parser("add", help="add files or folders, then index them for search")
    p.add_argument("paths", nargs="+")
    p.add_argument("--no-index", action="store_true", help="only add to the catalog")
    p.add_argument("--json", action="store_true")
    p.add_argument("--data-dir", default=None)
    p = commands.add_parser("index", help="index what is not indexed yet (resumes an interrupted run)")
    p.add_argument("--data-dir", default=None)
    p = commands.add_parser("list", help="the documents of the library")
    p.add_argument("--json", action="store_true")
    p.add_argument("--data-dir", default=None)
    p = commands.add_parser("remove", help="remove documents (by path or sha256); annotations are kept")
    p.add_argument("documents", nargs="+")
    p.add_argument("--data-dir", default=None)
    p = commands.add_parser(
        "export", help="write every document's highlights and notes into a folder, one Markdown file each"
    )
    p.add_argument("folder")
    p.add_argument("--json", action="store_true")
    p.add_argument("--data-dir", default=None)
    p = commands.add_parser("search", help="search every indexed document")
    p.add_argument("query")
    p.add_argument("--json", action="store_true")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--data-dir", default=None)


def main(argv: Sequence[str]) -> int:
    """Run one headless command; returns the exit code (2: bad input, 1: another failure)."""
    args = build_parser().parse_args(list(argv))
    try:
        if args.command == "library":
            from desktop_app.library import cli as library_cli

            return library_cli.run(args)
        transcript = load_transcript(args.file)
        return int(_COMMANDS[args.command](transcript, args))
    except TranscriptError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except WriteRefused as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        return 0
    except Exception as error:  # a headless command reports, never dumps a traceback
        print(f"error: {type(error).__name__}: {error}", file=sys.stderr)
        return 1


def _emit(payload: Any, as_json: bool, text: str) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n" if as_json else text)


def _cache_dir(args: argparse.Namespace) -> Path:
    from desktop_app.paths import app_dirs

    return app_dirs(getattr(args, "data_dir", None)).cache


def _readable(transcript: Transcript, args: argparse.Namespace, speakers: bool = False) -> Any:
    """The segmentation, from the app's cache (computed and cached when missing); ``speakers``: with the
    speaker of each paragraph inferred when the file names none and the user's corrections, as the reader
    shows."""
    from desktop_app.library.derived import readable_of

    readable = readable_of(transcript, _cache_dir(args), speakers)
    return _with_speaker_edits(transcript, args, readable) if speakers else readable


def _annotations(transcript: Transcript, args: argparse.Namespace) -> tuple[Path, Any]:
    """The transcript's annotations file and its content (None: no file yet); AnnotationFileError when it
    cannot be read."""
    from desktop_app.annotations import store as annotation_store
    from desktop_app.paths import app_dirs

    folder = app_dirs(getattr(args, "data_dir", None)).annotations
    path, _moved = annotation_store.find_annotation_file(
        folder, transcript.sha256, transcript.source, transcript.title
    )
    return path, annotation_store.load(path) if path.exists() else None


def _with_speaker_edits(transcript: Transcript, args: argparse.Namespace, readable: Any) -> Any:
    """``readable`` with the user's speaker corrections (renames, reassigned paragraphs, split turns) from the
    transcript's annotations file; what cannot be read is reported on stderr and left out."""
    from desktop_app.annotations.store import AnnotationFileError
    from desktop_app.speakers import edits

    try:
        path, content = _annotations(transcript, args)
    except AnnotationFileError as error:
        print(f"warning: speaker corrections not applied: {error}", file=sys.stderr)
        return readable
    if content is None or content.speakers is None:
        return readable
    read = edits.edits_from_record(content.speakers)
    for problem in read.problems:
        print(f"warning: {path}: {problem} (not applied)", file=sys.stderr)
    return edits.apply_edits(readable, transcript.text, read.edits)


def cmd_paragraphs(transcript: Transcript, args: argparse.Namespace) -> int:
    """Print the sentences and paragraphs (JSON), or the readable transcript (text or Markdown)."""
    from desktop_app.display_text import build_display
    from desktop_app.readability import segmentation as readability

    readable = _readable(transcript, args, speakers=True)
    display = build_display(transcript.text, readable)  # speakers are a field of their own here
    shown = _paragraph_displays(display.text, display.paragraph_starts)
    if args.json:
        payload = readability.to_json(readable)
        for record, paragraph, text in zip(payload["paragraphs"], readable.paragraphs, shown, strict=True):
            seconds = transcript.time_at(paragraph.start)
            record.update(
                display=text, speaker=paragraph.speaker, time=None if seconds is None else round(seconds, 3)
            )
        payload.update(
            text=transcript.text,
            format=transcript.format,
            title=transcript.title,
            speakers=list(readable.speakers),
            warnings=list(transcript.warnings),
        )
        _emit(payload, True, "")
        return 0
    times = [transcript.time_at(p.start) if args.timestamps else None for p in readable.paragraphs]
    speakers = [p.speaker for p in readable.paragraphs]
    if args.format == "markdown":
        chapters = _chapter_paragraphs(transcript, [p.start for p in readable.paragraphs])
        sys.stdout.write(_markdown_transcript(transcript.title, shown, speakers, times, chapters))
    else:
        sys.stdout.write(_text_transcript(transcript.title, shown, speakers, times))
    return 0


def _chapter_paragraphs(transcript: Transcript, starts: Sequence[int]) -> dict[int, list[str]]:
    """The file's own chapters (Markdown headings, a chapter list…) by the paragraph they start in."""
    from bisect import bisect_right

    found: dict[int, list[str]] = {}
    if len(transcript.chapters) < 2:  # as the reader: one heading is no outline
        return found
    for heading in transcript.chapters:
        found.setdefault(max(0, bisect_right(starts, heading.start) - 1), []).append(heading.title)
    return found


def _paragraph_displays(text: str, starts: Sequence[int]) -> list[str]:
    """Each paragraph's display text (paragraphs are joined by ``\\n`` in the display text)."""
    bounds = list(starts) + [len(text) + 1]
    return [text[a : b - 1] for a, b in zip(bounds, bounds[1:], strict=False)]


def _heads(
    speakers: Sequence[str | None], times: Sequence[float | None]
) -> list[tuple[str | None, str | None]]:
    """Per paragraph: the speaker label (on the first paragraph of a turn only) and the time stamp."""
    heads: list[tuple[str | None, str | None]] = []
    previous: str | None = None
    for speaker, seconds in zip(speakers, times, strict=True):
        heads.append(
            (
                speaker if speaker and speaker != previous else None,
                None if seconds is None else format_clock(seconds),
            )
        )
        previous = speaker
    return heads


def _text_transcript(
    title: str, paragraphs: Sequence[str], speakers: Sequence[str | None], times: Sequence[float | None]
) -> str:
    """The readable transcript as plain text: ``[12:34] Name: text``, paragraphs separated by blank lines."""
    out = []
    for text, (speaker, clock) in zip(paragraphs, _heads(speakers, times), strict=True):
        head = (f"[{clock}] " if clock else "") + (f"{speaker}: " if speaker else "")
        out.append(head + text)
    return "\n\n".join(out) + "\n"


_MD_SPECIALS = re.compile(r"([\\`*_\[\]<>|])")
_MD_LINE_START = re.compile(r"^(\s*)([#>+\-=]|\d+[.)])")


def _markdown_transcript(
    title: str,
    paragraphs: Sequence[str],
    speakers: Sequence[str | None],
    times: Sequence[float | None],
    chapters: dict[int, list[str]] | None = None,
) -> str:
    """The readable transcript as Markdown: a title, the file's own chapters as ``##`` headings,
    ``**Name:**`` labels, ``` `12:34` ``` time stamps."""

    def escape(value: str) -> str:
        return _MD_LINE_START.sub(r"\1\\\2", _MD_SPECIALS.sub(r"\\\1", value))

    out = [f"# {escape(' '.join(title.split()))}"]
    heads = _heads(speakers, times)
    for number, (text, (speaker, clock)) in enumerate(zip(paragraphs, heads, strict=True)):
        titles = (chapters or {}).get(number, [])
        out.extend(f"## {escape(' '.join(t.split()))}" for t in titles)
        if titles and speaker is None and speakers[number]:
            speaker = speakers[number]  # a chapter's first paragraph names its speaker again
        head = (f"`{clock}` " if clock else "") + (f"**{escape(speaker)}:** " if speaker else "")
        out.append(head + (escape(text) if not head else _MD_SPECIALS.sub(r"\\\1", text)))
    return "\n\n".join(out) + "\n"


def _sections(
    transcript: Transcript,
    args: argparse.Namespace,
    granularity: float = 1.0,
    readable: Any = None,
    refine: bool | None = None,
) -> list[Any]:
    """The automatic chapters, from the app's cache (computed and cached when missing): the refined ones
    (``refine`` True), the first outline (False), or the refined ones when cached, else the first (None)."""
    from desktop_app.library.derived import sections_of

    if readable is None:
        readable = _readable(transcript, args)
    return sections_of(transcript, readable, _cache_dir(args), granularity, refine)


def cmd_outline(transcript: Transcript, args: argparse.Namespace) -> int:
    """Print the automatic chapters."""
    from desktop_app.outline import chapters as outline

    sections = _sections(transcript, args, args.granularity, refine=bool(args.refined))
    lines = [
        f"{i + 1:>3}. {s.title}  [{s.start}–{s.end}]  ({', '.join(s.keywords)})\n"
        for i, s in enumerate(sections)
    ]
    _emit(outline.to_json(sections), args.json, "".join(lines))
    return 0


def _section_title(sections: list[Any], offset: int) -> str | None:
    number = chapter_at(sections, offset)
    return str(sections[number].title) if number >= 0 else None


def cmd_search(transcript: Transcript, args: argparse.Namespace) -> int:
    """Print the hits of a query (its speaker and chapter with each)."""
    from desktop_app.library.derived import readable_of
    from desktop_app.paths import app_dirs
    from desktop_app.search.index import SearchIndex

    automatic = readable_of(transcript, _cache_dir(args), True)  # the paragraphs the reader's index has
    readable = _with_speaker_edits(transcript, args, automatic)
    paragraphs = [(p.start, p.end) for p in automatic.paragraphs]
    dirs = app_dirs(args.data_dir)
    index = SearchIndex.open_or_build(dirs.cache / "search", transcript.sha256, transcript.text, paragraphs)
    index.set_speakers([p.speaker for p in readable.paragraphs], [p.start for p in readable.paragraphs])
    try:
        result = index.search(args.query, limit=args.limit, join_adjacent=True)
    finally:
        index.close()
    if result.error:
        print(f"error: {result.error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    sections: list[Any] = []
    if result.hits:
        from desktop_app.library.derived import cached_chapters

        sections = cached_chapters(transcript, _cache_dir(args)) or _sections(
            transcript, args, readable=automatic
        )
    hits = [
        {
            "start": h.start,
            "end": h.end,
            "score": round(float(h.score), 4),
            "snippet": h.snippet,
            "section": _section_title(sections, h.start),
            "speaker": readable.speaker_at(h.start),
        }
        for h in result.hits
    ]
    payload: dict[str, Any] = {"total": int(result.total), "hits": hits}
    if result.suggestion:
        payload["suggestion"] = result.suggestion
    text = "".join(f"{h['start']:>7}  {h['section'] or ''}: {h['snippet']}\n" for h in hits)
    if not hits and result.suggestion:
        text = f"No matches. Did you mean: {result.suggestion}\n"
    _emit(payload, args.json, text or "No matches.\n")
    return 0


def cmd_export(transcript: Transcript, args: argparse.Namespace) -> int:
    """Write the highlights and notes as Markdown or Web Annotation JSON."""
    from desktop_app import export
    from desktop_app.annotations import store as annotation_store
    from desktop_app.outline import edits as outline_edits

    try:
        path, content = _annotations(transcript, args)
    except annotation_store.AnnotationFileError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if content is None:
        print(
            f"note: no highlights or notes for this transcript yet (looked in {path.parent})", file=sys.stderr
        )
        content = annotation_store.AnnotationFile()
    readable = _readable(transcript, args, speakers=True)
    speaker_of = readable.speaker_at if readable.speakers else None
    if args.format == "json":
        output = export.to_web_annotation_json(
            transcript.title,
            transcript.text,
            content.annotations,
            source=transcript.source,
            sha256=transcript.sha256,
            colors=content.colors,
            time_of=transcript.time_at if transcript.cues else None,
            speaker_of=speaker_of,
        )
    else:
        sections = (
            outline_edits.from_records(content.outline, transcript.text) if content.outline else None
        ) or _sections(transcript, args)
        output = export.to_markdown(
            transcript.title,
            transcript.text,
            content.annotations,
            sections=sections,
            colors=content.colors,
            timeline=Timeline.of_transcript(transcript),
            speaker_of=speaker_of,
        )
    if args.output:
        write_text_atomic(args.output, output)
    else:
        sys.stdout.write(output)
    return 0


_COMMANDS = {"paragraphs": cmd_paragraphs, "outline": cmd_outline, "search": cmd_search, "export": cmd_export}
