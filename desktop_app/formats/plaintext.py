"""Plain text and Markdown, with or without speaker labels and time stamps (no Qt).

Recognised: YAML front matter and ``#`` headings (the title comes from them; they are not text), speaker
labels as Otter, Descript, Rev and show-notes sites write them (``Name: text``, ``**Name:** text``,
``Name (00:00:20):`` or ``Name  00:01:02`` on a line of their own), time stamps at the start of a line
(``[00:00:17]``, ``00:00:17``, a Markdown link to that second of the video; lines that each start with a time and
mostly end mid-sentence are one flowing text), time ranges on a line of their own with the speaker's name on the next (DaVinci
Resolve, Premiere Pro: ``[00:00:03:18 - 00:00:08:08]`` / ``Joe``), blank-line-separated turns. A label is a speaker only when it looks like a
name and recurs. Lines broken inside sentences (Whisper's ``.txt``, hard-wrapped text) are joined into
flowing text: a line break is a paragraph break only where lines are long (one paragraph per line) or a
blank line separates them.

All patterns are anchored at the start of a line and bounded, so a 10 MB line costs one pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from desktop_app.formats.chapter_files import with_chapters
from desktop_app.formats.markup import unescape
from desktop_app.formats.model import DocumentBuilder, Parsed
from desktop_app.formats.speakers import accepted_names, clean_label, looks_like_name

_STAMP = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
# "[00:17]", "00:17 -", a range as Whisper prints it ("[00:17.000 --> 00:21.500]  text"), and a Markdown link
# to that second of the video ("[0:17](https://youtu.be/…?t=17)"), as Obsidian's YouTube transcripts write them
_STAMP_PREFIX_RE = re.compile(
    rf"^\s*[\[(]?\s*({_STAMP})(?:\s*(?:-->|->|-|–|—)\s*{_STAMP})?\s*[\])]?(?:\(https?://[^)\s]{{1,2000}}\))?"
    r"(?:\s*[-–—|:]\s*|\s+|$)"
)
# a cue's time range on a line of its own, as video editors export transcripts (DaVinci Resolve, Premiere Pro:
# "[00:00:03:18 - 00:00:08:08]" with frames; others "00:00:03.500 --> 00:00:08.000")
_RANGE_LINE_RE = re.compile(
    rf"^\s*[\[(]?({_STAMP})(?::\d{{2}})?\s*(?:-->|->|-|–|—|to)\s*{_STAMP}(?::\d{{2}})?[\])]?\s*$"
)
_HEADING_RE = re.compile(r"^\s{0,3}(#{1,6})\s+(.{0,500})")
_BOLD_LABEL_RE = re.compile(r"^\s*\*\*([^*\n]{1,40}?)(?::\*\*|\*\*\s*:)\s*")
_TIMED_LABEL_RE = re.compile(rf"^\s*([^\s:()\[\]\d][^:()\[\]\n]{{0,39}}?)\s*[(\[]({_STAMP})[)\]]\s*:?\s*")
_LABEL_TIME_LINE_RE = re.compile(rf"^\s*([^\s:()\[\]\d][^:()\[\]\n]{{0,39}}?)\s+({_STAMP})\s*$")
_LEADING_EMPHASIS_RE = re.compile(r"^\s*([*_]{1,2})")
_LABEL_STAMP_RE = re.compile(rf"\s*[(\[]({_STAMP})[)\]]$")
# "[00:00:05] [SPEAKER_01] text": diarization scripts put the speaker in brackets after the time
_BRACKET_LABEL_RE = re.compile(r"^\s*\[([^\s\[\]:\d][^\[\]:\n]{0,39}?)\]\s+(?=\S)")
_SOUNDS = frozenset("laughter laughs laughing music applause inaudible crosstalk silence pause noise".split())
_COLON_LABEL_RE = re.compile(r"^\s*([^\s:\d][^:\n]{0,39}?)\s*:(?:\s+|$)")
_FRONT_KEY_RE = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s*(.*)$")
# YouTube's transcript panel copied as text: under each time its spoken form ("4 seconds", "1 minute, 2 seconds",
# "1 hour, 3 minutes"), a screen reader's label that is not speech
_SPOKEN_TIME_RE = re.compile(
    r"^\s*(?:(\d{1,2})\s+hours?)?\s*,?\s*(?:(\d{1,2})\s+minutes?)?\s*,?\s*(?:(\d{1,2})\s+seconds?)?\s*$"
)
# what captions saved as text carry: HTML entities ("&gt;&gt;", "&amp;", "&#39;") and ">>" speaker marks
_CAPTION_MARKUP_RE = re.compile(r"&(?:[a-zA-Z]{2,8}|#\d{1,6}|#x[0-9a-fA-F]{1,6});|(?:^|\s)>>(?=\s|$)")
# lines transcription services add that nobody said: Otter's footer, Google Meet's end line and disclaimer
_BOILERPLATE_RE = re.compile(
    r"^[ \t#*_]*(?:Transcribed by (?:https?://)?otter\.ai|Transcription ended after \d{1,2}:\d{2}(?::\d{2})?|"
    r"This editable transcript was computer generated and might contain errors\."
    r"(?: People can also change the text after it was created\.)?)[ \t*_]*$",
    re.IGNORECASE | re.MULTILINE,
)
# Google Meet's transcript document: "Oct 2, 2025" / "Weekly sync - Transcript" above the first time
_MEETING_DATE_RE = re.compile(r"^\s*(?:[A-Z][a-z]{2,8},? )?[A-Z][a-z]{2,8}\.? \d{1,2}, \d{4}\s*$")
_MEETING_TITLE_RE = re.compile(r"^\s*(\S.{0,200}?)\s+-\s+Transcript\s*$")
WRAPPED_LINE_CHARS = 200
"""Lines shorter than this (median) are wrapped text: joined into flowing text."""


@dataclass
class _Line:
    """One line of the body: its text after the label and stamp, and what was recognised."""

    text: str
    raw: str = ""  # the line as written
    unlabelled: str = ""  # the line after its time stamp, before its label was taken off
    time: float | None = None
    label: str | None = None
    strong: bool = False  # the label was marked up as one (bold, or with a time stamp)
    heading: str | None = None
    level: int = 0
    blank: bool = False


def _seconds(stamp: str) -> float:
    parts = stamp.replace(",", ".").split(":")
    value = 0.0
    for part in parts:
        value = value * 60 + float(part)
    return value


def front_matter(text: str) -> tuple[dict[str, str], str]:
    """YAML front matter's simple ``key: value`` pairs and the text after it."""
    if not text.startswith("---\n"):
        return {}, text
    end = text.find("\n---", 4)
    alt = text.find("\n...", 4)
    if end < 0 or 0 <= alt < end:
        end = alt
    if end < 0 or text.count("\n", 0, end) > 200:
        return {}, text
    values: dict[str, str] = {}
    for line in text[4:end].split("\n"):
        match = _FRONT_KEY_RE.match(line)
        if match:
            values[match.group(1).lower()] = match.group(2).strip().strip("'\"")
    rest = text[end + 4 :]
    return values, rest[rest.find("\n") + 1 :] if "\n" in rest else ""


def _classify(raw: str, headings_anywhere: bool, in_head: bool) -> _Line:
    if not raw.strip():
        return _Line("", blank=True)
    heading = _HEADING_RE.match(raw) if (headings_anywhere or in_head) else None
    if heading:
        return _Line("", heading=heading.group(2).strip().rstrip("#").strip(), level=len(heading.group(1)))
    line = _Line(raw, raw)
    time_range = _RANGE_LINE_RE.match(raw)
    if time_range:
        line.time, line.text = _seconds(time_range.group(1)), ""
        return line
    stamp = _STAMP_PREFIX_RE.match(raw)
    if stamp:
        line.time = _seconds(stamp.group(1))
        raw = raw[stamp.end() :]
    line.unlabelled = raw
    bracket = _BRACKET_LABEL_RE.match(raw) if line.time is not None else None
    if bracket and bracket.group(1).strip().lower() not in _SOUNDS:
        line.label, line.strong, line.text = clean_label(bracket.group(1)), True, raw[bracket.end() :].strip()
        return line
    for pattern, strong in (
        (_BOLD_LABEL_RE, True),
        (_TIMED_LABEL_RE, True),
        (_LABEL_TIME_LINE_RE, True),
        (_COLON_LABEL_RE, False),
    ):
        match = pattern.match(raw)
        if match:
            line.label = clean_label(match.group(1))
            line.strong = strong
            if pattern in (_TIMED_LABEL_RE, _LABEL_TIME_LINE_RE) and line.time is None:
                line.time = _seconds(match.group(2))
            raw = raw[match.end() :]
            emphasis = _LEADING_EMPHASIS_RE.match(match.group(1))
            if emphasis and raw.startswith(emphasis.group(1)):
                raw = raw[emphasis.end(1) :].lstrip()  # "*Name (00:12)*": the emphasis closes after the time
            timed = _LABEL_STAMP_RE.search(line.label)
            if timed and line.time is None:  # "**Name (00:12):** text"
                line.label, line.time = line.label[: timed.start()].strip(), _seconds(timed.group(1))
            break
    if line.label is not None:  # "Name: [00:01:02] text"
        stamp = _STAMP_PREFIX_RE.match(raw)
        if stamp and line.time is None:
            line.time = _seconds(stamp.group(1))
            raw = raw[stamp.end() :]
    line.text = raw.strip()
    return line


def read_text(text: str, markdown: bool) -> Parsed:
    """Plain text or Markdown as a document (see the module docstring)."""
    meta, body = front_matter(text)
    chapter_list, body = youtube_chapters(body)
    meeting_title, body = _meeting_header(body)
    lines: list[_Line] = []
    in_head = True
    for raw in body.split("\n"):
        if lines and _is_spoken_time(raw, lines[-1]) or _BOILERPLATE_RE.match(raw):
            continue
        line = _classify(raw, markdown, in_head)
        if not line.blank and line.heading is None:
            in_head = False
        lines.append(line)
    _name_lines_under_times(lines)
    _timed_name_lines(lines)
    names = accepted_names(line.label for line in lines if line.label)
    if names:  # a label marked up like the recurring ones (bold, with a time) names a speaker, even once
        names |= {
            line.label
            for line in lines
            if line.label and (line.strong or line.time is not None) and looks_like_name(line.label)
        }
    stamped = sum(1 for line in lines if line.time is not None)
    for line in lines:
        if line.label and line.label not in names:  # not a speaker: the label is text again
            stamp = _STAMP_PREFIX_RE.match(line.raw)
            line.text, line.label = line.unlabelled.strip(), None
            line.time = _seconds(stamp.group(1)) if stamp else None
        if stamped < 2 and line.time is not None:  # one "10:30" at a line start is text, not a time stamp
            line.text, line.time = line.raw.strip(), None
    if _stamps_only_at_the_top(lines):  # a list that is not a chapter list, above untimed text: text too
        for line in lines:
            if line.time is not None and not line.label:
                line.text, line.time = line.raw.strip(), None
    title = meta.get("title") or meeting_title or next((line.heading for line in lines if line.heading), None)
    _panel_chapter_titles(lines)
    chunks = _stamped_chunks(lines)
    wrapped = chunks or _is_wrapped(lines)
    if (
        not markdown
        and not meta
        and not wrapped
        and not chapter_list
        and not any(line.label or line.time is not None or line.heading is not None for line in lines)
        and not _CAPTION_MARKUP_RE.search(text)
        and meeting_title is None
        and not _BOILERPLATE_RE.search(text)
    ):
        return Parsed(text=text, format="text")  # nothing to recognise: the text as it is (offsets kept)
    out = DocumentBuilder()
    speaker: str | None = None
    pending_time: float | None = None
    started = (
        False  # "#" lines before the first text are header lines (title, episode, source); after it, and
    )
    for line in lines:  # "##" lines anywhere, they are the file's own chapters
        if line.heading is not None and line.heading.strip() and (started or line.level >= 2):
            out.chapter(unescape(line.heading) if "&" in line.heading else line.heading)
            continue
        started = started or bool(line.text.strip()) and line.heading is None
        if line.blank and chunks:
            continue  # blank lines between timed pieces of running speech: no paragraph ends there
        if line.blank or line.heading is not None:
            out.paragraph_break()
            continue
        if line.label:
            speaker = line.label
            out.paragraph_break()
        elif not wrapped:
            out.paragraph_break()
        if line.time is not None:
            pending_time = line.time
        content = _inline_markdown(line.text) if markdown else line.text
        if content.strip():
            out.add(unescape(content) if "&" in content else content, pending_time, None, speaker)
            pending_time = None
    fmt = "markdown" if markdown else "text"
    parsed = out.build(fmt, title=unescape(title) if title else None)
    if chapter_list:
        parsed = with_chapters(parsed, chapter_list, "The chapter list at the top")
    return parsed


# A title as long as podcast descriptions write them (Vector Podcast: up to 22 words, 132 characters)
CHAPTER_TITLE_CHARS = 200
CHAPTER_TITLE_WORDS = 30
_CHAPTER_LINE_RE = re.compile(
    rf"^\s*(?:[-–—•*·]\s*)?[\[(]?({_STAMP})[\])]?\s*(?:[-–—|:]\s*)?(\S.{{0,{CHAPTER_TITLE_CHARS - 1}}})$"
)
_CHAPTER_INTRO_RE = re.compile(
    r"^\s*(?:#+\s*)?(chapters|timestamps|time stamps|outline|contents|episode chapters)\s*:?\s*$", re.I
)
_HEADER_LINE_RE = re.compile(r"^\s*#\s+\S")  # "# Title", "# Episode #12", "# Source: https://…" (not "##")
CHAPTER_MIN_GAP_S = 10.0  # YouTube's own rule: a chapter lasts at least ten seconds
_PREAMBLE_LINES = 2  # lines between a "Chapters:" heading and its list ("Here's the timestamps …")
_PREAMBLE_WORDS = 40
_STAMPED_LOOKAHEAD = 10  # non-empty lines after a list that must not be time-stamped text
_TEXT_PER_LIST_WORD = 10  # the text after a chapter list has at least this many words per word of the list


def youtube_chapters(body: str) -> tuple[list[tuple[float, str]], str]:
    """A YouTube chapter list pasted at the top ("0:00 Intro", "(00:00) – Introduction", "- 0:00 Intro", one
    per line, from 0:00, times rising by at least ten seconds), and the text after it; none (and the text
    unchanged) when the top of the text is not such a list.

    A heading ("Chapters:", "OUTLINE:", "## Chapters") may stand before the list, with up to two short lines
    under it (as in "OUTLINE: / Here's the timestamps for the episode. …"); heading, those lines and the list
    are not text. The file's header lines ("# Title", "# Source: …") may come first; they stay."""
    lines = body.split("\n")
    header = 0
    while header < len(lines) and (not lines[header].strip() or _HEADER_LINE_RE.match(lines[header])):
        header += 1
    first = header
    headed = False
    while first < len(lines) and (not lines[first].strip() or _CHAPTER_INTRO_RE.match(lines[first])):
        headed = headed or bool(lines[first].strip())
        first += 1
    start = _list_start(lines, first) if headed else first
    found, end = _chapter_lines(lines, start)
    rest = lines[end:]
    if not _is_chapter_list(found, rest):
        return _chapters_under_a_description(lines, header, body)
    return found, "\n".join(lines[:header] + _without_transcript_heading(rest))


def _is_chapter_list(found: list[tuple[float, str]], rest: list[str]) -> bool:
    """Whether the rows found are a chapter list: not too short, from the start, no time-stamped text going on
    after them, and enough text after them (else the stamped lines were the transcript)."""
    stamped_after = _stamped_text_follows(rest) and not _transcript_restarts(found, rest)
    return len(found) >= 3 and found[0][0] == 0 and not stamped_after and not _no_text_follows(found, rest)


_DESCRIPTION_LINES = 80  # a podcast's description above its "OUTLINE:" (guest, sponsors, links)
_DESCRIPTION_WORDS = 800
_TRANSCRIPT_HEADING_RE = re.compile(r"^\s*(?:#+\s*)?transcript\s*:?\s*$", re.I)


def _chapters_under_a_description(
    lines: list[str], header: int, body: str
) -> tuple[list[tuple[float, str]], str]:
    """Show notes pasted above a transcript: a description first, then a headed chapter list ("OUTLINE:",
    "Chapters:"), then the transcript. The description stays text; heading and list do not."""
    words = 0
    for at in range(header, min(len(lines), header + _DESCRIPTION_LINES)):
        if _CHAPTER_INTRO_RE.match(lines[at]):
            break
        words += len(lines[at].split())
        if words > _DESCRIPTION_WORDS:
            return [], body
    else:
        return [], body
    first = at
    while first < len(lines) and (not lines[first].strip() or _CHAPTER_INTRO_RE.match(lines[first])):
        first += 1
    found, end = _chapter_lines(lines, _list_start(lines, first))
    rest = lines[end:]
    if not _is_chapter_list(found, rest):
        return [], body
    return found, "\n".join(lines[:at] + _without_transcript_heading(rest))


def _without_transcript_heading(rest: list[str]) -> list[str]:
    """The lines after a chapter list without a "Transcript" heading line that introduces the text."""
    first = next((i for i, line in enumerate(rest) if line.strip()), None)
    if first is not None and _TRANSCRIPT_HEADING_RE.match(rest[first]):
        return rest[:first] + rest[first + 1 :]
    return rest


def _list_start(lines: list[str], first: int) -> int:
    """Where the list under a heading starts: after at most ``_PREAMBLE_LINES`` short lines of prose."""
    for skip in range(_PREAMBLE_LINES + 1):
        i = first + skip
        if i >= len(lines) or _CHAPTER_LINE_RE.match(lines[i]):
            return i
        if len(lines[i].split()) > _PREAMBLE_WORDS:
            break
    return first


def _chapter_lines(lines: list[str], start: int) -> tuple[list[tuple[float, str]], int]:
    """The chapter lines from ``start`` on (time, title), and the index of the first line after them."""
    found: list[tuple[float, str]] = []
    end = start
    while end < len(lines) and (match := _CHAPTER_LINE_RE.match(lines[end])):
        seconds, title = _seconds(match.group(1)), match.group(2).strip()
        if len(title.split()) > CHAPTER_TITLE_WORDS or (found and seconds < found[-1][0] + CHAPTER_MIN_GAP_S):
            break
        found.append((seconds, title))
        end += 1
    return found, end


def _stamped_text_follows(rest: list[str]) -> bool:
    """Whether time-stamped lines come soon after the list: the list was the start of a stamped transcript."""
    following = [line for line in rest if line.strip()][:_STAMPED_LOOKAHEAD]
    return any(_STAMP_PREFIX_RE.match(line) for line in following)


def _transcript_restarts(found: list[tuple[float, str]], rest: list[str]) -> bool:
    """Whether a time-stamped transcript starts after the list, apart from it: a blank line, then times from
    the start again (a "Chapters:" list pasted above an exported transcript, "[00:00] Speaker: …")."""
    if len(found) < 2 or not rest or rest[0].strip():
        return False
    first = next((line for line in rest if line.strip()), "")
    stamp = _STAMP_PREFIX_RE.match(first)
    return stamp is not None and _seconds(stamp.group(1)) < found[1][0]


def _no_text_follows(found: list[tuple[float, str]], rest: list[str]) -> bool:
    """Whether the text after the list is too short for the list to be its table of contents (fewer than
    ``_TEXT_PER_LIST_WORD`` times the list's words): stamped lines down to the end, or to a closing line
    ("Transcribed by otter.ai"), are a transcript."""
    needed = _TEXT_PER_LIST_WORD * sum(len(title.split()) for _seconds, title in found)
    words = 0
    for line in rest:
        words += len(line.split())
        if words >= needed:
            return False
    return True


STAMPED_TOP_SHARE = 0.9  # more of the words than this after the last time stamp: the stamps time nothing


def _stamps_only_at_the_top(lines: list[_Line]) -> bool:
    """Whether the time-stamped lines all stand above nearly all of the text (a near-miss chapter list, a
    description's rows): as times, they would put every later word at the last row's time."""
    last = max((i for i, line in enumerate(lines) if line.time is not None), default=-1)
    if last < 0:
        return False
    counts = [len(line.raw.split()) for line in lines]
    total = sum(counts)
    return total > 0 and sum(counts[last + 1 :]) > STAMPED_TOP_SHARE * total


def _name_lines_under_times(lines: list[_Line]) -> None:
    """A name on a line of its own between a time and the text ("00:00:03:18 - 00:00:08:08" / "Joe" / "Welcome
    to…", as DaVinci Resolve and Premiere Pro export transcripts) is a speaker label (kept when it recurs)."""
    content = [line for line in lines if not line.blank]
    for before, line, after in zip(content, content[1:], content[2:], strict=False):
        if (
            _stamp_only(before)
            and line.label is None
            and line.time is None
            and line.heading is None
            and after.heading is None
            and not _stamp_only(after)
            and looks_like_name(line.text)
            and line.text[-1:] not in ".?!,"
        ):
            line.label, line.unlabelled, line.strong, line.text = clean_label(line.text), line.text, True, ""


def _meeting_header(body: str) -> tuple[str | None, str]:
    """A Google Meet transcript's header (its date, then "Title - Transcript"): the title, and the text
    without the header; (None, the text) when the text has no such header."""
    head = body.split("\n", 3)
    first = 1 if len(head) > 1 and _MEETING_DATE_RE.match(head[0]) else 0
    match = _MEETING_TITLE_RE.match(head[first]) if len(head) > first + 1 else None
    if match is None:
        return None, body
    return match.group(1), body.split("\n", first + 1)[-1]


_ROLE_RE = re.compile(r"\s*\([^()\n]{1,60}\)\s*$")  # "Jane Doe (Acme)": the name's company or role


def _timed_name_lines(lines: list[_Line]) -> None:
    """A time and a name on a line of their own above the text ("0:05 - Jane Doe (Acme)" / "Hello…", as Fathom
    and Microsoft Word's Transcribe export meetings): the name is a speaker label. Only where most time-stamped
    lines are such lines, so a stamped caption line that happens to be one capitalised word stays text."""
    content = [line for line in lines if not line.blank and line.heading is None]
    found: list[tuple[_Line, str]] = []
    for line, after in zip(content, content[1:], strict=False):
        if line.time is None or line.label is not None or not line.text:
            continue
        name = _ROLE_RE.sub("", line.text)
        if looks_like_name(name) and after.time is None and after.label is None and after.text:
            found.append((line, name))
    stamped = sum(1 for line in content if line.time is not None and line.text)
    if len(found) < MIN_TIMED_NAMES or len(found) < TIMED_NAME_SHARE * stamped:
        return
    for line, name in found:
        line.label, line.unlabelled, line.strong, line.text = clean_label(name), line.text, True, ""


MIN_TIMED_NAMES = 3
TIMED_NAME_SHARE = 0.8


def _stamp_only(line: _Line) -> bool:
    return line.time is not None and not line.text and not line.label


def _is_spoken_time(raw: str, previous: _Line) -> bool:
    """Whether ``raw`` says the time of the stamp-only line above it in words (YouTube's panel copied)."""
    if not _stamp_only(previous) or not raw.strip():
        return False
    match = _SPOKEN_TIME_RE.match(raw)
    if match is None or not any(match.groups()):
        return False
    hours, minutes, seconds = (int(group or 0) for group in match.groups())
    return hours * 3600 + minutes * 60 + seconds == int(previous.time or 0)


PANEL_TITLE_WORDS = 12
PANEL_MIN_SEGMENTS = 5


def _panel_chapter_titles(lines: list[_Line]) -> None:
    """YouTube's transcript panel copied with the video's chapters: each chapter's title stands on a line of
    its own above the chapter's first time ("Introduction" / "0:00" / "so today we…"). When every other text
    line of the file sits right under a stamp-only line, such short lines are the chapters' titles: chapter
    headings, not text."""
    content = [line for line in lines if not line.blank and line.heading is None]
    stamps = sum(1 for line in content if _stamp_only(line))
    if stamps < PANEL_MIN_SEGMENTS:
        return
    titles: list[_Line] = []
    for i, line in enumerate(content):
        if _stamp_only(line) or (i > 0 and _stamp_only(content[i - 1])):
            continue  # a time, or the caption line under it
        if (
            i + 1 < len(content)
            and _stamp_only(content[i + 1])
            and line.label is None
            and line.time is None
            and 0 < len(line.text.split()) <= PANEL_TITLE_WORDS
        ):
            titles.append(line)
        else:
            return  # text that is neither a caption line nor a title: not the panel's layout
    if len(titles) > stamps // 2:
        return
    for line in titles:
        line.heading, line.level, line.text = line.text, 2, ""


CHUNK_MIN_LINES = 5
CHUNK_OPEN_SHARE = (
    0.3  # of the timed lines ending mid-sentence (a paragraph per stamp ends nearly all of them)
)
_SENTENCE_END = ".?!…。？！\"'”’)»"


def _stamped_chunks(lines: list[_Line]) -> bool:
    """Whether the text is timed pieces of running speech, each on a line of its own that starts with its
    time, most of them ending mid-sentence ("[0:14](https://youtu.be/…) will have quite capable…", blank lines
    between): one flowing text, as a subtitle file's cues are, not a paragraph per piece."""
    content = [line for line in lines if not line.blank and line.heading is None]
    timed = [line for line in content if line.time is not None and not line.label and line.text]
    if len(timed) < CHUNK_MIN_LINES or len(timed) < 0.9 * len(content):
        return False
    open_ended = sum(1 for line in timed if line.text.rstrip()[-1:] not in _SENTENCE_END)
    return open_ended >= CHUNK_OPEN_SHARE * len(timed)


def _is_wrapped(lines: list[_Line]) -> bool:
    """Whether the text lines are wrapped text (short lines) rather than one paragraph per line."""
    lengths = sorted(len(line.text) for line in lines if line.text and not line.label)
    if not lengths:
        return False
    middle = len(lengths) // 2  # the median, without importing statistics (fractions, decimal: start-up time)
    median = lengths[middle] if len(lengths) % 2 else (lengths[middle - 1] + lengths[middle]) / 2
    return median < WRAPPED_LINE_CHARS


_EMPHASIS_RE = re.compile(
    r"(\*\*|__)(?=\S)(.{1,200}?)(?<=\S)\1|(?<![\w*])\*(?=\S)([^*\n]{1,200}?)(?<=\S)\*(?!\w)"
)
_LINK_RE = re.compile(r"!?\[([^\]\n]{0,300})\]\([^)\s]{0,2000}\)")


def _inline_markdown(text: str) -> str:
    """Markdown emphasis and links reduced to their text; a list or quote mark at the start removed."""
    text = re.sub(r"^(?:>\s?|[-*+]\s+|\d{1,3}[.)]\s+)", "", text)
    if "[" in text:
        text = _LINK_RE.sub(r"\1", text)
    if "*" in text or "__" in text:
        text = _EMPHASIS_RE.sub(lambda m: m.group(2) if m.group(2) is not None else m.group(3), text)
    return text
