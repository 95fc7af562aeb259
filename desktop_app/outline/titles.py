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

import gzip
import json
import logging
import math
import re
import threading
from collections import Counter
from typing import TYPE_CHECKING

import numpy as np

from desktop_app.outline import vectors as outline_vectors
from desktop_app.paths import resource_path

if TYPE_CHECKING:
    from collections.abc import Sequence

logger = logging.getLogger(__name__)

STOPWORDS = frozenset(
    """
a about above after again against all almost also am an and any are aren't as at be because been before
being below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down
during each either else ever every few for from further get gets getting got had hadn't has hasn't have
haven't having he he'd he'll he's her here here's hers herself him himself his how how's i i'd i'll i'm i've
if in into is isn't it it's its itself just let's like me more most much must mustn't my myself no nor not
now of off on once one only or other ought our ours ourselves out over own part per really same shan't she
she'd she'll she's should shouldn't so some such than that that's the their theirs them themselves then
there there's these they they'd they'll they're they've thing things this those through to too toward
towards under until up upon us very vs was wasn't we we'd we'll we're we've were weren't what what's when
when's where where's whether which while who who's whom whose why why's will with within without won't
would wouldn't yes yet you you'd you'll you're you've your yours yourself yourselves
um uh uhm hmm mm mm-hmm oh ah yeah yep yup okay ok gonna wanna gotta kinda sorta y'know ya
""".split()
)

# Content words too generic to name a topic (conversation glue, vague nouns, common verbs/adjectives).
GENERIC = frozenset(
    """
think thinking thought thoughts know knowing knew known people person thing things stuff going go goes went
gone come comes coming came really mean means meaning kind kinds sort sorts lot lots bunch want wants wanted
wanting actually say says saying said way ways time times something someone somebody everything everyone
everybody anything anyone anybody nothing nobody right make makes making made get gets getting got good
great well sure pretty maybe probably perhaps different interesting important question questions idea ideas
point points year years day days work works working worked look looks looking looked talk talks talking
talked example examples case cases able need needs needed use uses used using try tries trying tried see
seeing seen saw happen happens happened happening true big little better best bad worse worst hard level
levels part parts whole exactly course today many much new old long first second third last next two three
four five six seven ten hundred thousand million billion totally basically literally obviously definitely
certainly absolutely fact reason reasons sense feel feels feeling felt guess believe understand
understanding start started starting end ended give gives given gave take takes taking took put puts find
found tell told ask asked asking call called thank thanks love nice cool awesome fun amazing beautiful
incredible fascinating crazy weird funny simple easy possible likely certain whatever wherever somewhere
anyway though although still even ever never always often sometimes usually already again also else
another other others every each both either neither enough quite rather almost especially actually
essentially generally certainly clearly simply mostly largely fairly truly deeply highly basically
let lets mean meant means man guy guys yes absolutely okay alright gonna wanna gotta huge small large
early late kind able want wanted whole real really set bit piece side top bottom front back line
place places area areas number numbers amount lots terms term aspect aspects version versions
type types form forms stage stages step steps moment moments minute minutes hour hours week weeks
month months life lives world everything someone yeah yea hey hello hi sir question answer answers
problem problems issue issues challenge thing stuff talk talking conversation podcast episode show
interesting interested important importance similar same different difference differences deal
matter matters run running ran keep keeps kept move moving moved build building built create creating
created happen help helps helped show shows showed play playing played change changes changed
turn turns turned bring brings brought leave left live living lived mind minds head heads hand hands
willing allowed allow allows handle handles handled choose chose chosen choice specific specifically
define defined defines difficult easier harder push pushing pushed pull pulling decide decided
decision decisions group groups company companies sophisticated coordinated singular perspective
perspectives embarrassed excited exciting worried afraid scared happy sad proud glad surprised
surprising obvious clear certain general generally particular particularly various several entire
basic fundamental fundamentally major minor main key core common rare typical typically normal
normally natural naturally personally lots
across along around behind beyond inside outside toward within become becomes became becoming
seem seems seemed appear appears appeared remember remembered forget forgot imagine imagined
wonder wondering realize realized consider considered mention mentioned explain explained
describe described discuss discussed agree agreed disagree argue argued expect expected hope
hoped wish wished care cared matter mattered worry struggle struggling sensations sensation
include includes including involve involves involved require requires required offer offers
provide provides provided continue continued follow following followed allow allowing
quickly slowly spent spend spending expressing express expressed recently currently
""".split()
)

TITLE_TERMS = 4
MIN_TF = 2
TF_POWER = 1.0
IDF_POWER = 0.5
CAP_BONUS = 2.0
BIGRAM_BONUS = 1.5
FREQ_SLOT = False
PHRASE_SHARE = 0.5

_EDGE = re.compile(r"^[^\w$]+|[^\w%]+$")


def normalize(token: str) -> str:
    """Lower-case word without edge punctuation or possessive ``'s``."""
    w = _EDGE.sub("", token.replace("\u2019", "'")).lower()
    if w.endswith("'s") and w not in STOPWORDS:
        w = w[:-2]
    return w


def _display(token: str) -> str:
    w = _EDGE.sub("", token.replace("\u2019", "'"))
    if w.lower().endswith("'s") and w.lower() not in STOPWORDS:
        w = w[:-2]
    return w


def _is_content(w: str) -> bool:
    return len(w) >= 2 and w[0].isalpha() and w not in STOPWORDS


def _is_title_word(w: str) -> bool:
    return _is_content(w) and w not in GENERIC and len(w) >= 3 or w in _SHORT_OK


_SHORT_OK = frozenset({"ai", "ml", "vr", "ar", "ui", "os"})


def label_sections(
    words: Sequence[str],
    surface: Sequence[str],
    sections: Sequence[tuple[int, int]],
    intro_section: bool = False,
    exclude_names: Sequence[str] = (),
) -> list[tuple[str, list[str]]]:
    """``(title, keywords)`` per section; ``sections`` are ``[start, end)`` word index ranges.

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
    model = get_title_model()
    learned = learned_titles(words, forms, sections, model, banned) if model is not None else None
    out: list[tuple[str, list[str]]] = []
    taken: set[str] = set()
    for idx, c in enumerate(counts):
        ranked = _rank(c, df, n_sec, forms)
        keywords = [_show(t, forms) for t in ranked[:5]]
        if idx == 0 and intro_section:
            title = "Introduction"
        elif learned is not None and learned[idx]:
            title = learned[idx] or ""
        else:
            title = _fallback_title(ranked, forms, taken)
        if title.lower() in taken:  # "Introduction" twice, or a fallback clash
            title = f"{title} ({idx + 1})"
        taken.add(title.lower())
        out.append((title, keywords or [title.lower()]))
    return out


def _surface_forms(words: Sequence[str], surface: Sequence[str], content: set[str]) -> dict[str, str]:
    """Most frequent display spelling of each normalised word (keeps names' capitals)."""
    pairs = Counter(zip(words, surface, strict=True))
    tally: dict[str, Counter[str]] = {}
    for (w, s), n in pairs.items():
        if w in content:
            tally.setdefault(w, Counter())[_display(s)] += n
    # ties go to the lower-case spelling: a capital seen as often as not is no sign of a name
    return {
        w: min(c.items(), key=lambda kv: (-kv[1], kv[0] != kv[0].lower(), kv[0]))[0] for w, c in tally.items()
    }


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
    return " ".join(forms.get(p, p) for p in term.split(" "))


def _fallback_title(ranked: list[str], forms: dict[str, str], taken: set[str]) -> str:
    """Without the title model: the section's best term that no earlier section has as its title."""
    for term in ranked:
        title = _show(term, forms)
        title = title[0].upper() + title[1:]
        if title.lower() not in taken:
            return title
    return "Conversation"


# ------------------------------------------------------------------------------------ learned titles
#
# A chapter title is one candidate phrase of its section: 1-4 words, first and last a content word, inner
# words content words or one of ``_CONNECTORS`` ("meaning of life", "war in Ukraine"). A logistic model
# (``resources/models/outline_titles.json.gz``, fitted by ``desktop_app/training/outline_titles.py`` on the
# fitting split of the training corpus, target: the content-word F1 between the phrase and the human title)
# scores each candidate from ``candidate_features``; a greedy pass gives every section its best phrase that
# no other section has taken.

TITLES_FILE = ("models", "outline_titles.json.gz")
MAX_PHRASE = 4
TOP_CANDIDATES = 12
# never part of a title (vague words people do not title a chapter with)
VAGUE = frozenset(
    """
thing things people person know think really going like stuff lot lots kind kinds sort way ways something
someone somebody everything everyone anything anyone nothing guy guys yeah okay gonna wanna actually
basically mean say said saying get got getting want wanted make made good great pretty sure
""".split()
)
VERB_SIGN = -1.0  # a word whose noun sign (``noun_table``) is below this is a verb ("learn", "train")
ABSORB_SHARE = 0.6
MAX_CANDIDATES = 600  # per section; a 1,500-word section has about 200
_CONNECTORS = frozenset({"of", "and", "in", "for", "the", "on", "vs", "versus", "with", "to"})
_NOUN_SUFFIXES = (
    "tion",
    "sion",
    "ity",
    "ness",
    "ism",
    "ment",
    "ogy",
    "ics",
    "ance",
    "ence",
    "ship",
    "ure",
    "ist",
    "ism",
    "acy",
    "age",
    "dom",
)
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
)


def stem(word: str) -> str:
    """Suffix stripping as the outline scorer does it (``outline_eval.stem``), for comparing titles."""
    w = word[:-2] if word.endswith("'s") else word
    w = w.replace("'", "")
    if len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif w.endswith("sses"):
        w = w[:-2]
    elif len(w) > 4 and w.endswith(("ches", "shes", "xes", "zes")):
        w = w[:-2]
    elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    for suf in ("ingly", "edly", "ing", "ed", "ly"):
        if w.endswith(suf) and len(w) - len(suf) >= 3:
            w = w[: -len(suf)]
            if len(w) >= 4 and w[-1] == w[-2] and w[-1] not in "aeiouls":
                w = w[:-1]
            break
    for suf in ("ational", "ation", "ness", "ment", "ity", "ize", "ise"):
        if w.endswith(suf) and len(w) - len(suf) >= 4:
            w = w[: -len(suf)]
            break
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    return w


def title_stems(title: str) -> frozenset[str]:
    """Content-word stems of a title (as the scorer compares titles)."""
    out = set()
    for w in re.findall(r"[a-z0-9]+(?:'[a-z]+)?", title.lower()):
        if w in STOPWORDS or len(w) < 2:
            continue
        s = stem(w)
        if len(s) >= 2 and s not in STOPWORDS:
            out.add(s)
    return frozenset(out)


class TitleModel:
    """Coefficients of the candidate scorer and the word tables it reads (title prior, commonness)."""

    def __init__(
        self,
        coef: Sequence[float],
        bias: float,
        mean: Sequence[float],
        scale: Sequence[float],
        prior: dict[str, float],
        common: dict[str, float],
        prior_default: float,
        common_default: float,
        pair_margin: float | None = None,
        noun: dict[str, float] | None = None,
    ):
        self.coef, self.bias = list(coef), float(bias)
        self.mean, self.scale = list(mean), list(scale)
        self._coef, self._mean, self._scale = (np.asarray(v, dtype=np.float64) for v in (coef, mean, scale))
        self.prior, self.common = prior, common
        self.prior_default, self.common_default = prior_default, common_default
        self.pair_margin = pair_margin
        self.noun = noun or {}

    @classmethod
    def from_json(cls, data: dict) -> TitleModel:
        """The ranker saved by the title trainer; ValueError when its features are not this version's."""
        if list(data["features"]) != list(FEATURES):
            raise ValueError("title model features do not match this version")
        return cls(
            data["coef"],
            data["bias"],
            data["mean"],
            data["scale"],
            data["prior"],
            data["common"],
            data["prior_default"],
            data["common_default"],
            data.get("pair_margin"),
            data["noun"],
        )

    def score_many(self, feats: Sequence[Sequence[float]]) -> np.ndarray:
        """Scores of many feature rows at once."""
        x = (np.asarray(feats, dtype=np.float64) - self._mean) / self._scale
        return x @ self._coef + self.bias

    def score(self, feats: Sequence[float]) -> float:
        """The logit of one candidate phrase from its features."""
        z = self.bias
        for f, c, m, s in zip(feats, self.coef, self.mean, self.scale, strict=True):
            z += c * (f - m) / s
        return z


_title_model: TitleModel | None = None
_title_model_failed = False
_title_lock = threading.Lock()


def get_title_model() -> TitleModel | None:
    """The bundled title model (loaded once), or None when it is missing or unreadable."""
    global _title_model, _title_model_failed
    with _title_lock:
        if _title_model is None and not _title_model_failed:
            path = resource_path(*TITLES_FILE)
            try:
                with gzip.open(path, "rt", encoding="utf-8") as fh:
                    _title_model = TitleModel.from_json(json.load(fh))
            except (OSError, ValueError, KeyError, TypeError) as exc:
                logger.warning("outline title model unavailable (%s): keyword titles", exc)
                _title_model_failed = True
        return _title_model


def name_tokens(names: Sequence[str]) -> frozenset[str]:
    """Normalised words of speaker names that may not appear in titles ("Lex Fridman" -> lex, fridman)."""
    out = set()
    for name in names:
        for tok in re.split(r"[\s.]+", name):
            w = normalize(tok)
            if len(w) >= 2 and w not in STOPWORDS:
                out.add(w)
    return frozenset(out)


def _candidates(
    words: Sequence[str],
    sections: Sequence[tuple[int, int]],
    banned: frozenset[str],
    verbs: frozenset[str] = frozenset(),
) -> tuple[list[dict[tuple[str, ...], list[int]]], Counter[tuple[str, ...]]]:
    """Per section: candidate phrase -> [count, first word index]; and each phrase's count in the text.

    A phrase starts on a specific word (not ``GENERIC``) and ends on a content word, may hold connectors
    ("of", "and") inside, and holds no ``VAGUE`` word, speaker name or verb (``verbs``)."""
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
                if kj == 0:
                    break
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
) -> list[list[tuple[tuple[str, ...], list[float]]]]:
    """Per section, its candidate phrases with their feature vectors (columns as ``FEATURES``).

    ``prior``/``common``/``noun`` override the model's word tables (training builds them out of fold)."""
    if prior is None or common is None or noun is None:
        assert model is not None
        prior, common, noun = model.prior, model.common, model.noun
        p_def, c_def = model.prior_default, model.common_default
    else:
        p_def, c_def = prior.get("", -3.0), common.get("", 0.0)
    capitalised = forms_capitalised(forms)
    verbs = frozenset(w for w, v in noun.items() if v < VERB_SIGN and w not in capitalised)
    per, total = _candidates(words, sections, banned, verbs)
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
    for (a, b), found in zip(sections, per, strict=True):
        sec_len = max(b - a, 1)
        rest_len = max(n_words - sec_len, 1)
        max_tf = max((rec[0] for rec in found.values()), default=1)
        # a word said mostly as part of one phrase is that phrase ("martial" -> "martial arts")
        in_phrase: Counter[str] = Counter()
        for key, (tf, _first) in found.items():
            if len(key) == 2 and tf >= 2:
                for w in key:
                    in_phrase[w] = max(in_phrase[w], tf)
        keys = []
        for key, (tf, _first) in found.items():
            if len(key) == 1 and in_phrase[key[0]] >= ABSORB_SHARE * tf:
                continue
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
            content = [w for w in key if w not in _CONNECTORS]
            infos = [word_info[w] for w in content]
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
                    ],
                )
            )
        out.append(rows)
    return out


_stem_memo: dict[str, str] = {}


def forms_capitalised(forms: dict[str, str]) -> frozenset[str]:
    """Words the transcript writes capitalised (names, products, acronyms)."""
    return frozenset(w for w, f in forms.items() if f[:1].isupper())


def _stem_cached(w: str) -> str:
    got = _stem_memo.get(w)
    if got is None:
        got = stem(w)
        if len(_stem_memo) < 200_000:
            _stem_memo[w] = got
    return got


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


def learned_titles(
    words: Sequence[str],
    forms: dict[str, str],
    sections: Sequence[tuple[int, int]],
    model: TitleModel,
    banned: frozenset[str] = frozenset(),
    pair_margin: float | None = None,
) -> list[str | None]:
    """Each section's best candidate phrase that no other section has taken (None: no candidate).

    With a ``pair_margin`` (default: the model's), a second phrase scoring within that margin of the first
    and sharing no word with it joins it ("Open source and Llama"), at most ``MAX_PHRASE`` words in all."""
    margin = model.pair_margin if pair_margin is None else pair_margin
    table = candidate_features(words, forms, sections, model, banned=banned)
    per_section: list[list[tuple[float, tuple[str, ...]]]] = []
    ranked: list[tuple[float, int, tuple[str, ...]]] = []
    for s_i, rows in enumerate(table):
        values = model.score_many([f for _key, f in rows]) if rows else np.zeros(0)
        scored = sorted(
            ((float(v), key) for v, (key, _f) in zip(values, rows, strict=True)), key=lambda x: (-x[0], x[1])
        )
        per_section.append(scored[:TOP_CANDIDATES])
        ranked += [(sc, s_i, key) for sc, key in scored[:TOP_CANDIDATES]]
    ranked.sort(key=lambda x: (-x[0], x[1], x[2]))
    chosen: list[tuple[float, tuple[str, ...]] | None] = [None] * len(sections)
    used: set[frozenset[str]] = set()
    for sc, s_i, key in ranked:
        if chosen[s_i] is not None:
            continue
        stems = _key_stems(key)
        if stems in used:
            continue
        used.add(stems)
        chosen[s_i] = (sc, key)
    # a second phrase may name no other chapter's topic, and joins one title only ("... and AI" once)
    taken = set().union(*used) if used else set()
    out: list[str | None] = []
    for s_i, pick in enumerate(chosen):
        if pick is None:
            out.append(None)
            continue
        sc, key = pick
        title = _phrase_title(key, forms)
        if margin is not None and margin >= 0:
            for sc2, key2 in per_section[s_i]:
                if sc2 < sc - margin:
                    break
                stems2 = _key_stems(key2)
                if (
                    stems2 & taken
                    or len(key) + len(key2) > MAX_PHRASE
                    or min(model.noun.get(key[-1], 0.0), model.noun.get(key2[-1], 0.0)) < 0
                ):
                    continue  # "Open source and Llama", not "Martial and train"
                taken |= stems2
                title = f"{title} and {_phrase_title(key2, forms, first=False)}"
                break
        out.append(title)
    return out


def _key_stems(key: tuple[str, ...]) -> frozenset[str]:
    return frozenset(stem(w) for w in key if w not in _CONNECTORS)


def _phrase_title(key: tuple[str, ...], forms: dict[str, str], first: bool = True) -> str:
    shown = " ".join(w if w in _CONNECTORS else forms.get(w, w) for w in key)
    return shown[0].upper() + shown[1:] if first else shown
