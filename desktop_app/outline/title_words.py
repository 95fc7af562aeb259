"""Words of the outline's titles and keywords: stop words, vague and generic words, normalising, stemming,
and the spelling the transcript gives each word (names and acronyms keep their capitals).

``stem`` and ``title_stems`` compare titles as the outline scorer does (``outline_eval.content_stems``).
"""

from __future__ import annotations

import functools
import gzip
import json
import logging
import re
from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

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


# never part of a title (vague words people do not title a chapter with)
VAGUE = frozenset(
    """
thing things people person know think really going like stuff lot lots kind kinds sort way ways something
someone somebody everything everyone anything anyone nothing guy guys yeah okay gonna wanna actually
basically mean say said saying get got getting want wanted make made good great pretty sure
""".split()
)
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


def name_tokens(names: Sequence[str]) -> frozenset[str]:
    """Normalised words of speaker names that may not appear in titles ("Lex Fridman" -> lex, fridman)."""
    out = set()
    for name in names:
        for tok in re.split(r"[\s.]+", name):
            w = normalize(tok)
            if len(w) >= 2 and w not in STOPWORDS:
                out.add(w)
    return frozenset(out)


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


_stem_memo: dict[str, str] = {}


CASING_FILE = ("models", "title_casing.json.gz")
"""How people write names and acronyms (``training/title_casing.py``): "mdma" -> "MDMA", "ted" -> "Ted"."""


@functools.cache
def _casing_table() -> dict[str, str]:
    from desktop_app.paths import resource_path

    try:
        table = json.loads(gzip.decompress(resource_path(*CASING_FILE).read_bytes()))
    except (OSError, ValueError) as error:  # a missing or damaged file: titles keep the transcript's spelling
        logging.getLogger(__name__).warning("title casing table unusable: %s", error)
        return {}
    return {str(k): str(v) for k, v in table.items()} if isinstance(table, dict) else {}


def cased(form: str) -> str:
    """A title word as people write it: the transcript's spelling, unless the transcript only ever writes it in
    lowercase (old automatic captions are all lowercase) and people write it capitalised ("MDMA", "Kaczynski")."""
    if form != form.lower():
        return form
    return _casing_table().get(form, form)


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
