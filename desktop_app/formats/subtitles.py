"""SubRip (.srt) and WebVTT (.vtt) files, including YouTube's captions as yt-dlp writes them (no Qt).

The parser is line based and tolerant: a cue is a timing line (``start --> end`` with optional cue settings,
``HH:MM:SS,mmm`` or ``MM:SS.mmm``) and the lines after it up to an empty line. Lines that hold only
whitespace stay inside the cue (yt-dlp writes them). A cue with a malformed timing line, or text without a
timing line, is skipped and reported in the warnings; the rest of the file is kept.

YouTube's automatic captions roll: each cue repeats the line before it and adds one, and 10 ms "snap" cues
repeat the whole screen. They are recognised by their inline word times (``<00:00:01.234><c> word</c>``) or by
cues that begin with the previous cue's last line; only new lines are read, each word with its own time.

Speakers: WebVTT voices (``<v Name>``), ``Name:`` at the start of a cue (a name that recurs, or an ALL
CAPS label), a captioner's ``[Name]`` / ``(Name)`` at a line's start (mixed case, no sound; once names recur),
and a line that only names the speaker of the lines under it (``(Name)``, or a bare name heading
many cues, as video editors export them); consecutive cues of one speaker form one turn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from desktop_app.formats.markup import Markup, scan
from desktop_app.formats.model import DocumentBuilder, Parsed, TranscriptError
from desktop_app.formats.speakers import accepted_names, clean_label, looks_like_name

_TIME = r"(?:(\d{1,3}):)?(\d{1,2}):(\d{2})(?:[.,:](\d{1,3}))?"
_TIMING_RE = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}(?:\s|$)")
_LABEL_RE = re.compile(r"^(?:[-–—]\s*)?(?:>>\s*)?([^:<>\n]{1,40}?):\s+(?=\S)")
_NAME_LINE_RE = re.compile(
    r"^\s*(?:\((?P<paren>[^:()<>\n]{1,40})\)|(?P<plain>[^:()\[\]<>\n.?!,]{1,40}?))\s*:?\s*$"
)
_DASHES = ("- ", "– ", "— ")
# captioners' speaker IDs in brackets at the start of a line: "[Sam Altman] I think…", "(Lex) So…"
_BRACKET_NAME_RE = re.compile(r"^(?:[-–—]\s*)?[\[(]([^\[\]()<>:\n]{1,40})[\])]\s+(?=\S)")
_SOUND_WORDS = frozenset(
    "music applause laughter laughs laughing chuckles chuckling sighs sighing inaudible crosstalk silence "
    "cheering cheers singing sings whispers whispering gasps coughs groans screams crying cries static beep "
    "beeps ringing phone door indistinct unintelligible foreign speaking".split()
)
NAME_LINE_SHARE = 0.3  # of the cues of two or more lines: a name on their first line names the speaker
_SOUND_RE = re.compile(
    r"\[(?:music|applause|laughter|laughs|laughing|inaudible|crosstalk|silence|cheering|noise|"
    r"background noise|no audio|foreign|__)(?:[ -][^\[\]\n]{0,40})?\]|♪+",  # "[MUSIC PLAYING]", "[inaudible 00:12:03]"
    re.IGNORECASE,
)
SNAP_SECONDS = 0.05
"""A cue this short only repeats the screen (YouTube's snap cues last 10 ms)."""


@dataclass
class RawCue:
    """One cue as found in the file: times in seconds and its text lines (tags still in them)."""

    t_start: float
    t_end: float
    lines: list[str]


def _seconds(h: str | None, m: str, s: str, frac: str | None) -> float:
    return int(h or 0) * 3600 + int(m) * 60 + int(s) + int((frac or "0").ljust(3, "0")) / 1000


def parse_cues(text: str, name: str, fmt: str) -> tuple[list[RawCue], list[str]]:
    """The cues of an SRT or VTT text and warnings about the parts skipped; ``TranscriptError`` when there
    is no readable cue at all."""
    lines = text.split("\n")
    timings = [i for i, line in enumerate(lines) if "-->" in line]
    cues: list[RawCue] = []
    bad: list[str] = []
    orphans = 0
    starts = [_block_start(lines, i) for i in timings]
    first = starts[0] if starts else len(lines)
    orphans += _orphan_blocks(lines[:first], header=fmt == "vtt")
    for k, i in enumerate(timings):
        limit = starts[k + 1] if k + 1 < len(timings) else len(lines)
        body_end = i + 1
        while body_end < limit and lines[body_end] != "" and (fmt == "vtt" or lines[body_end].strip()):
            body_end += 1
        orphans += _orphan_blocks(lines[body_end:limit], header=False)
        match = _TIMING_RE.match(lines[i])
        if match is None:
            bad.append(f"cue {k + 1} (line {i + 1}) has a malformed timing line {lines[i].strip()[:60]!r}")
            continue
        g = match.groups()
        t_start, t_end = _seconds(*g[0:4]), _seconds(*g[4:8])
        cues.append(RawCue(t_start, max(t_start, t_end), lines[i + 1 : body_end]))
    warnings = []
    if bad:
        more = f" and {len(bad) - 1} more" if len(bad) > 1 else ""
        warnings.append(
            f"{name}: {len(bad)} damaged cue{'s' if len(bad) > 1 else ''} skipped ({bad[0]}{more})."
        )
    if orphans:
        warnings.append(f"{name}: {orphans} block{'s' if orphans > 1 else ''} without a timing line skipped.")
    if not cues:
        if bad:
            raise TranscriptError(f"{name}: no cue could be read; {bad[0]}.")
        if orphans:
            raise TranscriptError(f"{name} has text but no timing line (expected 'start --> end').")
        raise TranscriptError(f"{name} has no subtitle cues.")
    return cues, warnings


def _block_start(lines: list[str], i: int) -> int:
    """The first line of the cue whose timing line is ``i``: its identifier line when it has one."""
    j = i - 1
    if (
        j >= 0
        and lines[j].strip()
        and "-->" not in lines[j]
        and (j == 0 or not lines[j - 1].strip() or lines[j].strip().isdigit())
    ):
        return j
    return i


def _orphan_blocks(lines: list[str], header: bool) -> int:
    """Blocks of text outside any cue (VTT header, NOTE/STYLE/REGION blocks and SRT numbers ignored)."""
    count = 0
    block: list[str] = []
    for line in lines + [""]:
        if line.strip():
            block.append(line.strip())
            continue
        if block:
            head = block[0]
            if (
                not (header and head.startswith("WEBVTT"))
                and head.split(" ", 1)[0] not in ("NOTE", "STYLE", "REGION")
                and not (len(block) == 1 and head.isdigit())
                and not head.startswith("WEBVTT")
            ):
                count += 1
            header = False
            block = []
    return count


# --------------------------------------------------------------------------------------------------
# From cues to the document
# --------------------------------------------------------------------------------------------------


def read_subtitles(text: str, name: str, fmt: str) -> Parsed:
    """An SRT or VTT text as a document (rolling YouTube captions deduplicated, speakers as turns)."""
    cues, warnings = parse_cues(text, name, fmt)
    scanned = [[scan(line) for line in cue.lines if line.strip()] for cue in cues]
    snaps = _snap_count(cues, scanned)
    if snaps or _is_rolling(scanned):
        return _read_rolling(cues, scanned, warnings, yt_dlp=snaps > 0)
    return _read_plain(cues, scanned, fmt, warnings, name)


def _is_rolling(scanned: list[list[Markup]]) -> bool:
    """Whether the captions roll: inline word times, or many cues starting with the previous cue's last line."""
    if any(line.timed for cue in scanned for line in cue):
        return True
    pairs = repeats = 0
    previous: list[str] = []
    for cue in scanned:
        texts = [line.text for line in cue if line.text]
        if not texts:
            continue
        if previous:
            pairs += 1
            repeats += texts[0] == previous[-1] and len(texts) > 1 or texts == previous
        previous = texts
    return pairs >= 4 and repeats >= 0.3 * pairs


def _snap_count(cues: list[RawCue], scanned: list[list[Markup]]) -> int:
    """Snap cues: shorter than ``SNAP_SECONDS`` and showing the lines of the cue before them."""
    count = 0
    for k in range(1, len(cues)):
        if cues[k].t_end - cues[k].t_start < SNAP_SECONDS:
            now = [line.text for line in scanned[k] if line.text]
            before = [line.text for line in scanned[k - 1] if line.text]
            count += bool(now) and now == before[-len(now) :]
    return count


def _read_rolling(
    cues: list[RawCue], scanned: list[list[Markup]], warnings: list[str], yt_dlp: bool = False
) -> Parsed:
    """Rolling captions: the lines new on screen, each word once, with its inline time where given.
    ``yt_dlp``: the file has snap cues, so each longer cue adds exactly its last line."""
    out = DocumentBuilder()
    screen: list[str] = []
    file_timed = yt_dlp or any(line.timed for cue in scanned for line in cue)
    for cue, lines in zip(cues, scanned, strict=True):
        texts = [line.text for line in lines]
        if not texts:
            continue
        keep = _carried_over(texts, screen)
        first_timed = next((k for k, line in enumerate(lines) if line.timed), None)
        snap = cue.t_end - cue.t_start < SNAP_SECONDS
        if first_timed is not None:
            keep = min(keep, first_timed)
        elif file_timed and not snap:  # yt-dlp: a cue adds its last line; a one-word line has no times
            keep = min(keep, len(texts) - 1)
        elif keep == len(texts) or snap:
            screen = texts
            continue
        for line in lines[keep:]:
            if _SOUND_RE.sub("", line.text).strip():
                _add_timed_words(out, line, cue.t_start)
        screen = texts
    return out.build("youtube-vtt", warnings=warnings)


def _carried_over(texts: list[str], screen: list[str]) -> int:
    """How many leading lines of a cue repeat the last lines of the screen before it."""
    for k in range(min(len(texts), len(screen)), 0, -1):
        if texts[:k] == screen[-k:]:
            return k
    return 0


def _add_timed_words(out: DocumentBuilder, line: Markup, t_cue: float) -> None:
    if not line.timed:
        out.add(_SOUND_RE.sub(" ", line.text), t_cue)
        return
    words: list[tuple[str, float]] = []
    for piece, t_piece, _voice in line.pieces:
        t = t_cue if t_piece is None else t_piece
        words.extend(
            (word, t)
            for word in (_SOUND_RE.sub(" ", piece) if "[" in piece or "♪" in piece else piece).split()
        )
    out.add_words(words)


def _read_plain(
    cues: list[RawCue], scanned: list[list[Markup]], fmt: str, warnings: list[str], name: str
) -> Parsed:
    """Ordinary cues: their texts joined; voices and recurring ``Name:`` labels become speaker turns."""
    labels: list[str] = []
    for lines in scanned:
        for line in lines:
            match = _LABEL_RE.match(line.text)
            if match:
                labels.append(match.group(1))
    names = accepted_names(labels)
    # once some names recur, any name-like label at a cue start is a speaker; ALL CAPS labels always are
    names |= {clean_label(x) for x in labels if (names or x.isupper() and len(x) > 1) and looks_like_name(x)}
    name_lines = _name_lines(scanned)
    bracketed = [
        match.group(1)
        for lines in scanned
        for line in lines
        if (match := _BRACKET_NAME_RE.match(line.text)) and _could_be_bracketed_name(match.group(1))
    ]
    bracket_names = accepted_names(bracketed)
    if bracket_names:  # once some recur, every one is a name (a guest who says one thing)
        bracket_names |= {clean_label(x) for x in bracketed}
    out = DocumentBuilder()
    speaker: str | None = None
    for cue, lines in zip(cues, scanned, strict=True):
        dialogue = sum(1 for line in lines if line.text.lstrip()[:2] in _DASHES) >= 2  # "- Hi.", "- Hello."
        for k, line in enumerate(lines):
            named = name_lines.get(line.text) if k + 1 < len(lines) else None
            if named is not None:
                speaker = named
                continue
            if line.text.strip() in "-–—" and speaker is not None:
                continue  # the dash between two speakers' lines of one cue
            for text, _t, voice in line.pieces:
                if voice and voice != speaker:
                    speaker = voice
                text = " ".join(text.split())
                match = _LABEL_RE.match(text) if names else None
                bracket = _BRACKET_NAME_RE.match(text) if bracket_names else None
                if match and clean_label(match.group(1)) in names:
                    speaker = clean_label(match.group(1))
                    text = text[match.end() :]
                elif bracket and clean_label(bracket.group(1)) in bracket_names:
                    speaker = clean_label(bracket.group(1))
                    text = text[bracket.end() :]
                elif text[:2] in _DASHES and (speaker is not None or dialogue):
                    text = text[2:]
                    if dialogue:
                        out.paragraph_break()  # each dash is another person speaking
                out.add(_SOUND_RE.sub(" ", text), cue.t_start, cue.t_end, speaker)
    parsed = out.build(fmt, warnings=warnings)
    if not parsed.text.strip():
        raise TranscriptError(f"{name} has subtitle cues but no text in them.")
    return parsed


def _name_lines(scanned: list[list[Markup]]) -> dict[str, str]:
    """Lines that only name the speaker of the lines under them, as some captioning and editing tools write
    cues ("(Dana Bettinger)" / "or Jewish", "Joe" / "Welcome to…"): each such line's text and the name. A name
    in brackets counts where names recur; a bare name where names head many of the cues of two or more lines."""
    bracketed: list[str] = []
    plain: list[str] = []
    multi = 0
    for lines in scanned:
        if len(lines) < 2:
            continue
        multi += 1
        for k, line in enumerate(lines[:-1]):
            match = _NAME_LINE_RE.match(line.text)
            if match is None or not line.text.strip():
                continue
            if match.group("paren"):
                bracketed.append(match.group("paren"))
            elif k == 0 and match.group("plain"):
                plain.append(match.group("plain"))
    names = set(accepted_names(bracketed))
    if names:  # once some recur, every bracketed name is one (a guest who says one thing)
        names |= {clean_label(x) for x in bracketed if looks_like_name(x)}
    plain_names = accepted_names(plain)
    if plain_names and sum(clean_label(x) in plain_names for x in plain) >= NAME_LINE_SHARE * multi:
        names |= plain_names
    found: dict[str, str] = {}
    for lines in scanned:
        for line in lines[:-1]:
            match = _NAME_LINE_RE.match(line.text)
            if match is not None:
                label = clean_label(match.group("paren") or match.group("plain") or "")
                if label in names and (match.group("paren") or line is lines[0]):
                    found[line.text] = label
    return found


def _could_be_bracketed_name(label: str) -> bool:
    """Whether a bracketed label at a line's start may be a speaker's name: written like a name, in mixed case
    (captions write sounds in capitals, "[DOOR SLAMS]"), and no sound ("(Laughs)", "[Music playing]")."""
    words = label.split()
    return (
        looks_like_name(label)
        and not label.isupper()
        and all(w[:1].isupper() for w in words)
        and not any(w.lower().strip(".,") in _SOUND_WORDS for w in words)
    )
