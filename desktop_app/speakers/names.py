"""The host's and the guest's names where an interview's opening says them (no Qt).

Caption text keeps the capitals of names, so a name is a run of two to four capitalised words after a phrase
that introduces one: "a conversation with Mark Zuckerberg", "here's Mark Zuckerberg", "talking to Max Irwin"
name the guest; "this is the Lex Fridman podcast", "I'm Dmitry Kan and" name the host. Only the first
``OPENING_WORDS`` words are read. "this is Alex Freedman podcast" (a caption error for "the Lex Fridman
podcast") names nobody: the article is required.

Older automatic captions are all lower case ("the following is a conversation with ryan graves former navy
fighter pilot"). There a name is the two words after the strongest introductions ("conversation with",
"interview with", "this is the … podcast"), after a title ("lieutenant", "dr"), when neither is a common word; it is
shown capitalised ("Ryan Graves").

``find_introduction`` finds where the host's introduction starts ("the following is a conversation with …",
often after a cold open of the guest's quotes) and hands over ("and now dear friends here's …"); the speaker
model tells a sentence's place relative to it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

OPENING_WORDS = 400
# The names found here label the speakers (``library.derived.SPEAKERS_VERSION``) and are kept out of the
# outline's titles (``outline.chapters.OUTLINE_VERSION``): a change to what is found bumps both.

_NAME = r"((?:[A-Z][\w'’.-]*)(?: (?:[A-Z][\w'’.-]*|de|van|von|el|al|da|bin)){0,3}(?: [A-Z][\w'’-]*))"
_GUEST_PATTERNS = [
    re.compile(r"\b(?:conversation|interview|chat|talk|discussion) with " + _NAME + r"\b"),
    re.compile(r"\bhere(?:'s| is) " + _NAME + r"\b"),
    re.compile(r"\b(?:talking|speaking|chatting) (?:to|with) " + _NAME + r"\b"),
    re.compile(r"\bmy guest(?: today)? is " + _NAME + r"\b"),
    re.compile(r"\b(?:joined by|welcome) " + _NAME + r"\b"),
]
# Looser introductions ("our guest NAME", "I have NAME with me"): the name is two or three capitalised words
# and the sentence goes on as after a name, so that "guest New York Times bestselling author …" or "I have
# Google Docs with me open" name nobody.
_SHORT_GUEST_PATTERNS = [
    re.compile(
        r"\bguest(?: today)?(?: is)? "
        + _NAME
        + r"(?= (?:who|and|he|she|is|from|with|here|today|joining|a|an|the)\b|[.,!?]|$)"
    ),
    re.compile(
        r"\b(?:I have|I've got|we have) "
        + _NAME
        + r" with (?:me|us)(?= (?:today|here|again|for|on|in|at|and|to|his|her|their|this)\b|[.,!?]|$)"
    ),
]
_SHORT_NAME_WORDS = 3
_HOST_PATTERNS = [
    re.compile(r"\bthis is [Tt]he " + _NAME + r"(?:'s|’s)? [Pp]odcast\b"),
    re.compile(
        r"\b(?:I'm|I am|my name is) "
        + _NAME
        + r" and (?:this is|I'm your|I am your|welcome|I'll be hosting|I will be hosting)\b"
    ),
    re.compile(r"\bI'm your host,? " + _NAME + r"\b"),
]
_NOT_NAMES = frozenset(
    "I I'm I've I'll I'd The This That AI And So Yeah Okay"
    # words that open the next sentence of unpunctuated captions: "talking to Yuri Malkov How are you"
    " How What Why When Where Who Which Hi Hello Hey Oh Well Now Today Thanks Thank Welcome But Let Let's"
    " We We're You You're It It's He She They My Our Is Are Do Did Can Could Would Great Nice Good Alright"
    " Right Yes No Please His Her Their Its".split()
)
_TITLES = frozenset(
    "Dr Dr. Doctor Professor Prof Prof. Mr Mr. Mrs Mrs. Ms Ms. Sir Imam Rabbi President General".split()
)
_ROLES = frozenset("CEO CTO Founder Co-founder Inside Host Author President Director".split())


_LOWER_GUEST = re.compile(
    r"\b(?:conversation|interview) with (?:the )?(?:(?:dr|doctor|professor|prof|lieutenant|general|colonel|"
    r"commander|captain|admiral|sir|president|senator|governor|rabbi|imam|father|sister|bishop|cardinal|"
    r"pastor|reverend|coach) )?([a-z][\w'’-]*) "
    r"([a-z][\w'’-]*)\b"
)
_LOWER_HOST = re.compile(r"\bthis is the ([a-z][\w'’-]*) ([a-z][\w'’-]*)(?:'s|’s)? podcast\b")
_COMMON = frozenset(
    """a an the my our your his her their its this that these those one two three some many several all
    who whom which what where when why how and or but nor so yet of on in at to for from by about with as
    into over after before is was are were be been being has have had do does did i me we us you he him
    she it they them myself yourself himself herself itself ourselves themselves people person friend
    friends guy guys man woman folks everyone everybody someone somebody today tonight here there back
    again now also just really very most more founder cofounder co-founder ceo cto author former host
    director professor chief head lead creator inventor president senior new old great good best first
    last podcast episode show part round number mr mrs ms artificial intelligence vector science tech
    technology data history business daily weekly""".split()
)
_UPPER_SHARE = 0.02  # fewer capitalised words than this share: the captions are all lower case


@dataclass(frozen=True)
class Names:
    """The names an opening gives (None: not said)."""

    host: str | None
    guest: str | None


def _clean(name: str) -> str | None:
    words = name.split(" ")
    while words and words[-1] in _NOT_NAMES:
        words.pop()
    while words and (words[0] in _NOT_NAMES or words[0] in _TITLES):
        words.pop(0)
    while words and (words[-1] in _ROLES or (words[-1].isupper() and len(words[-1]) > 1)):
        words.pop()
    if len(words) > 4:  # a list of names: the first one
        words = words[:2]
    if len(words) < 2 or any(w.isupper() and len(w) > 3 for w in words):
        return None
    return " ".join(w.rstrip(".") if not w.endswith("r.") else w for w in words)


def _name_of(match: re.Match[str]) -> str | None:
    return _clean(match.group(1))


def _short_name_of(match: re.Match[str]) -> str | None:
    return _clean(match.group(1)) if len(match.group(1).split()) <= _SHORT_NAME_WORDS else None


def _lower_name_of(match: re.Match[str]) -> str | None:
    words = (match.group(1), match.group(2))
    if any(w in _COMMON or len(w) < 2 or not w.isalpha() for w in words):
        return None
    return " ".join(w.capitalize() for w in words)


def _first(
    patterns: list[re.Pattern[str]], text: str, name_of: Callable[[re.Match[str]], str | None] = _name_of
) -> list[str]:
    """The names the patterns find, the most often said first (then the earliest)."""
    found: Counter[str] = Counter()
    order: dict[str, int] = {}
    for pattern in patterns:
        for m in pattern.finditer(text):
            name = name_of(m)
            if name:
                found[name] += 1
                order.setdefault(name, m.start())
    return sorted(found, key=lambda n: (-found[n], order[n]))


def _find_lower_names(opening: str) -> Names:
    hosts = _first([_LOWER_HOST], opening, _lower_name_of)
    host = hosts[0] if hosts else None
    guests = [g for g in _first([_LOWER_GUEST], opening, _lower_name_of) if g != host]
    return Names(host=host, guest=guests[0] if guests else None)


def find_names(text: str) -> Names:
    """The host's and the guest's names from the opening of ``text`` (see the module docstring)."""
    words = text.split()[:OPENING_WORDS]
    opening = " ".join(words)
    if words and sum(w[:1].isupper() for w in words) < _UPPER_SHARE * len(words):
        return _find_lower_names(opening)
    hosts = _first(_HOST_PATTERNS, opening)
    host = hosts[0] if hosts else None
    found = _first(_GUEST_PATTERNS, opening) or _first(_SHORT_GUEST_PATTERNS, opening, _short_name_of)
    guests = [g for g in found if g != host and not (host and g in host)]
    return Names(host=host, guest=guests[0] if guests else None)


# The introduction of an interview in normalised (lower-case) words: where it starts ("the following is a
# conversation with …", after a cold open of the guest's quotes) and where the host hands over ("and now
# dear friends here's …", "and now here's my conversation with …").
_INTRO_STARTS = (
    ("following", "is", "a", "conversation"),
    ("following", "is", "an", "interview"),
    ("following", "is", "my", "conversation"),
    ("this", "is", "a", "conversation", "with"),
    ("this", "is", "my", "conversation", "with"),
)
_INTRO_FIRST = frozenset(p[0] for p in _INTRO_STARTS)
_HANDOVERS = frozenset({"here's", "heres"})
INTRO_SEARCH_WORDS = 2000  # a cold open and the introduction's start lie within this many words
INTRO_MAX_WORDS = 2000  # the handover lies within this many words of the introduction's start
INTRO_SHORT_WORDS = 600  # else "this … podcast" within this many words ends it


def find_introduction(norm: Sequence[str]) -> tuple[int, int] | None:
    """Where the host's introduction of an interview starts and ends in the normalised words ``norm``: the
    index of its first word ("the following is a conversation with …") and of the handover word ("here's"
    in "and now here's …", "and now dear friends here's …"; the start again when no handover is found).
    None when the opening has no such introduction. Words before the start are a cold open (usually the
    guest's quotes), the words after the handover's sentence the host's first question, then the answer."""
    head = list(norm[:INTRO_SEARCH_WORDS])
    start = -1
    for i, w in enumerate(head):
        if w in _INTRO_FIRST and any(tuple(head[i : i + len(p)]) == p for p in _INTRO_STARTS):
            start = i - 1 if i > 0 and head[i - 1] == "the" else i
            break
    if start < 0:
        return None
    window = norm[start : start + INTRO_MAX_WORDS]
    for j, w in enumerate(window):
        if (w in _HANDOVERS or (w == "here" and j + 1 < len(window) and window[j + 1] == "is")) and "now" in (
            window[max(j - 4, 0) : j]
        ):
            return start, start + j
    for j, w in enumerate(window[:INTRO_SHORT_WORDS]):  # "… on this the Lex Fridman podcast": no handover
        if w == "podcast" and "this" in window[max(j - 5, 0) : j]:
            return start, start + j
    return start, start
