"""One open document and the background work that prepares it.

Opening runs in stages, each on a worker thread (``tasks.py``), each result cached by text hash:
load + readable segmentation + display text (``opened``), then the outline (``outline_ready``), then the
search index (``index_ready``). A newer open supersedes an older one: late results are dropped.
A long transcript seen for the first time also gives a ``preview_ready``: its first paragraphs, segmented
on their own in a few milliseconds, to read while the whole text is segmented.
"""

from __future__ import annotations

import itertools
import logging
import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from desktop_app import cache
from desktop_app.display_text import DisplayText, build_display
from desktop_app.library.derived import with_inferred_speakers
from desktop_app.timeline import Timeline
from desktop_app.transcript import Transcript, load_transcript

if TYPE_CHECKING:  # segmentation (and its model) loads on the worker thread that first needs it
    from collections.abc import Callable
    from pathlib import Path

    from desktop_app.paths import AppDirs
    from desktop_app.readability.segmentation import Readable
    from desktop_app.tasks import TaskRunner

logger = logging.getLogger(__name__)

PREVIEW_WORDS = 1_500
"""A first screenful and more; texts up to twice this long are segmented whole without a preview."""
_WORD_RE = re.compile(r"\S+")
BACKGROUND_DELAY_MS = 300
READER_MAX_BYTES = 6 * 1024 * 1024
"""The reader lays out the whole text: 6 MB is ~1 million words (40 three-hour episodes) and stays fluid.
The headless commands take up to ``transcript.MAX_FILE_BYTES``."""


class OutlineSuperseded(Exception):
    """Raised inside an outline stage whose result is no longer wanted (a newer request), to stop it."""


@dataclass
class Document:
    """A transcript prepared for reading; owned by the GUI thread once delivered."""

    transcript: Transcript
    readable: Readable
    display: DisplayText
    timeline: Timeline
    timings: dict[str, float] = field(default_factory=dict)
    automatic: Readable | None = None  # ``readable`` before the user's speaker corrections (None: none made)

    @property
    def automatic_readable(self) -> Readable:
        """The segmentation and speakers as found (the file's or inferred), before the user's corrections:
        what the outline and the search index are built on, whatever the user corrects."""
        return self.automatic if self.automatic is not None else self.readable

    @property
    def title(self) -> str:
        """The transcript's title."""
        return self.transcript.title

    @property
    def sha256(self) -> str:
        """Hash of the document text: the key of its annotations and caches."""
        return self.transcript.sha256

    @property
    def text(self) -> str:
        """The document text every offset refers to."""
        return self.transcript.text

    def paragraph_spans(self) -> list[tuple[int, int]]:
        """``[start, end)`` of every paragraph, in document offsets."""
        return [(p.start, p.end) for p in self.readable.paragraphs]

    def sentence_starts(self) -> list[int]:
        """Document offsets where displayed sentences start."""
        return self.readable.sentence_starts()

    @property
    def speakers(self) -> tuple[str, ...]:
        """Who speaks: the names the file gives, else those inferred for its paragraphs (host first)."""
        return self.readable.speakers

    def speaker_at(self, offset: int) -> str | None:
        """The speaker of the paragraph holding ``offset`` (None where unknown)."""
        return self.readable.speaker_at(offset)

    def paragraph_start(self, offset: int) -> int:
        """Start of the paragraph holding ``offset`` (or of the next one, between paragraphs)."""
        for paragraph in self.readable.paragraphs:
            if paragraph.end > offset:
                return paragraph.start
        return offset


@dataclass(frozen=True)
class Preview:
    """The first paragraphs of a transcript still being prepared: display text only, nothing to annotate."""

    title: str
    display: DisplayText


def prepare_document(
    path: str,
    cache_dir: Path,
    progress: Callable[[float], None],
    title: str | None = None,
    preview: Callable[[Preview], None] | None = None,
    hide_fillers: bool = False,
) -> Document:
    """Load and segment a transcript (pure work, run on a worker thread).

    ``preview`` (optional) receives the first paragraphs first when the whole text must be segmented.
    """
    timings: dict[str, float] = {}
    started = time.perf_counter()
    transcript = load_transcript(path, title=title, max_bytes=READER_MAX_BYTES)
    timings["load"] = time.perf_counter() - started
    progress(0.1)
    readable = _readable(transcript, cache_dir, progress, preview)
    readable = with_inferred_speakers(transcript, readable, cache_dir)
    timings["segment"] = time.perf_counter() - started - timings["load"]
    display = display_of(transcript.text, readable, hide_fillers)
    timeline = Timeline.of_transcript(transcript)
    timings["prepare"] = time.perf_counter() - started
    progress(1.0)
    return Document(transcript, readable, display, timeline, timings)


def display_of(text: str, readable: Readable, hide_fillers: bool) -> DisplayText:
    """The reader's text: paragraphs with their speakers' labels, with or without fillers (clean verbatim)."""
    return build_display(text, readable, [p.speaker for p in readable.paragraphs], hide_fillers=hide_fillers)


def _readable(
    transcript: Transcript,
    cache_dir: Path,
    progress: Callable[[float], None],
    preview: Callable[[Preview], None] | None = None,
) -> Readable:
    from desktop_app.readability import segmentation as readability

    version = readability.ALGORITHM_VERSION
    cached = cache.load(cache_dir, "readable", transcript.sha256, version, transcript.text)
    if cached is not None:
        try:
            return readability.readable_from_cache(cached, transcript.turns)
        except (KeyError, TypeError, ValueError) as error:
            logger.info("readable cache corrupt (%s); recomputing", error)
    if preview is not None:
        _send_preview(transcript, preview)
    readable = readability.segment(transcript.text, lambda f: progress(0.1 + 0.8 * f), turns=transcript.turns)
    cache.store(
        cache_dir,
        "readable",
        transcript.sha256,
        version,
        readability.readable_to_cache(readable),
        transcript.text,
    )
    return readable


def _send_preview(transcript: Transcript, preview: Callable[[Preview], None]) -> None:
    from desktop_app.readability import segmentation as readability

    words = list(itertools.islice(_WORD_RE.finditer(transcript.text), 2 * PREVIEW_WORDS))
    if len(words) < 2 * PREVIEW_WORDS:  # short: the whole text is segmented about as fast
        return
    head = transcript.text[: words[PREVIEW_WORDS - 1].end()]
    # the linear models alone: numpy and the network would double the time to this first screen
    turns = [turn for turn in transcript.turns if turn.start < len(head)]
    readable = readability.segment(head, network=False, turns=turns)
    preview(
        Preview(transcript.title, build_display(head, readable, [p.speaker for p in readable.paragraphs]))
    )


@dataclass(frozen=True)
class OutlineRequest:
    """One request for a document's outline (its number among the service's requests, the document generation,
    the granularity): the stages it runs on workers."""

    number: int
    generation: int
    granularity: float
    document: Document
    cache_dir: Path

    def run(self, refine: bool | None, report: Callable[[float], None]) -> tuple[list[Any], bool]:
        """One stage, on a worker: the outline and whether it is the refined one (``derived.outline_stage``)."""
        from desktop_app.library import derived

        document = self.document
        text, sha, readable = document.transcript.text, document.sha256, document.automatic_readable
        names = document.speakers  # said aloud, but never a chapter's topic
        args = (text, sha, readable, self.granularity, names, refine, self.cache_dir, report)
        return derived.outline_stage(*args)


class DocumentService(QObject):
    """Opens documents in the background and announces each stage.

    Signals:
        loading_started(str): a path is being opened.
        preview_ready(object): a :class:`Preview` of the document being opened (long texts seen first).
        opened(object): a :class:`Document` is ready to display.
        open_failed(str, str): path and a message for the user.
        open_cancelled(str): the user stopped waiting for this path (the document on screen stays).
        progress(str, float): what is being done and how far (0..1).
        outline_ready(object): the sections (``list[outline.Section]``) of the current document.
        index_ready(object): the current document's search index.
        stage_failed(str, str): a background stage (``"outline"``, ``"index"``) failed with a message.
    """

    loading_started = Signal(str)
    preview_ready = Signal(object)
    opened = Signal(object)
    open_failed = Signal(str, str)
    open_cancelled = Signal(str)
    progress = Signal(str, float)
    outline_ready = Signal(object)
    index_ready = Signal(object)
    stage_failed = Signal(str, str)

    def __init__(self, dirs: AppDirs, tasks: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._dirs = dirs
        self._tasks = tasks
        self._generation = 0  # the document on screen: its background stages carry this number
        self._open_request = 0  # the newest open (or cancel): only its results are delivered
        self.document: Document | None = None
        self.sections: list[Any] = []
        self.index: Any = None
        self.granularity = 1.0
        self._background_pending = -1
        self.opening: str | None = None  # the path being opened, until it is ready or has failed
        self.hide_fillers = False  # clean verbatim for the documents opened from now on
        # after the first outline, the refined one (seconds of one core per episode; the user's choice)
        self.refine_outline = False
        self.outline_settled = False  # whether the outline last sent is the last one for this document
        self.outline_replaced = False  # whether it is the refined one replacing the first of its request
        self._outline_request = 0  # the outline stages of older requests stop at their next report
        self._progress_label = ""  # what the last stage report showed (cleared when its outline settles)

    @property
    def dirs(self) -> AppDirs:
        """The run's data, cache and config folders."""
        return self._dirs

    @property
    def tasks(self) -> TaskRunner:
        """The runner that this service's background jobs go to."""
        return self._tasks

    def open(self, path: str, title: str | None = None) -> None:
        """Start opening ``path``; the result arrives as ``opened`` or ``open_failed``. The document on screen
        (and its outline and index, still being made) stays until the new one is ready."""
        self._open_request += 1
        request = self._open_request
        self.opening = path
        self.loading_started.emit(path)
        self.progress.emit("Preparing transcript…", 0.0)
        cache_dir, hide_fillers = self._dirs.cache, self.hide_fillers
        self._tasks.submit(
            "open",
            lambda report: prepare_document(path, cache_dir, report, title, report.partial, hide_fillers),
            on_done=lambda doc: self._on_prepared(request, doc),
            on_partial=lambda preview: self._on_preview(request, preview),
            on_error=lambda message, _error: self._on_open_failed(request, path, message),
            on_progress=lambda f: self._report_open(request, f),
            owner=self,
        )

    def cancel_open(self) -> None:
        """Stop waiting for the transcript being opened: its result, when it comes, is dropped."""
        path = self.opening
        if path is None:
            return
        self._open_request += 1
        self.opening = None
        self.progress.emit("", 1.0)
        self.open_cancelled.emit(path)

    def _report_open(self, request: int, fraction: float) -> None:
        if request == self._open_request:
            self.progress.emit("Preparing transcript…", fraction)

    def _report(self, generation: int, label: str, fraction: float) -> None:
        if generation == self._generation:
            self._progress_label = "" if fraction >= 1.0 else label
            self.progress.emit(label, fraction)

    def _on_preview(self, request: int, preview: Preview) -> None:
        if request == self._open_request:
            self.preview_ready.emit(preview)

    def _on_open_failed(self, request: int, path: str, message: str) -> None:
        if request == self._open_request:
            self.opening = None
            self.progress.emit("", 1.0)
            self.open_failed.emit(path, message)

    def _on_prepared(self, request: int, document: Document) -> None:
        if request != self._open_request:
            return
        self._generation += 1
        generation = self._generation
        self._close_index()
        self.opening = None
        self.document = document
        self.sections, self.outline_settled = [], False
        self._background_pending = generation
        self.opened.emit(document)
        # Outline and index start once the text is on screen (start_background, called by the window after
        # its first paint), so that their imports and work do not compete with that paint; at the latest
        # after BACKGROUND_DELAY_MS (no window, or a hidden one).
        QTimer.singleShot(BACKGROUND_DELAY_MS, self.start_background)

    @Slot()
    def start_background(self) -> None:
        """Start the outline and the search index of the current document (once)."""
        if self.document is None or self._background_pending != self._generation:
            return
        self._background_pending = -1
        self._start_outline(self._generation, self.document)
        self._start_index(self._generation, self.document)
        timeline = self.document.timeline  # its word list, left out of the opening (faster first paint)
        self._tasks.submit("words", lambda _report: timeline.list_words(), owner=self)

    # -- outline ------------------------------------------------------------------------------
    def rebuild_outline(self, granularity: float) -> None:
        """Recompute the automatic outline at another granularity (fewer / more chapters)."""
        self.granularity = granularity
        if self.document is not None:
            self._start_outline(self._generation, self.document)

    def _start_outline(self, generation: int, document: Document) -> None:
        """The outline in two stages: the first (a fraction of a second) at once, then the refined one
        (seconds: the contextual encoder) replacing it; either comes from the cache when it is there. A newer
        request (another granularity, another document, closing) stops a running stage at its next report."""
        self._outline_request += 1
        self.outline_settled = False
        request = OutlineRequest(
            self._outline_request, generation, self.granularity, document, self._dirs.cache
        )
        self._submit_outline(request, refine=None if self.refine_outline else False)

    def _outline_current(self, request: OutlineRequest) -> bool:
        return request.number == self._outline_request and request.generation == self._generation

    def _submit_outline(self, request: OutlineRequest, refine: bool | None) -> None:
        label = "Refining chapters…" if refine else "Finding chapters…"
        second = bool(refine)

        def job(report: Callable[[float], None]) -> tuple[list[Any], bool]:
            def checked(fraction: float) -> None:
                if not self._outline_current(request):
                    raise OutlineSuperseded
                report(fraction)

            return request.run(refine, checked)

        self._tasks.submit(
            "outline",
            job,
            on_done=lambda result: self._on_outline_stage(request, result[0], result[1], second),
            on_error=lambda message, error: self._on_outline_failed(request, message, error, second),
            on_progress=lambda f: (
                self._report(request.generation, label, f) if self._outline_current(request) else None
            ),
            owner=self,
        )

    def _settle_outline(self) -> None:
        self.outline_settled = True
        if self._progress_label in ("Refining chapters…", "Finding chapters…"):  # a stopped stage's label
            self._progress_label = ""
            self.progress.emit("", 1.0)

    def _on_outline_stage(
        self, request: OutlineRequest, sections: list[Any], refined: bool, second: bool
    ) -> None:
        if not self._outline_current(request):
            return
        self.sections = sections
        self.outline_replaced = second and refined
        if refined or second or not self.refine_outline:
            self._settle_outline()
        self.outline_ready.emit(sections)
        if not self.outline_settled:
            self._submit_outline(request, refine=True)

    def _on_outline_failed(
        self, request: OutlineRequest, message: str, error: BaseException, second: bool
    ) -> None:
        if isinstance(error, OutlineSuperseded) or not self._outline_current(request):
            return
        self._settle_outline()
        if not second:
            self._on_stage_failed(request.generation, "outline", message)
            return
        logger.warning("refining the outline failed (the first one stays): %s", message)
        self.outline_replaced = False
        self.outline_ready.emit(self.sections)  # settled: the first outline is the outline

    # -- search index -------------------------------------------------------------------------
    def _start_index(self, generation: int, document: Document) -> None:
        root = self._dirs.cache / "search"
        text, sha, readable = document.transcript.text, document.sha256, document.automatic_readable
        paragraphs = [(p.start, p.end) for p in readable.paragraphs]
        speakers = [p.speaker for p in readable.paragraphs]  # the session gives the corrected ones

        def job(report: Callable[[float], None]) -> Any:
            from desktop_app.search.index import SearchIndex

            return SearchIndex.open_or_build(root, sha, text, paragraphs, report, speakers)

        self._tasks.submit(
            "index",
            job,
            on_done=lambda index: self._on_index(generation, index),
            on_error=lambda message, _e: self._on_stage_failed(generation, "index", message),
            on_progress=lambda f: self._report(generation, "Indexing for search…", f),
            serial=True,
            owner=self,
        )

    def _on_index(self, generation: int, index: Any) -> None:
        if generation != self._generation:
            index.close()
            return
        self.index = index
        self.index_ready.emit(index)

    def _on_stage_failed(self, generation: int, stage: str, message: str) -> None:
        if generation == self._generation:
            logger.error("%s failed: %s", stage, message)
            self.stage_failed.emit(stage, message)

    def _close_index(self) -> None:
        if self.index is not None:
            self.index.close()
            self.index = None

    def close(self) -> None:
        """Ignore the results of jobs still running and close the search index."""
        self._generation += 1
        self._open_request += 1
        self._outline_request += 1
        self._close_index()
