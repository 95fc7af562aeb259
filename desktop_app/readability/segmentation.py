"""Sentences and paragraphs for caption-style transcripts (no Qt).

Caption text (one long line, no punctuation, sentence-initial capitals lowered) is split into sentences by a
small linear model that scores "a sentence starts at word i" from the surrounding words (trained by
``desktop_app.training.train_sentence_model`` on the development corpus), mixed with a small neural sentence
tagger (``network.RecurrentTagger``: dilated convolutions and a bidirectional GRU over word vectors, numpy,
``readability_tagger.npz``, loaded on first use; trained by ``desktop_app.training.train_sentence_tagger`` on the
training corpus, which also chose the decoding settings stored with it). Two adjacent words may both start
sentences (a one-word sentence such as "Yeah.") when both are likely. Each sentence gets its end mark ("." or
"?") from a linear question model mixed with the tagger's question logit; "a new speaker starts here" comes
from the turn models (``turns.json.gz``) mixed with the tagger's turn logit; confident turns become paragraph
breaks; long paragraphs are split at their best sentence boundaries. Text that already has its own
punctuation is split on it and left unaltered. Line breaks in the text always end a paragraph.

Every position is a ``[start, end)`` index into the document text. Inference is linear in the text length
(pure Python for the linear models, vectorised numpy for the network); the models are loaded lazily, once,
from ``resources/models/`` (without the network file, the linear models work alone).
"""

from __future__ import annotations

import functools
import gzip
import json
import logging
import math
import re
import threading
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from desktop_app.readability.network import RecurrentTagger, Tagger

logger = logging.getLogger(__name__)

ALGORITHM_VERSION = "readability-13"
MODEL_FILE = ("models", "readability.json.gz")
TURN_FILE = ("models", "turns.json.gz")  # the speaker-turn models (``train_speakers``), over MODEL_FILE's
TAGGER_FILE = ("models", "readability_tagger.npz")

MAX_PARAGRAPH_WORDS = 250
HUGE_TEXT_WORDS = 150_000
"""An unpunctuated text longer than this (~14 hours of talk) is segmented coarsely: the sentence model's
word and neighbour features only, no network, commas or speaker-change guesses (a 10 MB line then takes
seconds, not a minute)."""
_COARSE_TEMPLATES = ("w-1", "w0", "w1", "b-1", "s")
TRIVIAL_TEXT_WORDS = 1_000_000
"""Beyond this (~90 hours of talk: no transcript, a hostile or broken file) no model runs at all: sentences of
20 words, paragraphs of 140, so that even 10 MB of two-letter words segment in a few seconds."""
_TRIVIAL_SENTENCE = 20
_TRIVIAL_PARAGRAPH = 7  # sentences
_CHUNK_WORDS = 8_000  # a line longer than this is segmented piece by piece (bounded memory, progress)
_CHUNK_OVERLAP = 400
_END_PUNCT = ".?!…。？！"  # with the full-width marks of Chinese and Japanese
_CLOSERS = "\"'”’»)]}」』"
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof sr jr st vs etc e.g i.e cf fig no approx dept est inc ltd co corp jan feb mar apr "
    "jun jul aug sep sept oct nov dec".split()
)
_LINE_BREAK_RE = re.compile(r"[\n\u2028\u2029]")
_WORD_RE = re.compile(r"\S+")
_END_WORD_RE = re.compile(r"(?<!\S)\S*[.?!…。？！][\"'”’»)\]}」』]*(?!\S)")
_STRIP_RE = re.compile(r"^[^\w']+|[^\w']+$")


@dataclass(frozen=True, slots=True)  # slots: made by the thousand on every opening, twice as fast
class Sentence:
    """One sentence: ``[start, end)`` covers its words; ``mark`` is the end mark to display after ``end``."""

    start: int
    end: int
    mark: str


@dataclass(frozen=True, slots=True)  # slots: made by the thousand on every opening, twice as fast
class Paragraph:
    """Consecutive sentences shown as one paragraph; ``start``/``end`` are those of its first/last sentence.
    ``speaker``: who speaks it, from the transcript's turns (``None`` where the file names no one)."""

    start: int
    end: int
    sentences: tuple[Sentence, ...]
    speaker: str | None = None


class TurnLike(Protocol):
    """A speaker turn: ``[start, end)`` offsets and a name (``formats.Turn``); read-only."""

    @property
    def start(self) -> int:
        """Document offset where the turn starts."""

    @property
    def end(self) -> int:
        """Document offset where the turn ends."""

    @property
    def speaker(self) -> str:
        """Who speaks."""


@dataclass(frozen=True)
class Readable:
    """The segmentation of a document, plus the commas and capitals to display."""

    paragraphs: tuple[Paragraph, ...]
    commas: tuple[int, ...] = ()
    capitalize: tuple[int, ...] = ()
    already_punctuated: bool = False
    outline_starts: tuple[int, ...] = ()  # the linear model's own sentence starts (see ``unit_starts``)

    @property
    def speakers(self) -> tuple[str, ...]:
        """The distinct speakers of the paragraphs, in order of first appearance."""
        return tuple(dict.fromkeys(p.speaker for p in self.paragraphs if p.speaker))

    @functools.cached_property
    def _paragraph_starts(self) -> list[int]:
        return [p.start for p in self.paragraphs]

    def speaker_at(self, offset: int) -> str | None:
        """Who speaks the paragraph holding ``offset`` (None where unknown)."""
        number = bisect_right(self._paragraph_starts, offset) - 1
        return self.paragraphs[number].speaker if number >= 0 else None

    def sentence_starts(self) -> list[int]:
        """The start offset of every sentence."""
        return [s.start for p in self.paragraphs for s in p.sentences]

    def unit_starts(self) -> list[int]:
        """The sentence starts the outline builds its units on: those of the linear model alone when the
        network took part, since the outline's boundary classifier was fitted on them (fitted on the averaged
        starts it scored worse leave-one-out: Pk 0.343 against 0.322), else the sentence starts."""
        return list(self.outline_starts) or self.sentence_starts()

    def with_speakers(self, labels: Sequence[str | None], breaks: Sequence[int] = ()) -> Readable:
        """The segmentation with a paragraph split before each sentence that starts at one of ``breaks``
        (text offsets; other offsets are ignored) and the paragraphs labelled with ``labels`` (one per
        paragraph after the splits). ValueError when the counts differ."""
        cut = set(breaks)
        pieces: list[Paragraph] = []
        for paragraph in self.paragraphs:
            group: list[Sentence] = []
            for sentence in paragraph.sentences:
                if group and sentence.start in cut:
                    pieces.append(Paragraph(group[0].start, group[-1].end, tuple(group)))
                    group = []
                group.append(sentence)
            if len(group) == len(paragraph.sentences):
                pieces.append(paragraph)
            else:
                pieces.append(Paragraph(group[0].start, group[-1].end, tuple(group)))
        if len(pieces) != len(labels):
            raise ValueError(f"{len(labels)} speaker labels for {len(pieces)} paragraphs")
        paragraphs = tuple(  # made directly: ``replace`` costs 4x as much, on every opening of a document
            p if p.speaker == label else Paragraph(p.start, p.end, p.sentences, label)
            for p, label in zip(pieces, labels, strict=True)
        )
        return replace(self, paragraphs=paragraphs)


# --------------------------------------------------------------------------------------------------
# Words and features (shared with the training script)
# --------------------------------------------------------------------------------------------------


def normalize(word: str) -> str:
    """The feature form of a word: lower case, outer punctuation stripped, numbers folded to ``<num>``."""
    w = word[:48].replace("’", "'").lower()
    stripped = _STRIP_RE.sub("", w)
    if stripped:
        w = stripped
    if any(c.isdigit() for c in w):
        return "<num>"
    return w


def shape(word: str) -> str:
    """A coarse capitalisation shape: I, C(apitalised), U(pper), D(igit), l(ower), p(unctuation)."""
    if word == "I" or word.startswith("I'"):
        return "I"
    c = word[0]
    if c.isdigit() or c == "$":
        return "D"
    if c.isupper():
        return "U" if len(word) > 1 and word.isupper() else "C"
    if c.isalpha():
        return "l"
    return "p"


_PAD_BEFORE = ("<s>", "<s>", "<s>")
_PAD_AFTER = ("</s>", "</s>", "</s>")


def start_feature_columns(norm: Sequence[str], shapes: Sequence[str]) -> dict[str, list[str]]:
    """For each template, the feature key at every position i (features for "a sentence starts at word i")."""
    n = len(norm)
    p = list(_PAD_BEFORE) + list(norm) + list(_PAD_AFTER)

    def col(k: int) -> list[str]:
        return p[3 + k : 3 + k + n]

    u = {k: col(k) for k in range(-3, 3)}
    sp = ["^"] + list(shapes)
    cols: dict[str, list[str]] = {f"w{k}": u[k] for k in range(-3, 3)}
    for k in (-3, -2, -1, 0, 1):
        cols[f"b{k}"] = [a + " " + b for a, b in zip(u[k], u[k + 1], strict=False)]
    cols["t-2"] = [a + " " + b for a, b in zip(cols["b-2"], u[0], strict=False)]
    cols["t-1"] = [a + " " + b for a, b in zip(cols["b-1"], u[1], strict=False)]
    cols["t0"] = [a + " " + b for a, b in zip(cols["b0"], u[2], strict=False)]
    cols["s"] = [a + b for a, b in zip(sp, shapes, strict=False)]
    cols["sw"] = [a + " " + b for a, b in zip(shapes, u[0], strict=False)]
    cols["rep"] = ["1" if a == b else "0" for a, b in zip(u[-1], u[0], strict=False)]
    return cols


_COMMA_TEMPLATES = ("w-2", "w-1", "w0", "w1", "b-2", "b-1", "b0", "t-1")


def comma_feature_columns(
    norm: Sequence[str], shapes: Sequence[str], columns: dict[str, list[str]] | None = None
) -> dict[str, list[str]]:
    """Columns for "a comma follows word i - 1": a subset of the start columns."""
    if columns is None:
        columns = start_feature_columns(norm, shapes)
    return {name: columns[name] for name in _COMMA_TEMPLATES}


def question_features(norm: Sequence[str]) -> list[str]:
    """Features of one sentence for "it ends with a question mark"."""
    w = list(norm[:4]) + ["</s>"] * max(0, 4 - len(norm))
    feats = [
        "f1=" + w[0],
        "f2=" + w[0] + " " + w[1],
        "f3=" + w[0] + " " + w[1] + " " + w[2],
        "s2=" + w[1],
        "s23=" + w[1] + " " + w[2],
        "s3=" + w[2],
        "l1=" + norm[-1],
        "l2=" + " ".join(norm[-2:]),
        "len=" + str(min(len(norm), 12) // 3),
    ]
    feats.extend("in=" + x for x in dict.fromkeys(norm[:8]))
    return feats


def turn_feature_columns(norm: Sequence[str], shapes: Sequence[str]) -> dict[str, list[str]]:
    """Columns for "a new speaker starts at word i": the start columns plus bags of the words around i.

    A column named ``name@k`` shares the weight table ``name`` with the other offsets (a bag of words).
    """
    n = len(norm)
    cols = start_feature_columns(norm, shapes)
    p = ["<s>"] * 10 + list(norm) + ["</s>"] * 6
    for k in range(-10, -3):
        cols[f"pb@{k}"] = p[10 + k : 10 + k + n]
    for k in range(3, 6):
        cols[f"nb@{k}"] = p[10 + k : 10 + k + n]
    return cols


def _length_bucket(n: int) -> int:
    return min(n.bit_length(), 8)


def _logit_bin(z: float, low: int, high: int) -> str:
    return str(max(low, min(high, round(z * 2))))


def turn_sentence_features(
    norm: Sequence[str],
    bounds: Sequence[int],
    k: int,
    word_turn: Sequence[float],
    questions: Sequence[float],
    start_score: float,
) -> list[str]:
    """Features of "a new speaker starts with sentence k" (k >= 1): the word-level turn logits here and at
    the neighbouring sentence starts, the sentence-start logit, whether the previous and this sentence are
    questions, the sentences' lengths and their first and last words. ``bounds``: the sentence starts and
    then the end; ``word_turn`` and ``questions``: per sentence; ``start_score``: the linear model's
    sentence-start logit at this start."""
    a, s, e = bounds[k - 1], bounds[k], bounds[k + 1]
    prev, cur = norm[a:s], norm[s:e]
    nxt_len = bounds[k + 2] - e if k + 2 < len(bounds) else 0
    pq, cq = _logit_bin(questions[k - 1], -6, 6), _logit_bin(questions[k], -6, 6)
    pl, cl, nl = _length_bucket(len(prev)), _length_bucket(len(cur)), _length_bucket(nxt_len)
    c2 = cur[1] if len(cur) > 1 else "</s>"
    wt = _logit_bin(word_turn[k], -16, 8)
    wp = _logit_bin(word_turn[k - 1], -8, 4) if k > 1 else "^"
    wn = _logit_bin(word_turn[k + 1], -8, 4) if k + 1 < len(word_turn) else "$"
    st = _logit_bin(start_score, -12, 12)
    return [
        "wt=" + wt,
        f"wp,pl={wp},{pl}",
        f"wn,cl={wn},{cl}",
        "st=" + st,
        f"st,wt={st},{wt}",
        "pq=" + pq,
        "cq=" + cq,
        f"pq,cq={pq},{cq}",
        f"pl={pl}",
        f"cl={cl}",
        f"nl={nl}",
        f"pl,cl={pl},{cl}",
        f"pq,pl={pq},{pl}",
        f"cl,nl={cl},{nl}",
        "f1=" + cur[0],
        "f2=" + cur[0] + " " + c2,
        "l1=" + prev[-1],
        "l2=" + " ".join(prev[-2:]),
        "pf1=" + prev[0],
        f"f1,pl={cur[0]},{pl}",
        f"f1,cl={cur[0]},{cl}",
        f"l1,f1={prev[-1]},{cur[0]}",
    ]


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


# --------------------------------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------------------------------


class Model:
    """The learned weights and decoding parameters (a plain dict loaded from JSON)."""

    def __init__(
        self,
        data: dict[str, Any],
        tagger: Tagger | RecurrentTagger | None = None,
        tagger_path: str | Path | None = None,
    ) -> None:
        self.data = data
        self._tagger = tagger
        self._tagger_path = tagger_path  # read on first use: numpy and the network stay off the start-up path
        self.params: dict[str, float] = dict(data.get("params", {}))
        self.start: dict[str, Any] = data["start"]
        self.question: dict[str, Any] = data.get("question", {"bias": -3.0, "weights": {}})
        self.turn: dict[str, Any] = data.get("turn", {"bias": -9.0, "tables": {}})
        self.comma: dict[str, Any] | None = data.get("comma")
        self.turn_sentence: dict[str, Any] | None = data.get("turn_sentence")
        # decoding parameters for when the network takes part, over those stored with the network (the turn
        # model file's paragraph settings, chosen with the network's logits mixed in)
        self.network_params: dict[str, float] = dict(data.get("network_params", {}))

    def use_turn_model(self, data: dict[str, Any]) -> None:
        """Replace the turn models (and their decoding parameters) with those of a turn model file (``data``
        too, so that ``Model(model.data)`` is the same model). Its ``network_params`` (the paragraph decoding
        chosen with the network's logits mixed in) override those stored with the network."""
        self.data = {
            **self.data,
            "turn": data["turn"],
            "turn_sentence": data.get("turn_sentence"),
            "params": {**self.data.get("params", {}), **data.get("params", {})},
            "network_params": {**self.data.get("network_params", {}), **data.get("network_params", {})},
        }
        self.turn = data["turn"]
        self.turn_sentence = data.get("turn_sentence")
        self.params.update(data.get("params", {}))
        self.network_params.update(data.get("network_params", {}))

    @property
    def tagger(self) -> Tagger | RecurrentTagger | None:
        """The network (``readability_network``), if the model has one; loaded on first use. A network file
        that cannot be read, or missing word vectors (its input), leave the linear models to work alone."""
        if self._tagger is None and self._tagger_path is not None:
            with _network_lock:
                if self._tagger is None and self._tagger_path is not None:
                    self._tagger = _load_network(self._tagger_path)
                    self._tagger_path = None
        return self._tagger

    @classmethod
    def load(cls, path: str | Path, tagger_path: str | Path | None = None) -> Model:
        """Read a model file: gzip-compressed JSON lines, the model without its weight tables first, then one
        table per line. Parsing piece by piece never holds the interpreter for long (one ``json.loads`` of the
        whole model held it ~0.1 s, a visible stall of the GUI thread); a one-line file is the whole model.
        ``tagger_path``: the network file, read on first use of ``tagger``."""
        return cls(read_model_file(path), tagger_path=tagger_path)

    def param(self, name: str, default: float) -> float:
        """A decoding parameter of the model (``default`` when the model file does not set it)."""
        return float(self.params.get(name, default))

    def start_scores(
        self, norm: Sequence[str], shapes: Sequence[str], columns: dict[str, list[str]] | None = None
    ) -> list[float]:
        """Logit of "a sentence starts here" at every word (``columns``: precomputed start columns)."""
        if columns is None:
            columns = start_feature_columns(norm, shapes)
        return _column_scores(self.start, columns, len(norm))

    def turn_scores(self, norm: Sequence[str], shapes: Sequence[str]) -> list[float]:
        """Logit of "a new speaker starts here" at every word."""
        return _column_scores(self.turn, turn_feature_columns(norm, shapes), len(norm))

    def turn_scores_at(
        self, norm: Sequence[str], start_columns: dict[str, list[str]], positions: Sequence[int]
    ) -> list[float]:
        """``turn_scores`` at some positions only (same result; ``start_columns`` from the start model)."""
        tables = self.turn["tables"]
        bias = float(self.turn["bias"])
        parts = [(tables[name].get, keys) for name, keys in start_columns.items() if tables.get(name)]
        before, after = tables.get("pb", {}).get, tables.get("nb", {}).get
        n = len(norm)
        out = []
        for i in positions:
            z = bias + sum(get(keys[i], 0.0) for get, keys in parts)
            z += sum(before(norm[j] if j >= 0 else "<s>", 0.0) for j in range(i - 10, i - 3))
            z += sum(after(norm[j] if j < n else "</s>", 0.0) for j in range(i + 3, i + 6))
            out.append(z)
        return out

    def sentence_turn_logits(
        self,
        norm: Sequence[str],
        start_columns: dict[str, list[str]],
        starts: Sequence[int],
        end: int,
        questions: Sequence[float],
        start_scores: Sequence[float],
    ) -> list[float]:
        """Logit of "a new speaker starts here" at each sentence start (``starts``, the text ending at word
        ``end``; ``questions``: each sentence's question logit; ``start_scores``: the linear model's
        sentence-start logits): the word-level turn model's best logit within one word of the start,
        rescored by the sentence-level model when there is one."""
        near = sorted({j for s in starts for j in (s - 1, s, s + 1) if 0 <= j < end})
        turn_at = dict(zip(near, self.turn_scores_at(norm, start_columns, near), strict=False))
        word_turn = [max(turn_at[j] for j in (s - 1, s, s + 1) if j in turn_at) for s in starts]
        part = self.turn_sentence
        if part is None or len(starts) < 2:
            return word_turn
        weights, bias = part["weights"], float(part["bias"])
        bounds = list(starts) + [end]
        return word_turn[:1] + [
            bias
            + sum(
                weights.get(f, 0.0)
                for f in turn_sentence_features(
                    norm, bounds, k, word_turn, questions, start_scores[starts[k]]
                )
            )
            for k in range(1, len(starts))
        ]

    def turn_insertions(
        self,
        norm: Sequence[str],
        start_columns: dict[str, list[str]],
        start_scores: Sequence[float],
        starts: Sequence[int],
        end: int,
    ) -> list[int]:
        """Word indices (< ``end``) where a speaker turn is so likely that a sentence starts there although
        the sentence decoding put none within two words: the word-level turn logit exceeds the model's
        ``insert_threshold`` at a word whose start logit exceeds ``insert_start_floor`` (none without an
        ``insert_threshold``). Of two such words within two words of each other, the likelier is kept."""
        threshold = self.params.get("insert_threshold")
        if threshold is None:
            return []
        floor = self.param("insert_start_floor", -3.0)
        taken = {j for s in starts for j in range(s - 2, s + 3)}
        candidates = [i for i in range(1, end) if start_scores[i] > floor and i not in taken]
        picks = [
            (i, z)
            for i, z in zip(candidates, self.turn_scores_at(norm, start_columns, candidates), strict=False)
            if z > threshold
        ]
        out: list[tuple[int, float]] = []
        for i, z in picks:
            if out and i - out[-1][0] <= 2:
                if z > out[-1][1]:
                    out[-1] = (i, z)
                continue
            out.append((i, z))
        return [i for i, _ in out]

    def comma_scores(
        self, norm: Sequence[str], shapes: Sequence[str], columns: dict[str, list[str]] | None = None
    ) -> list[float] | None:
        """Logit of "a comma follows the previous word" at every word (None: the model has no comma part)."""
        if self.comma is None:
            return None
        return _column_scores(self.comma, comma_feature_columns(norm, shapes, columns), len(norm))

    def question_logit(self, norm: Sequence[str]) -> float:
        """Logit of "this sentence is a question"."""
        w = self.question["weights"]
        return float(self.question["bias"] + sum(w.get(f, 0.0) for f in question_features(norm)))


def read_model_file(path: str | Path) -> dict[str, Any]:
    """The dict in a model file: gzip-compressed JSON lines, the model without its weight tables first, then
    one table per line (see ``Model.load``)."""
    with gzip.open(path, "rt", encoding="utf-8") as f:
        data: dict[str, Any] = json.loads(f.readline())
        for line in f:
            if line.strip():
                part = json.loads(line)
                data[part["model"]]["tables"][part["table"]] = part["weights"]
    return data


def _column_scores(part: dict[str, Any], columns: dict[str, list[str]], n: int) -> list[float]:
    scores = [float(part["bias"])] * n
    tables = part["tables"]
    for name, keys in columns.items():
        table = tables.get(name.split("@", 1)[0])
        if not table:
            continue
        get = table.get
        scores = [s + get(k, 0.0) for s, k in zip(scores, keys, strict=False)]
    return scores


_model: Model | None = None
_model_lock = threading.Lock()
_network_lock = threading.Lock()


def np_load(f: Any) -> Any:
    """``numpy.load`` of an open ``.npz`` (no pickles)."""
    import numpy as np

    return np.load(f, allow_pickle=False)


def _load_network(path: str | Path) -> Tagger | RecurrentTagger | None:
    """The network in ``path``, or None (with a warning) when it cannot be used."""
    import zipfile

    from desktop_app.readability.network import RecurrentTagger, Tagger, is_recurrent_file, tagger_vectors

    try:
        with open(path, "rb") as f, np_load(f) as data:
            recurrent = is_recurrent_file(data)
        tagger: Tagger | RecurrentTagger = RecurrentTagger.load(path) if recurrent else Tagger.load(path)
    except (OSError, EOFError, ValueError, KeyError, zipfile.BadZipFile) as error:
        logger.warning("readability network %s unreadable (%s): linear models only", path, error)
        return None
    if tagger_vectors() is None:
        logger.warning("word vectors missing: the readability network is not used")
        return None
    return tagger


def default_model() -> Model:
    """The bundled model, loaded on first use."""
    global _model
    with _model_lock:
        if _model is None:
            from desktop_app.paths import resource_path

            path = resource_path(*MODEL_FILE)
            network = Path(resource_path(*TAGGER_FILE))
            _model = Model.load(path, network if network.is_file() else None)
            turns = Path(resource_path(*TURN_FILE))
            if turns.is_file():
                _model.use_turn_model(read_model_file(turns))
            logger.info("loaded readability model %s (network: %s)", path, network.is_file())
        return _model


# --------------------------------------------------------------------------------------------------
# Segmentation
# --------------------------------------------------------------------------------------------------


def segment(
    text: str,
    progress: Callable[[float], None] | None = None,
    network: bool = True,
    turns: Sequence[TurnLike] = (),
) -> Readable:
    """Split ``text`` into paragraphs of sentences (see the module docstring); ``network`` False: the linear
    models alone (a quick first look: no numpy, no network to load). ``turns``: the transcript's speaker
    turns; a paragraph starts at each and carries its speaker (``with_speakers``)."""
    if not text.strip():
        return Readable(paragraphs=())
    punctuated = looks_punctuated(text)
    words = text.count(" ") + text.count("\n")
    trivial = not punctuated and words > TRIVIAL_TEXT_WORDS
    coarse = trivial or not punctuated and words > HUGE_TEXT_WORDS
    model = None if punctuated or trivial else default_model()
    readable = Segmenter(model, network and not coarse, coarse).segment(
        text, progress, punctuated=punctuated, breaks=[t.start for t in turns]
    )
    return with_speakers(readable, turns)


def with_speakers(readable: Readable, turns: Sequence[TurnLike]) -> Readable:
    """``readable`` with each paragraph's speaker: that of the turn holding the paragraph's start (``None``
    outside every turn). Cheap (one pass); the cache keeps no speakers, so a cached segmentation gets them
    from the transcript's turns this way."""
    if not turns and not any(p.speaker for p in readable.paragraphs):
        return readable
    ordered = sorted(turns, key=lambda t: t.start)
    starts = [t.start for t in ordered]
    paragraphs = []
    for p in readable.paragraphs:
        k = bisect_right(starts, p.start) - 1
        speaker = ordered[k].speaker if k >= 0 and p.start < ordered[k].end else None
        paragraphs.append(p if p.speaker == speaker else Paragraph(p.start, p.end, p.sentences, speaker))
    return replace(readable, paragraphs=tuple(paragraphs))


def looks_punctuated(text: str) -> bool:
    """Whether the text carries its own sentence punctuation (judged on a sample of at most ~2 MB)."""
    sample = text if len(text) <= 2_000_000 else text[:1_000_000] + " " + text[-1_000_000:]
    words = len(_WORD_RE.findall(sample))
    ends = sum(1 for m in _END_WORD_RE.finditer(sample) if not _is_abbreviation(m.group()))
    return ends > 0 and words / ends <= 60


def _lines(text: str, breaks: Sequence[int] = ()) -> Iterator[tuple[int, int]]:
    """``[start, end)`` of each line (line breaks: \\n, U+2028, U+2029); also cut at the offsets ``breaks``
    (speaker turns that do not start a line)."""
    cuts = sorted(b for b in breaks if 0 < b < len(text))
    k = 0
    start = 0
    for end, after in [(m.start(), m.end()) for m in _LINE_BREAK_RE.finditer(text)] + [
        (len(text), len(text))
    ]:
        while k < len(cuts) and cuts[k] <= start:
            k += 1
        while k < len(cuts) and cuts[k] < end:
            yield start, cuts[k]
            start = cuts[k]
            k += 1
        yield start, end
        start = after


def _is_abbreviation(word: str) -> bool:
    w = word.rstrip(_CLOSERS).rstrip(".").lower().lstrip("\"'“‘(")
    return w in _ABBREVIATIONS or (len(w) == 1 and w.isalpha() and w != "i")


class Segmenter:
    """Segments texts with one model (``None``: punctuated texts only; ``network`` False: without its network)."""

    def __init__(self, model: Model | None, network: bool = True, coarse: bool = False) -> None:
        self.model = model
        self.network = network
        self.coarse = coarse

    def segment(
        self,
        text: str,
        progress: Callable[[float], None] | None = None,
        punctuated: bool | None = None,
        breaks: Sequence[int] = (),
    ) -> Readable:
        """Segment ``text``; ``punctuated`` overrides the automatic detection; a paragraph starts at each
        offset of ``breaks`` (speaker turns)."""
        if punctuated is None:
            punctuated = looks_punctuated(text)
        model = self.model
        if not punctuated and model is None and not self.coarse:
            raise ValueError("an unpunctuated text needs a model")
        out = _Output()
        total = max(len(text), 1)
        reported = [0.0]
        if progress:
            progress(0.0)

        def run(spans: list[tuple[int, int]], final: bool) -> int:
            words = [text[s:e] for s, e in spans]
            if punctuated:
                used = _segment_punctuated(spans, words, final, out)
            elif model is None:
                used = _segment_trivially(spans, words, final, out)
            else:
                used = _segment_captions(
                    model,
                    spans,
                    words,
                    final,
                    out,
                    self.network,
                    self.coarse,
                )
            if progress and used:
                done = spans[used - 1][1] / total
                if done - reported[0] >= 0.02:
                    reported[0] = done
                    progress(min(done, 1.0))
            return used

        size = _CHUNK_WORDS + _CHUNK_OVERLAP
        for line_start, line_end in _lines(text, breaks):
            words_iter = _WORD_RE.finditer(text, line_start, line_end)
            pending: list[tuple[int, int]] = []
            while True:
                pending.extend(m.span() for m in islice(words_iter, size - len(pending)))
                if len(pending) < size:
                    break
                pending = pending[run(pending, False) :]
            if pending:
                run(pending, True)
        if progress:
            progress(1.0)
        return Readable(
            paragraphs=tuple(out.paragraphs),
            commas=tuple(out.commas),
            capitalize=tuple(out.capitalize),
            already_punctuated=punctuated,
            outline_starts=tuple(out.outline_starts),
        )


class _Output:
    """Accumulates the segmentation of successive runs of words."""

    def __init__(self) -> None:
        self.paragraphs: list[Paragraph] = []
        self.commas: list[int] = []
        self.capitalize: list[int] = []
        self.outline_starts: list[int] = []

    def add(
        self,
        spans: Sequence[tuple[int, int]],
        starts: Sequence[int],
        end: int,
        marks: Sequence[str],
        par_starts: Sequence[int],
    ) -> None:
        """Sentences start at word indices ``starts`` (the run ends at word ``end``); paragraphs likewise."""
        bounds = list(starts) + [end]
        sentences = [
            Sentence(spans[a][0], spans[b - 1][1], mark)
            for a, b, mark in zip(bounds, bounds[1:], marks, strict=False)
        ]
        index = {s: k for k, s in enumerate(starts)}
        pb = [index[p] for p in par_starts] + [len(sentences)]
        for a, b in zip(pb, pb[1:], strict=False):
            group = tuple(sentences[a:b])
            self.paragraphs.append(Paragraph(group[0].start, group[-1].end, group))


def _ends_with_punct(word: str) -> bool:
    w = word.rstrip(_CLOSERS)
    return bool(w) and w[-1] in _END_PUNCT


def _begins_sentence(word: str) -> bool:
    """A word that may begin a sentence after an end mark: its first letter or digit is not lower case."""
    for c in word:
        if c.isalnum():
            return not c.islower()
    return False


def _cut_point(starts: list[int], limit: int) -> int:
    """The last sentence start in ``(0, limit]`` (for a non-final chunk), else ``limit``."""
    best = 0
    for s in starts:
        if 0 < s <= limit:
            best = s
    return best or limit


def _segment_punctuated(spans: list[tuple[int, int]], words: list[str], final: bool, out: _Output) -> int:
    """Split on the text's own punctuation; returns the number of words used."""
    n = len(words)
    starts = [0]
    for i in range(1, n):
        prev = words[i - 1]
        if (
            _ends_with_punct(prev) and not _is_abbreviation(prev) and _begins_sentence(words[i])
        ) or i - starts[-1] >= MAX_PARAGRAPH_WORDS:
            starts.append(i)
    end = n
    if not final:
        end = _cut_point(starts, _CHUNK_WORDS)
        starts = [s for s in starts if s < end]
    par_starts = _split_long_paragraphs(starts, end, [0] + [0.0] * (end - 1), [0.0] * len(starts), [0])
    out.add(spans, starts, end, [""] * len(starts), par_starts)
    return end


def decode_starts(scores: Sequence[float], threshold: float, max_len: int, pair: float = 1.0) -> list[int]:
    """Sentence starts from start logits; overlong sentences are split at their best positions.

    A word starts a sentence when its probability is the largest of its three-word neighbourhood and the
    neighbourhood's summed probability exceeds ``threshold`` (mass split between adjacent words counts).
    Right after a start, the next word starts a sentence too (a one-word sentence such as "Yeah.") when both
    probabilities exceed ``pair`` (1: never) and the next word's is the larger of its own and its successor's;
    the first word of the text is never half of such a pair.
    """
    n = len(scores)
    p = [_sigmoid(s) for s in scores]
    starts = [0]
    for i in range(1, n):
        here = p[i]
        before = p[i - 1] if i > 1 else 0.0
        after = p[i + 1] if i + 1 < n else 0.0
        if i - starts[-1] > 1:
            if here >= before and here > after and here + before + after > threshold:
                starts.append(i)
        elif here > pair and before > pair and here > after:
            starts.append(i)
    if max_len <= 1:
        return starts
    result: list[int] = []
    bounds = starts + [n]
    for a, b in zip(bounds, bounds[1:], strict=False):
        result.extend(_split_span(scores, a, b, max_len))
    return result


def _split_span(scores: Sequence[float], a: int, b: int, max_len: int) -> list[int]:
    """Starts within ``[a, b)`` (``a`` first) so that no piece exceeds ``max_len`` words."""
    out = [a]
    stack = [(a, b)]
    extra: list[int] = []
    while stack:
        lo, hi = stack.pop()
        if hi - lo <= max_len:
            continue
        margin = min(3, (hi - lo) // 4)
        best = max(range(lo + 1 + margin, hi - margin), key=lambda i: scores[i])
        extra.append(best)
        stack.append((lo, best))
        stack.append((best, hi))
    out.extend(sorted(extra))
    return out


def _split_long_paragraphs(
    starts: Sequence[int],
    end: int,
    word_scores: Sequence[float],
    sent_scores: Sequence[float],
    par_starts: Sequence[int],
    max_words: int = 0,
) -> list[int]:
    """Add paragraph breaks (at sentence starts) until no paragraph exceeds ``max_words`` words.

    A paragraph is cut at the sentence boundary with the best ``sent_scores`` (turn logits) plus
    ``word_scores`` (sentence-start logits) among those that leave both parts at least a quarter of it.
    """
    max_words = max_words or MAX_PARAGRAPH_WORDS * 3 // 5
    index = {s: k for k, s in enumerate(starts)}
    bounds = list(par_starts) + [end]
    result: list[int] = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        result.append(a)
        stack = [(a, b)]
        extra: list[int] = []
        while stack:
            lo, hi = stack.pop()
            if hi - lo <= max_words:
                continue
            ka, kb = index[lo], index.get(hi, len(starts))
            quarter = (hi - lo) // 4
            best, best_score = -1, -math.inf
            fallback, fallback_score = -1, -math.inf
            for k in range(ka + 1, kb):
                s = starts[k]
                score = sent_scores[k] + word_scores[s]
                if lo + quarter <= s <= hi - quarter:
                    if score > best_score:
                        best, best_score = s, score
                elif score - abs(s - (lo + hi) / 2) / 10 > fallback_score:
                    fallback, fallback_score = s, score - abs(s - (lo + hi) / 2) / 10
            cut = best if best >= 0 else fallback
            if cut < 0:
                continue  # a single long sentence: cannot be split here
            extra.append(cut)
            stack.append((lo, cut))
            stack.append((cut, hi))
        result.extend(sorted(extra))
    return result


def _segment_captions(
    model: Model,
    spans: list[tuple[int, int]],
    words: list[str],
    final: bool,
    out: _Output,
    network: bool = True,
    coarse: bool = False,
) -> int:
    """Segment one run of unpunctuated words with the model; returns the number of words used."""
    types = {w: (normalize(w), shape(w)) for w in dict.fromkeys(words)}
    norm = [types[w][0] for w in words]
    shapes = [types[w][1] for w in words]
    if coarse:
        return _segment_coarsely(model, spans, words, norm, shapes, final, out)
    columns = start_feature_columns(norm, shapes)
    scores = model.start_scores(norm, shapes, columns)
    linear_scores = scores
    tagger = model.tagger if network and model.param("tagger_start", 0.0) else None
    param = _decoding_params(model, tagger)
    starts = decode_starts(
        scores, model.param("start_threshold", 0.25), int(model.param("linear_max_sentence", 60))
    )
    linear_starts = None  # the linear model's own starts, kept for the outline when the network takes part
    net = None
    if tagger is not None:
        from desktop_app.readability.network import mix_logits

        linear_starts = starts
        net = tagger.logits(words, norm, shapes, scores)
        scores = mix_logits(scores, net[:, 0], param("tagger_start", 0.0))
        starts = decode_starts(
            scores,
            param("start_threshold", 0.25),
            int(param("max_sentence", 60)),
            param("pair_threshold", 1.0),
        )
    inserted = model.turn_insertions(norm, columns, linear_scores, starts, len(words))
    if inserted:
        starts = sorted(set(starts).union(inserted))
    end = len(words)
    if not final:
        end = _cut_point(starts, _CHUNK_WORDS)
        starts = [s for s in starts if s < end]
    if linear_starts is not None:
        out.outline_starts.extend(spans[s][0] for s in linear_starts if s < end)
    bounds = starts + [end]
    questions = [model.question_logit(norm[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)]
    turn = model.sentence_turn_logits(norm, columns, starts, end, questions, linear_scores)
    if net is not None:
        questions, turn = _with_network(net, bounds, questions, turn, scores, param)
    q_thr = param("question_threshold", 0.0)
    marks = [
        "" if _ends_with_punct(words[b - 1]) else ("?" if q > q_thr else ".")
        for b, q in zip(bounds[1:], questions, strict=False)
    ]
    t_thr = _turn_threshold(turn, end, param("turn_threshold", 0.0), param("words_per_turn", 0.0))
    par_starts = _turn_breaks(
        starts,
        end,
        turn,
        t_thr,
        int(param("min_paragraph", 0)),
        t_thr + param("short_turn_margin", 0.0),
        param("one_sentence_penalty", 0.0),
    )
    par_starts = _split_long_paragraphs(
        starts, end, scores, turn, par_starts, int(param("max_paragraph", 150))
    )
    out.add(spans, starts, end, marks, par_starts)
    commas = model.comma_scores(norm, shapes, columns)
    if commas is not None:
        out.commas.extend(
            spans[i - 1][1]
            for i in _comma_positions(commas, starts, words, end, model.param("comma_threshold", 0.0))
        )
    for s in starts:
        off = _capital_offset(words[s])
        if off is not None:
            out.capitalize.append(spans[s][0] + off)
    return end


def _decoding_params(model: Model, tagger: Any) -> Callable[[str, float], float]:
    """``param(name, default)``: the model's decoding parameters, overridden by those stored with the
    network when it takes part (the recurrent tagger carries the settings chosen for it), and those by the
    model's ``network_params`` (the turn model file's paragraph decoding, chosen with the network)."""
    extra: dict[str, float] = (
        {**getattr(tagger, "params", {}), **model.network_params} if tagger is not None else {}
    )

    def param(name: str, default: float) -> float:
        return float(extra[name]) if name in extra else model.param(name, default)

    return param


def _with_network(
    net: Any,
    bounds: Sequence[int],
    questions: Sequence[float],
    turn: Sequence[float],
    scores: Sequence[float],
    param: Any,
) -> tuple[list[float], list[float]]:
    """Question and turn logits of each sentence mixed with the network's (weights ``tagger_question`` and
    ``tagger_turn``; 0 leaves the linear models' logits): the question logit at the sentence's last word, the
    turn logit the best within one word of its start, plus ``turn_start_weight`` times the start's sentence
    logit (``scores``: a break on a doubtful sentence start is a doubtful break)."""
    wq, wt, ws = param("tagger_question", 0.0), param("tagger_turn", 0.0), param("turn_start_weight", 0.0)
    n = len(net)
    q_net = [float(net[b - 1, 1]) for b in bounds[1:]]
    t_net = [float(max(net[j, 3] for j in (s - 1, s, s + 1) if 0 <= j < n)) for s in bounds[:-1]]
    mixed_q = [(1.0 - wq) * a + wq * b for a, b in zip(questions, q_net, strict=True)]
    mixed_t = [
        (1.0 - wt) * a + wt * b + ws * scores[s] for a, b, s in zip(turn, t_net, bounds[:-1], strict=True)
    ]
    return mixed_q, mixed_t


def _segment_coarsely(
    model: Model,
    spans: list[tuple[int, int]],
    words: list[str],
    norm: list[str],
    shapes: list[str],
    final: bool,
    out: _Output,
) -> int:
    """The cheap segmentation of huge texts (``HUGE_TEXT_WORDS``): a few of the sentence model's feature
    templates, end marks from the question model, paragraphs cut at the best sentence starts."""
    n = len(words)
    p = list(_PAD_BEFORE) + norm + list(_PAD_AFTER)
    prev, here, nxt = p[2 : 2 + n], p[3 : 3 + n], p[4 : 4 + n]
    columns = {
        "w-1": prev,
        "w0": here,
        "w1": nxt,
        "b-1": [a + " " + b for a, b in zip(prev, here, strict=True)],
        "s": [a + b for a, b in zip(["^"] + shapes, shapes, strict=False)],
    }
    scores = _column_scores(model.start, {k: columns[k] for k in _COARSE_TEMPLATES}, n)
    starts = decode_starts(
        scores, model.param("start_threshold", 0.25), int(model.param("linear_max_sentence", 60))
    )
    end = n
    if not final:
        end = _cut_point(starts, _CHUNK_WORDS)
        starts = [s for s in starts if s < end]
    bounds = starts + [end]
    q_thr = model.param("question_threshold", 0.0)
    marks = [
        "" if _ends_with_punct(words[b - 1]) else ("?" if model.question_logit(norm[a:b]) > q_thr else ".")
        for a, b in zip(bounds, bounds[1:], strict=False)
    ]
    par_starts = _split_long_paragraphs(
        starts, end, scores, [0.0] * len(starts), [0], int(model.param("max_paragraph", 150))
    )
    out.add(spans, starts, end, marks, par_starts)
    for s in starts:
        off = _capital_offset(words[s])
        if off is not None:
            out.capitalize.append(spans[s][0] + off)
    return end


def _segment_trivially(spans: list[tuple[int, int]], words: list[str], final: bool, out: _Output) -> int:
    """No model (``TRIVIAL_TEXT_WORDS``): a sentence every 20 words, a paragraph every 7 sentences."""
    end = len(words) if final else min(len(words), _CHUNK_WORDS)
    starts = list(range(0, end, _TRIVIAL_SENTENCE))
    marks = ["" if _ends_with_punct(words[min(s + _TRIVIAL_SENTENCE, end) - 1]) else "." for s in starts]
    out.add(spans, starts, end, marks, starts[::_TRIVIAL_PARAGRAPH])
    for s in starts:
        off = _capital_offset(words[s])
        if off is not None:
            out.capitalize.append(spans[s][0] + off)
    return end


def _turn_threshold(turn: Sequence[float], n_words: int, floor: float, words_per_turn: float) -> float:
    """The turn logit above which a sentence start becomes a paragraph break: ``floor``, raised so that
    there is at most about one break per ``words_per_turn`` words (0: no limit)."""
    if words_per_turn <= 0:
        return floor
    budget = int(n_words / words_per_turn)
    if budget >= len(turn) - 1:
        return floor
    ranked = sorted(turn[1:], reverse=True)
    return max(floor, ranked[budget] if budget >= 0 else ranked[0])


def _turn_breaks(
    starts: Sequence[int],
    end: int,
    turn: Sequence[float],
    threshold: float,
    min_words: int,
    strong: float,
    one_sentence_penalty: float = 0.0,
) -> list[int]:
    """Paragraph starts at sentence starts whose turn logit exceeds ``threshold`` (with a
    ``one_sentence_penalty``, the set of breaks ``_penalised_breaks`` chooses); a paragraph shorter than
    ``min_words`` is kept only when the turns around it are ``strong``, else joined to its neighbour."""
    if one_sentence_penalty > 0.0:
        breaks = _penalised_breaks(turn, threshold, one_sentence_penalty)
        breaks = [starts[k] for k in breaks]
    else:
        breaks = [0] + [s for s, t in zip(starts[1:], turn[1:], strict=False) if t > threshold]
    if min_words <= 1 or len(breaks) < 2:
        return breaks
    logit = dict(zip(starts, turn, strict=False))
    kept = [0]
    for k in range(1, len(breaks)):
        s = breaks[k]
        nxt = breaks[k + 1] if k + 1 < len(breaks) else end
        if (s - kept[-1] < min_words and logit[s] <= strong and kept[-1] != 0) or (
            nxt - s < min_words and logit[s] <= strong and nxt != end and logit[nxt] <= strong
        ):
            continue
        kept.append(s)
    return kept


def _penalised_breaks(turn: Sequence[float], threshold: float, penalty: float) -> list[int]:
    """The sentences (indices; the first always) that start paragraphs when a break at sentence k gains
    ``turn[k] - threshold`` and every paragraph of one sentence costs ``penalty``: the best set by dynamic
    programming, linear in the number of sentences. A lone sentence between two breaks then needs the turn
    evidence on both sides to outweigh the penalty: a short reply between two clear turns stays a paragraph
    of its own, a discourse marker ("so", "I think") after one sentence of a speaker's run does not."""
    n = len(turn)
    if n < 2:
        return [0]
    # best[k]: the best total of the sentences before k with a paragraph starting at k (k == n: the end);
    # reach[k]: the best of best[0..k] and where (a paragraph of two or more sentences costs nothing)
    best = [0.0] * (n + 1)
    back = [0] * (n + 1)
    reach = [(0.0, 0)] * (n + 1)
    for k in range(1, n + 1):
        gain = turn[k] - threshold if k < n else 0.0
        one = best[k - 1] - penalty
        if k >= 2 and reach[k - 2][0] >= one:
            best[k], back[k] = reach[k - 2][0] + gain, reach[k - 2][1]
        else:
            best[k], back[k] = one + gain, k - 1
        reach[k] = reach[k - 1] if reach[k - 1][0] >= best[k] else (best[k], k)
    out: list[int] = []
    k = back[n]
    while k > 0:
        out.append(k)
        k = back[k]
    return [0, *reversed(out)]


def _comma_positions(
    scores: Sequence[float], starts: Sequence[int], words: Sequence[str], end: int, threshold: float
) -> list[int]:
    """Words i (< ``end``) after whose predecessor a comma goes: local maxima above ``threshold``, not at a
    sentence start, not after a word that already ends with punctuation, not next to another comma."""
    is_start = set(starts)
    out: list[int] = []
    for i in range(2, end):
        z = scores[i]
        if (
            z > threshold
            and z >= scores[i - 1]
            and (i + 1 >= len(scores) or z > scores[i + 1])
            and i not in is_start
            and i - 1 not in is_start
            and (not out or out[-1] < i - 1)
            and words[i - 1][-1].isalnum()
        ):
            out.append(i)
    return out


def _capital_offset(word: str) -> int | None:
    """Offset in ``word`` of a lower-case first letter to show in upper case (None: leave as is)."""
    for k, c in enumerate(word):
        if c.isalpha():
            if c.islower() and not any(x.isupper() for x in word[k + 1 :]):
                return k
            return None
        if c.isdigit():
            return None
    return None


# --------------------------------------------------------------------------------------------------
# JSON and cache forms
# --------------------------------------------------------------------------------------------------


def to_json(readable: Readable) -> dict[str, Any]:
    """The ``paragraphs --json`` form (design.md §7), with each sentence's end mark as an extra key."""
    return {
        "paragraphs": [
            {
                "start": p.start,
                "end": p.end,
                "sentences": [{"start": s.start, "end": s.end, "mark": s.mark} for s in p.sentences],
            }
            for p in readable.paragraphs
        ],
        "already_punctuated": readable.already_punctuated,
    }


def readable_to_cache(readable: Readable) -> dict[str, Any]:
    """A compact JSON-able form for the cache (see ``readable_from_cache``)."""
    return {
        "version": ALGORITHM_VERSION,
        "paragraphs": [[[s.start, s.end, s.mark] for s in p.sentences] for p in readable.paragraphs],
        "commas": list(readable.commas),
        "capitalize": list(readable.capitalize),
        "already_punctuated": readable.already_punctuated,
        "outline_starts": list(readable.outline_starts),
    }


def readable_from_cache(data: dict[str, Any], turns: Sequence[TurnLike] = ()) -> Readable:
    """The ``Readable`` saved by ``readable_to_cache``; ValueError when the data is malformed or stale.
    ``turns``: the transcript's speaker turns, which give the paragraphs their speakers (not cached: the
    cache is keyed by the text alone)."""
    try:
        if data["version"] != ALGORITHM_VERSION:
            raise ValueError(
                f"cached segmentation has version {data['version']!r}, not {ALGORITHM_VERSION!r}"
            )
        paragraphs = []
        for group in data["paragraphs"]:
            sentences = tuple(Sentence(int(s), int(e), str(m)) for s, e, m in group)
            if not sentences:
                raise ValueError("empty paragraph in cached segmentation")
            paragraphs.append(Paragraph(sentences[0].start, sentences[-1].end, sentences))
        return with_speakers(
            Readable(
                paragraphs=tuple(paragraphs),
                commas=tuple(int(x) for x in data.get("commas", ())),
                capitalize=tuple(int(x) for x in data.get("capitalize", ())),
                already_punctuated=bool(data.get("already_punctuated", False)),
                outline_starts=tuple(int(x) for x in data.get("outline_starts", ())),
            ),
            turns,
        )
    except (KeyError, TypeError) as error:
        raise ValueError(f"malformed cached segmentation: {error}") from error
