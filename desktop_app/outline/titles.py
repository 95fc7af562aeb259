"""Titles and keywords for outline sections, from each section's most distinctive words.

A term (word or two-word phrase) scores by its count in the section times how few sections use it
(class-based TF-IDF); names and acronyms (words the transcript keeps capitalised) score higher; filler
and generic conversational words never become titles. A title joins the best two or three terms that
share no word ("Llama, open source and Meta").
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Sequence

logger = logging.getLogger(__name__)

STOPWORDS = frozenset("""
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
""".split())

# Content words too generic to name a topic (conversation glue, vague nouns, common verbs/adjectives).
GENERIC = frozenset("""
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
""".split())

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


def label_sections(words: Sequence[str], surface: Sequence[str], sections: Sequence[tuple[int, int]],
                   intro_section: bool = False) -> list[tuple[str, list[str]]]:
    """``(title, keywords)`` per section; ``sections`` are ``[start, end)`` word index ranges."""
    content = {w for w in set(words) if _is_content(w)}
    forms = _surface_forms(words, surface, content)
    counts = [_section_terms(words, a, b, content) for a, b in sections]
    df: Counter[str] = Counter()
    for c in counts:
        df.update(c.keys())
    n_sec = len(sections)
    out: list[tuple[str, list[str]]] = []
    for idx, c in enumerate(counts):
        ranked = _rank(c, df, n_sec, forms)
        keywords = [_show(t, forms) for t in ranked[:5]]
        if idx == 0 and intro_section:
            out.append(("Introduction", keywords or ["introduction"]))
            continue
        title = _compose_title(ranked, forms)
        if not keywords:
            keywords = [title.lower()]
        out.append((title, keywords))
    return out


def _surface_forms(words: Sequence[str], surface: Sequence[str], content: set[str]) -> dict[str, str]:
    """Most frequent display spelling of each normalised word (keeps names' capitals)."""
    pairs = Counter(zip(words, surface, strict=True))
    tally: dict[str, Counter[str]] = {}
    for (w, s), n in pairs.items():
        if w in content:
            tally.setdefault(w, Counter())[_display(s)] += n
    # ties go to the lower-case spelling: a capital seen as often as not is no sign of a name
    return {w: min(c.items(), key=lambda kv: (-kv[1], kv[0] != kv[0].lower(), kv[0]))[0]
            for w, c in tally.items()}


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
        score = tf ** TF_POWER * math.log(1.0 + n_sec / df[term]) ** IDF_POWER
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


def _compose_title(ranked: list[str], forms: dict[str, str]) -> str:
    if not ranked:
        return "Conversation"
    parts: list[str] = []
    n_words = 0
    for term in ranked[:TITLE_TERMS]:
        k = len(term.split(" "))
        if parts and n_words + k + 1 > 6:  # + 1 for the "and"
            break
        parts.append(_show(term, forms))
        n_words += k
    if len(parts) == 1:
        title = parts[0]
    else:
        title = ", ".join(parts[:-1]) + " and " + parts[-1]
    return title[0].upper() + title[1:]
