"""Shared helpers of the formats tests: the fixture folder, turn listing, leak checks, a yt-dlp style
rolling-caption writer and a file mutator (fixtures in tests/data/formats/ were written for these tests)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import random

    from desktop_app.formats import Transcript

DATA = Path(__file__).parent.parent / "data" / "formats"


def turns(transcript: Transcript) -> list[tuple[str, str]]:
    """Each turn's speaker and the start of its text."""
    return [(t.speaker, transcript.text[t.start : t.end][:24]) for t in transcript.turns]


def assert_clean(transcript: Transcript) -> None:
    """No timing line, tag, entity or label markup in the document text."""
    for leak in ("-->", "<", ">", "&amp;", "&#", "**", "WEBVTT", "[Music]", "align:", "00:0"):
        assert leak not in transcript.text, leak
    for turn in transcript.turns:
        assert turn.start == 0 or transcript.text[turn.start - 1] == "\n"


FOUR_TURNS = ["Sarah Chen", "Marcus Webb", "Sarah Chen", "Marcus Webb"]


def _clock(seconds: float) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def rolling_vtt(words: list[str], rng: random.Random) -> str:
    """A yt-dlp style automatic-caption file: each cue shows the previous line and a new line with inline
    word times, then a 10 ms snap cue repeats the screen."""
    lines: list[list[str]] = []
    i = 0
    while i < len(words):
        n = rng.randint(1, 8)
        lines.append(words[i : i + n])
        i += n
    out = ["WEBVTT", "Kind: captions", "Language: en", ""]
    t = 0.0
    previous = " "
    for line in lines:
        start = t
        timed = line[0]
        for word in line[1:]:
            t += rng.uniform(0.1, 0.6)
            timed += f"<{_clock(t)}><c> {word}</c>"
        t += rng.uniform(0.1, 0.6)
        out += [f"{_clock(start)} --> {_clock(t)} align:start position:0%", previous, timed, ""]
        out += [
            f"{_clock(t)} --> {_clock(t + 0.01)} align:start position:0%",
            previous.strip() or " ".join(line),
            " ".join(line) if previous.strip() else " ",
            "",
        ]
        t += 0.01
        previous = " ".join(line)
    return "\n".join(out)


def _mutate(data: str, rng: random.Random) -> str:
    """One random damage: a line dropped, duplicated or cut, garbage or markup inserted, digits changed."""
    lines = data.split("\n")
    k = rng.randrange(len(lines))
    kind = rng.randrange(6)
    if kind == 0:
        del lines[k]
    elif kind == 1:
        lines.insert(k, lines[k])
    elif kind == 2:
        lines[k] = lines[k][: rng.randrange(len(lines[k]) + 1)]
    elif kind == 3:
        lines.insert(
            k,
            rng.choice(["<", "-->", "<v ", "&", "{\\an8", "\x0b", "WEBVTT", "99", "[", '{"a":'])
            * rng.randint(1, 50),
        )
    elif kind == 4:
        lines[k] = "".join(
            str(rng.randrange(10)) if c.isdigit() and rng.random() < 0.3 else c for c in lines[k]
        )
    else:
        lines[k] = lines[k].replace(":", rng.choice(["", ";", "::", " : "]))
    return "\n".join(lines)
