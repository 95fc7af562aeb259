"""The host's and the guest's names where an interview's opening says them (no Qt).

Caption text keeps the capitals of names, so a name is a run of two to four capitalised words after a phrase
that introduces one: "a conversation with Mark Zuckerberg", "here's Mark Zuckerberg", "talking to Max Irwin"
name the guest; "this is the Lex Fridman podcast", "I'm Dmitry Kan and" name the host. Only the first
``OPENING_WORDS`` words are read. "this is Alex Freedman podcast" (a caption error for "the Lex Fridman
podcast") names nobody: the article is required.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

OPENING_WORDS = 400

_NAME = r"((?:[A-Z][\w'’.-]*)(?: (?:[A-Z][\w'’.-]*|de|van|von|el|al|da|bin)){0,3}(?: [A-Z][\w'’-]*))"
_GUEST_PATTERNS = [
    re.compile(r"\b(?:conversation|interview|chat|talk|discussion) with " + _NAME + r"\b"),
    re.compile(r"\bhere(?:'s| is) " + _NAME + r"\b"),
    re.compile(r"\b(?:talking|speaking|chatting) (?:to|with) " + _NAME + r"\b"),
    re.compile(r"\bmy guest(?: today)? is " + _NAME + r"\b"),
    re.compile(r"\b(?:joined by|welcome) " + _NAME + r"\b"),
]
_HOST_PATTERNS = [
    re.compile(r"\bthis is [Tt]he " + _NAME + r"(?:'s|’s)? [Pp]odcast\b"),
    re.compile(r"\b(?:I'm|I am|my name is) " + _NAME + r" and (?:this is|I'm your|I am your|welcome)\b"),
    re.compile(r"\bI'm your host,? " + _NAME + r"\b"),
]
_NOT_NAMES = frozenset("I I'm I've I'll I'd The This That AI And So Yeah Okay".split())
_TITLES = frozenset(
    "Dr Dr. Doctor Professor Prof Prof. Mr Mr. Mrs Mrs. Ms Ms. Sir Imam Rabbi President General".split()
)
_ROLES = frozenset("CEO CTO Founder Co-founder Inside Host Author President Director".split())


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


def _first(patterns: list[re.Pattern[str]], text: str) -> list[str]:
    found: Counter[str] = Counter()
    order: dict[str, int] = {}
    for pattern in patterns:
        for m in pattern.finditer(text):
            name = _clean(m.group(1))
            if name:
                found[name] += 1
                order.setdefault(name, m.start())
    return sorted(found, key=lambda n: (-found[n], order[n]))


def find_names(text: str) -> Names:
    """The host's and the guest's names from the opening of ``text`` (see the module docstring)."""
    opening = " ".join(text.split()[:OPENING_WORDS])
    hosts = _first(_HOST_PATTERNS, opening)
    host = hosts[0] if hosts else None
    guests = [g for g in _first(_GUEST_PATTERNS, opening) if g != host and not (host and g in host)]
    return Names(host=host, guest=guests[0] if guests else None)
