"""Candidate title phrases of outline sections and their features (the title ranker's input).

A chapter title is one candidate phrase of its section: 1-4 words, first and last a content word, inner
words content words or one of ``CONNECTORS`` ("meaning of life", "war in Ukraine"), or a *template*: a
title people gave chapters of several training episodes ("Advice for young people", "Hope") whose every
content word the section says. ``candidate_features`` describes each candidate by the columns of
``FEATURES``: how distinctive it is against the rest of the episode, its count, where it first comes, its
length and shape, whether it is a name, how central it is (word vectors), how often people put its words
in titles, whether it is a template and how near the section is to where that template usually comes.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import TYPE_CHECKING

import numpy as np

from desktop_app.outline import vectors as outline_vectors
from desktop_app.outline.title_words import (
    _CONNECTORS,
    _NOUN_SUFFIXES,
    GENERIC,
    VAGUE,
    _is_content,
    _stem_cached,
    forms_capitalised,
    normalize,
    title_stems,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from desktop_app.outline.title_model import TitleModel

MAX_PHRASE = 4
VERB_SIGN = -1.0  # a word whose noun sign (``noun_table``) is below this is a verb ("learn", "train")
ABSORB_SHARE = 0.6
MODIFIER_ALONE = 0.6  # share of a word's uses followed by a specific content word: a modifier, no title alone
MAX_CANDIDATES = 600  # per section; a 1,500-word section has about 200
FEATURES = (
    "log_tf",
    "rate_ratio",
    "share",
    "spread",
    "first_pos",
    "len1",
    "len2",
    "len3",
    "len4",
    "capitalised",
    "acronym",
    "generic",
    "noun_suffix",
    "ing",
    "adverb_or_past",
    "connector",
    "title_prior",
    "commonness",
    "log_tf_episode",
    "early",
    "multi_once",
    "centrality",
    "tf_rel",
    "head_noun",
    "first_noun",
    "head_verb",
    "head_modifier",
    "template",
    "template_pos",
    "template_phrase",
    "about",
)


def _candidates(
    words: Sequence[str],
    sections: Sequence[tuple[int, int]],
    banned: frozenset[str],
    verbs: frozenset[str] = frozenset(),
) -> tuple[list[dict[tuple[str, ...], list[int]]], Counter[tuple[str, ...]]]:
    """Per section: candidate phrase -> [count, first word index]; and each phrase's count in the text.

    A phrase starts on a specific word (not ``GENERIC``) and ends on a content word, may hold connectors
    ("of", "and") inside, and holds no ``VAGUE`` word, speaker name or verb (``verbs``), nor a content word twice
    ("AI AI", "GPT-4 to GPT-4")."""
    n = len(words)
    kind: dict[str, int] = {}  # 0: no part of a title, 1: inner connector, 2: edge word, 3: vague edge word
    for w in set(words):
        if w in VAGUE or w in banned or w in verbs:
            kind[w] = 0
        elif w in _CONNECTORS:
            kind[w] = 1
        elif _is_content(w) and not w.replace("-", "").isdigit():
            kind[w] = 3 if w in GENERIC else 2
        else:
            kind[w] = 0
    k = [kind[w] for w in words]
    per: list[dict[tuple[str, ...], list[int]]] = []
    total: Counter[tuple[str, ...]] = Counter()
    for a, b in sections:
        found: dict[tuple[str, ...], list[int]] = {}
        for i in range(a, min(b, n)):
            if k[i] != 2:
                continue
            for j in range(i, min(i + MAX_PHRASE, b)):
                kj = k[j]
                if kj == 0 or (j > i and (words[j] == words[j - 1] or kj >= 2 and words[j] in words[i:j])):
                    break  # no title word, or a word said again ("AI AI", "GPT-4 to GPT-4")
                if kj < 2:
                    continue  # starts on a specific word, ends on a content word ("meaning of life")
                key = tuple(words[i : j + 1])
                rec = found.get(key)
                if rec is None:
                    found[key] = [1, i]
                else:
                    rec[0] += 1
        per.append(found)
        for key, rec in found.items():
            total[key] += rec[0]
    return per, total


_NOUN_BEFORE = frozenset("the a an this these those my your his her our their its every each".split())
_OTHER_BEFORE = frozenset(
    "i you we they he she to will would can could should don't didn't can't won't might "
    "must very so too more most less pretty quite".split()
)


def noun_table(words: Sequence[str]) -> tuple[Counter[str], Counter[str]]:
    """Counts of each word after a determiner ("the ...", a noun sign) and after a pronoun, auxiliary or
    degree word ("we ...", "very ...": a verb or adjective sign); the training builds ``noun`` from them."""
    noun: Counter[str] = Counter()
    other: Counter[str] = Counter()
    for prev, w in zip(words, words[1:], strict=False):
        if prev in _NOUN_BEFORE:
            noun[w] += 1
        elif prev in _OTHER_BEFORE:
            other[w] += 1
    return noun, other


def candidate_features(
    words: Sequence[str],
    forms: dict[str, str],
    sections: Sequence[tuple[int, int]],
    model: TitleModel | None,
    prior: dict[str, float] | None = None,
    common: dict[str, float] | None = None,
    banned: frozenset[str] = frozenset(),
    noun: dict[str, float] | None = None,
    templates: dict[str, tuple[float, float]] | None = None,
) -> list[list[tuple[tuple[str, ...], list[float]]]]:
    """Per section, its candidate phrases with their feature vectors (columns as ``FEATURES``).

    Besides the section's own phrases, a *template* (a title people gave chapters of several training
    episodes: "Advice for young people", "Meaning of life", "Hope") is a candidate where the section says
    each of its content words. ``prior``/``common``/``noun``/``templates`` override the model's tables
    (training builds them out of fold)."""
    if prior is None or common is None or noun is None:
        assert model is not None
        prior, common, noun = model.prior, model.common, model.noun
        p_def, c_def = model.prior_default, model.common_default
    else:
        p_def, c_def = prior.get("", -3.0), common.get("", 0.0)
    if templates is None:
        templates = model.templates if model is not None else {}
    capitalised = forms_capitalised(forms)
    verbs = frozenset(w for w, v in noun.items() if v < VERB_SIGN and w not in capitalised)
    per, total = _candidates(words, sections, banned, verbs)
    tmpl = _template_matches(words, sections, templates, banned)
    for found, (matches, _phr) in zip(per, tmpl, strict=True):
        for key, rec in matches.items():
            found.setdefault(key, rec)
    for key in {k for matches, _p in tmpl for k in matches}:
        total[key] = max(total[key], sum(m.get(key, [0])[0] for m, _p in tmpl))
    n_words = max(len(words), 1)
    n_sec = len(sections)
    spread: Counter[tuple[str, ...]] = Counter()
    for found in per:
        spread.update(found.keys())
    word_info: dict[str, tuple[float, ...]] = {}
    for found in per:
        for key in found:
            for w in key:
                if w in word_info or w in _CONNECTORS:
                    continue
                form = forms.get(w, w)
                st = _stem_cached(w)
                word_info[w] = (
                    float(any(ch.isupper() for ch in form)),
                    float(len(form) >= 2 and form.isupper()),
                    float(w in GENERIC),
                    float(w.endswith(_NOUN_SUFFIXES)),
                    float(w.endswith("ing")),
                    float(w.endswith(("ly", "ed"))),
                    prior.get(st, p_def),
                    common.get(st, c_def),
                    noun.get(w, 0.0),
                )
    # how often each word is followed by a content word ("martial arts", "existential risk"): a modifier
    followed: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    for w, nxt in zip(words, words[1:], strict=False):
        if w in word_info:
            seen[w] += 1
            if _is_content(nxt) and nxt not in GENERIC:
                followed[w] += 1
    modifier = {w: followed[w] / seen[w] for w in seen}
    wv = outline_vectors.get_vectors()
    vocab = sorted(word_info)
    vrow = {w: i for i, w in enumerate(vocab)}
    wmat = wv.matrix(vocab) if wv is not None and vocab else None
    out: list[list[tuple[tuple[str, ...], list[float]]]] = []
    for s_i, ((a, b), found) in enumerate(zip(sections, per, strict=True)):
        _t_found, (t_keys, t_phrase) = tmpl[s_i]
        where = (a + b) / 2 / n_words
        sec_len = max(b - a, 1)
        rest_len = max(n_words - sec_len, 1)
        max_tf = max((rec[0] for rec in found.values()), default=1)
        about = _after_about(words, a, b)
        # a word said mostly as part of one phrase is that phrase ("martial" -> "martial arts")
        in_phrase: Counter[str] = Counter()
        for key, (tf, _first) in found.items():
            if len(key) == 2 and tf >= 2:
                for w in key:
                    in_phrase[w] += tf  # "existential risk" and "existential risks" both absorb "existential"
        keys = []
        for key, (tf, _first) in found.items():
            if key in t_keys:
                keys.append(key)
                continue
            if len(key) == 1 and in_phrase[key[0]] >= ABSORB_SHARE * tf:
                continue
            if len(key) == 1 and modifier.get(key[0], 0.0) >= MODIFIER_ALONE and not word_info[key[0]][0]:
                continue  # a word nearly always said before another ("existential ...") is no title alone
            if len(key) > 1 and tf < 2 and not all(word_info[w][0] for w in key if w not in _CONNECTORS):
                continue  # a phrase said once is no title, unless it is a name ("Larry Page")
            keys.append(key)
        if len(keys) > MAX_CANDIDATES:  # very long sections: the most frequent phrases only (bounded time)
            keep = set(sorted(keys, key=lambda kk: (-found[kk][0], found[kk][1], kk))[:MAX_CANDIDATES])
            keys = [kk for kk in keys if kk in keep]
        cos = _centralities(keys, words[a:b], wmat, vrow)
        rows = []
        for key, centrality in zip(keys, cos, strict=True):
            tf, first = found[key]
            content = [w for w in key if w not in _CONNECTORS] or list(key)
            infos = [word_info[w] for w in content]
            t_eps, t_pos = t_keys.get(key, (0.0, -1.0))
            m = len(infos)
            tf_all = total[key]
            k = len(key)
            rate_sec = (tf + 0.5) / sec_len
            rate_rest = (tf_all - tf + 0.5) / rest_len
            rows.append(
                (
                    key,
                    [
                        math.log1p(tf),
                        math.log(rate_sec / rate_rest),
                        tf / tf_all,
                        spread[key] / n_sec,
                        (first - a) / sec_len,
                        float(k == 1),
                        float(k == 2),
                        float(k == 3),
                        float(k >= 4),
                        sum(x[0] for x in infos) / m,
                        max(x[1] for x in infos),
                        sum(x[2] for x in infos) / m,
                        infos[-1][3],
                        infos[-1][4],
                        max(x[5] for x in infos),
                        float(m < k),
                        sum(x[6] for x in infos) / m,
                        sum(x[7] for x in infos) / m,
                        math.log1p(tf_all),
                        float(first - a < 150),
                        float(k > 1 and tf < 2),
                        centrality,
                        tf / max_tf,
                        infos[-1][8],
                        infos[0][8],
                        float(infos[-1][8] < -0.5),
                        modifier.get(content[-1], 0.0),
                        t_eps,
                        -abs(where - t_pos) if t_eps else 0.0,
                        float(key in t_phrase),
                        math.log1p(about[content[0]]),
                    ],
                )
            )
        out.append(rows)
    return out


_ABOUT_WORDS = 3


def _after_about(words: Sequence[str], a: int, b: int) -> Counter[str]:
    """How often each word comes within ``_ABOUT_WORDS`` words after "about" or "speaking of" in
    ``words[a:b]`` ("let me ask you about the metaverse", "talk about open source"): what is talked about."""
    out: Counter[str] = Counter()
    for i in range(a, min(b, len(words)) - 1):
        w = words[i]
        if w == "about" or (w == "of" and i > a and words[i - 1] == "speaking"):
            out.update(set(words[i + 1 : min(i + 1 + _ABOUT_WORDS, b)]))
    return out


TemplateMatch = tuple[dict[tuple[str, ...], tuple[float, float]], set[tuple[str, ...]]]


def template_key(title: str) -> tuple[str, ...]:
    """The normalised words of a template title ("Advice for young people" -> advice, for, young, people)."""
    return tuple(w for w in (normalize(t) for t in title.split()) if w)


def _template_matches(
    words: Sequence[str],
    sections: Sequence[tuple[int, int]],
    templates: dict[str, tuple[float, float]],
    banned: frozenset[str],
) -> list[tuple[dict[tuple[str, ...], list[int]], TemplateMatch]]:
    """Per section: ``{key: [count, first]}`` of the templates whose every content word the section says
    (count: the least said of them; first: where that one first comes), and the templates' features
    (``{key: (popularity, usual position)}``) with the set said word for word."""
    if not templates:
        return [({}, ({}, set())) for _ in sections]
    wanted: dict[tuple[str, ...], tuple[frozenset[str], tuple[float, float]]] = {}
    for title, info in templates.items():
        key = template_key(title)
        stems = title_stems(title)
        if key and stems and not set(key) & banned:
            wanted[key] = (stems, info)
    need = set().union(*(st for st, _ in wanted.values())) if wanted else set()
    out: list[tuple[dict[tuple[str, ...], list[int]], TemplateMatch]] = []
    for a, b in sections:
        count: Counter[str] = Counter()
        first: dict[str, int] = {}
        for i in range(a, min(b, len(words))):
            st = _stem_cached(words[i])
            if st in need:
                count[st] += 1
                first.setdefault(st, i)
        found: dict[tuple[str, ...], list[int]] = {}
        feats: dict[tuple[str, ...], tuple[float, float]] = {}
        for key, (stems, info) in wanted.items():
            if all(count[st] for st in stems):
                rarest = min(stems, key=lambda st: (count[st], st))
                found[key] = [count[rarest], first[rarest]]
                feats[key] = info
        said = {key for key in found if len(key) > 1 and _says(words, a, b, key)}
        out.append((found, (feats, said)))
    return out


def _says(words: Sequence[str], a: int, b: int, key: tuple[str, ...]) -> bool:
    """Whether ``words[a:b]`` holds the phrase ``key`` word for word."""
    k = len(key)
    return any(
        tuple(words[i : i + k]) == key for i in range(a, min(b, len(words)) - k + 1) if words[i] == key[0]
    )


def _centralities(
    keys: list[tuple[str, ...]], section: Sequence[str], wmat: np.ndarray | None, vrow: dict[str, int]
) -> list[float]:
    """Cosine between each phrase's summed word vectors and the section's (0 without vectors)."""
    if wmat is None or not keys:
        return [0.0] * len(keys)
    counts = Counter(w for w in section if w in vrow and w not in GENERIC)
    if not counts:
        return [0.0] * len(keys)
    idx = np.array(sorted(vrow[w] for w in counts))
    weights = np.array([counts[w] for w in sorted(counts, key=lambda w: vrow[w])], dtype=np.float32)
    centroid = (wmat[idx] * weights[:, None]).sum(axis=0)
    norm = float(np.linalg.norm(centroid))
    if norm == 0:
        return [0.0] * len(keys)
    word_cos = wmat @ (centroid / norm)  # every word's projection on the section direction
    out = []
    for key in keys:
        rows = [vrow[w] for w in key if w not in _CONNECTORS]
        v = wmat[rows[0]] if len(rows) == 1 else wmat[rows].sum(axis=0)
        n = float(np.sqrt(v @ v))
        proj = float(sum(word_cos[r] for r in rows))
        out.append(proj / n if n > 0 else 0.0)
    return out
