"""Titles and keywords for outline sections.

Titles are written the way people title chapters: a short noun phrase of the section ("Open source",
"Jiu-jitsu competition", "Meaning of life"), at most two joined by "and", never a comma list, no two alike
in one outline, never a speaker's name (``exclude_names``), names and acronyms cased as the transcript
writes them. Candidate phrases of each section are ranked by a conditional-logit model fitted on the human
chapter titles of the training corpus (``learned_titles``, ``resources/models/outline_titles.json.gz``):
how distinctive a phrase is against the rest of the episode, its count, where it first comes, its length and
shape, whether it is a name, how central it is (word vectors), how often people put its words in titles.

Keywords (tooltip, ``outline --json``): a term (word or two-word phrase) scores by its count in the section
times how few sections use it (class-based TF-IDF); names and acronyms (words the transcript keeps
capitalised) score higher; filler and generic conversational words never count. Without the model file
the title falls back to the best keyword.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import TYPE_CHECKING

from desktop_app.outline.title_model import get_title_model, learned_titles
from desktop_app.outline.title_words import (
    _is_content,
    _is_title_word,
    _surface_forms,
    cased,
    name_tokens,
    normalize,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from desktop_app.outline.title_semantic import TitleSemantics

TITLE_TERMS = 4
MIN_TF = 2
TF_POWER = 1.0
IDF_POWER = 0.5
CAP_BONUS = 2.0
BIGRAM_BONUS = 1.5
FREQ_SLOT = False
PHRASE_SHARE = 0.5


def label_sections(
    words: Sequence[str],
    surface: Sequence[str],
    sections: Sequence[tuple[int, int]],
    intro_section: bool = False,
    exclude_names: Sequence[str] = (),
    semantic: TitleSemantics | None = None,
) -> list[tuple[str, list[str]]]:
    """``(title, keywords)`` per section; ``sections`` are ``[start, end)`` word index ranges; ``semantic``
    (the refined outline's contextual view of the episode): titles by the refined ranker, when it is bundled.

    Titles are learned candidate phrases (see ``learned_titles``), distinct within the outline; words of
    ``exclude_names`` (the speakers) are never a title or keyword. Keywords are the section's most
    distinctive words and phrases."""
    banned = name_tokens(exclude_names)
    content = {w for w in set(words) if _is_content(w) and w not in banned}
    forms = _surface_forms(words, surface, content | {w for w in set(words) if _is_content(w)})
    counts = [_section_terms(words, a, b, content) for a, b in sections]
    df: Counter[str] = Counter()
    for c in counts:
        df.update(c.keys())
    n_sec = len(sections)
    model = get_title_model(refined=True) if semantic is not None else None
    if model is None:
        model, semantic = get_title_model(), None
    learned = learned_titles(words, forms, sections, model, banned, semantic=semantic) if model else None
    out: list[tuple[str, list[str]]] = []
    taken: set[str] = set()
    learned_lower = {t.lower() for t in learned or () if t}
    for idx, c in enumerate(counts):
        ranked = _rank(c, df, n_sec, forms)
        keywords = [_show(t, forms) for t in ranked[:5]]
        if idx == 0 and intro_section:
            title = "Introduction"
        elif learned is not None and learned[idx]:
            title = learned[idx] or ""
            named = _with_name_start(title, words, surface, sections[idx], banned)
            title = title if named.lower() in taken or named.lower() in learned_lower else named
        else:
            title = _fallback_title(ranked, forms, taken)
        if title.lower() in taken:  # "Introduction" twice, or a fallback clash
            title = f"{title} ({idx + 1})"
        taken.add(title.lower())
        out.append((title, keywords or [title.lower()]))
    return out


NAME_START_SHARE = 2 / 3  # of a phrase's mentions, those a capitalised word must come before
NAME_MAX_WORDS = 5
_NOT_NAME_START = frozenset("I I'm The A An And So But Oh Yeah Okay Well Now Like Um Uh Mr Ms Mrs Dr".split())


def _with_name_start(
    title: str, words: Sequence[str], surface: Sequence[str], span: tuple[int, int], banned: frozenset[str]
) -> str:
    """The title with the first word of the name its first phrase ends ("War II" -> "World War II", "York
    Times" -> "New York Times"): where the phrase, capitalised, mostly follows one capitalised word that the
    candidates could not start on (a common word: "world", "new")."""
    head, sep, tail = title.partition(" and ")
    phrase = [normalize(t) for t in head.split()]
    a, b = span
    n = len(phrase)
    if not phrase or n + 1 + len(tail.split()) > NAME_MAX_WORDS:
        return title
    before: Counter[str] = Counter()
    mentions = 0
    for i in range(max(a, 1), b - n + 1):
        if (
            words[i] == phrase[0]
            and list(words[i : i + n]) == phrase
            and surface[i][:1].isupper()
            and not _starts_sentence(surface, i - 1)  # "In Python, …": a sentence's capital, not a name's
        ):
            mentions += 1
            before[surface[i - 1]] += 1
    if mentions < 2:  # one mention says nothing about what usually comes before it
        return title
    token, count = before.most_common(1)[0]
    if (
        count < NAME_START_SHARE * mentions
        or not token.isalpha()
        or not token[:1].isupper()
        or token in _NOT_NAME_START
        or normalize(token) in banned
    ):
        return title
    return f"{token} {head}{sep}{tail}"


_SENTENCE_END = (".", "?", "!", "…", ":")


def _starts_sentence(surface: Sequence[str], i: int) -> bool:
    """Whether word ``i`` opens a sentence of punctuated text (the text's first word, or one after a full
    stop, question or exclamation mark, ellipsis or colon, closing quotes aside)."""
    return i <= 0 or surface[i - 1].rstrip("\"')]”’»").endswith(_SENTENCE_END)


def _section_terms(words: Sequence[str], a: int, b: int, content: set[str]) -> Counter[str]:
    c: Counter[str] = Counter()
    prev = ""
    for w in words[a:b]:
        if w in content:
            c[w] += 1
            if prev:
                c[prev + " " + w] += 1
            prev = w
        else:
            prev = ""
    return c


def _rank(c: Counter[str], df: Counter[str], n_sec: int, forms: dict[str, str]) -> list[str]:
    """Title-worthy terms of a section, best first, no two sharing a word."""
    scored: list[tuple[float, str]] = []
    for term, tf in c.items():
        parts = term.split(" ")
        if tf < MIN_TF or not all(_is_title_word(p) for p in parts):
            continue
        score = tf**TF_POWER * math.log(1.0 + n_sec / df[term]) ** IDF_POWER
        if any(any(ch.isupper() for ch in forms.get(p, "")) for p in parts):
            score *= CAP_BONUS
        if len(parts) == 2:
            score *= BIGRAM_BONUS
        scored.append((score, term))
    scored.sort(key=lambda x: (-x[0], x[1]))
    # a word that mostly occurs in one phrase is shown as that phrase ("dark" -> "dark energy")
    phrase_of: dict[str, str] = {}
    for _s, term in scored:
        if " " in term:
            for p in term.split(" "):
                if p not in phrase_of and c[term] >= PHRASE_SHARE * c[p]:
                    phrase_of[p] = term
    out: list[str] = []
    used: set[str] = set()
    for _s, term in scored:
        term = phrase_of.get(term, term)
        stems = {_stem(p) for p in term.split(" ")}
        if stems & used:
            continue
        out.append(term)
        used |= stems
        if len(out) >= 6:
            break
    if FREQ_SLOT:
        frequent = [t for t, tf in c.most_common() if " " not in t and _is_title_word(t) and tf >= MIN_TF]
        if frequent and _stem(frequent[0]) not in used and len(out) >= TITLE_TERMS:
            out.insert(TITLE_TERMS - 1, frequent[0])
    return out


def _stem(word: str) -> str:
    """Crude suffix stripping, so that "book" and "books" count as one term."""
    for suf in ("ies", "es", "s", "ing", "ed", "ly"):
        if word.endswith(suf) and len(word) - len(suf) >= 3:
            word = word[: -len(suf)]
            break
    return word[:-1] if len(word) > 3 and word.endswith("e") else word


def _show(term: str, forms: dict[str, str]) -> str:
    return " ".join(cased(forms.get(p, p)) for p in term.split(" "))


def _fallback_title(ranked: list[str], forms: dict[str, str], taken: set[str]) -> str:
    """Without the title model: the section's best term that no earlier section has as its title."""
    for term in ranked:
        title = _show(term, forms)
        title = title[0].upper() + title[1:]
        if title.lower() not in taken:
            return title
    return "Conversation"
