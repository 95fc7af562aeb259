"""The reading session: the one owner of what the user is reading, below the views.

:class:`ReadingSession` holds the open document, its timeline, the automatic / user / effective chapters,
the search result and its current hit, and the selected highlight. It joins the services (annotations are
attached once the text is shown, notes are handed to search, the index is handed over) and turns the user's
intents (methods) into facts (signals) that the views show. Views never decide; they ask and listen.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from desktop_app.annotations.service import AnnotationError
from desktop_app.display_text import DisplayText, DocOffset
from desktop_app.document import BACKGROUND_DELAY_MS, Document, DocumentService, Preview, display_of
from desktop_app.formats import FORMAT_NAMES
from desktop_app.library.derived import forget_refined_outlines
from desktop_app.outline import edits as outline_edits
from desktop_app.paths import outline_encoder_present
from desktop_app.timeline import ChapterRow, Timeline, chapter_at, chapter_rows, group_label

if TYPE_CHECKING:
    from collections.abc import Callable

    from desktop_app.annotations.model import Annotation
    from desktop_app.annotations.service import AnnotationService
    from desktop_app.library.all_annotations import LiveAnnotations
    from desktop_app.library.service import LibraryService
    from desktop_app.library_annotations import LibraryAnnotationsService
    from desktop_app.outline.section import Section
    from desktop_app.quotes import QuotePlace
    from desktop_app.search.index import Hit, SearchResult
    from desktop_app.search.service import SearchService
    from desktop_app.settings import Settings
    from desktop_app.speakers.edits import ReadEdits, SpeakerEdits

logger = logging.getLogger(__name__)
_T = TypeVar("_T")

POSITION_SAVE_DELAY_MS = 1500


class ReadingSession(QObject):
    """What the user is reading, and everything they do to it.

    Signals (facts):
        loading(str): a path is being opened.
        preview_ready(object): a :class:`~desktop_app.document.Preview` of a long transcript being opened.
        document_changed(object): a new :class:`~desktop_app.document.Document` is open.
        display_changed(object): the open document is shown another way (clean verbatim on or off): its new
            :class:`~desktop_app.display_text.DisplayText`.
        open_failed(str, str): path, message; the open document (if any) stays as it was.
        open_cancelled(str): the user stopped the opening of this path; the open document stays.
        progress(str, float): background work and how far it is (0..1; 1 or "" when done).
        sections_changed(): the effective chapters changed (``sections``, ``outline_source``).
        outline_pending(str): no chapters yet; the message says why.
        chapter_changed(int): the chapter at the reading position changed (-1 for none).
        annotations_changed(): highlights or notes changed (added, edited, removed, loaded).
        colors_changed(): the meanings of the highlight colours changed.
        speakers_changed(): who speaks changed (the user's corrections): ``speakers``, the paragraphs' speakers
            and breaks (``display_changed`` carries the new display text).
        annotations_file(str): where the annotations are kept (a label for the user).
        selection_changed(str): the selected highlight ("" for none).
        hits_changed(): a new search result (``search_result``).
        current_hit_changed(int): hit *i* of the result is the current one.
        search_message(str): the search cannot run or is waiting (e.g. indexing).
        notice(str): a short message for the status bar.
        problem(str, str): title and message of something the user must know about.
    """

    loading = Signal(str)
    preview_ready = Signal(object)
    document_changed = Signal(object)
    display_changed = Signal(object)
    open_failed = Signal(str, str)
    open_cancelled = Signal(str)
    progress = Signal(str, float)
    sections_changed = Signal()
    outline_pending = Signal(str)
    chapter_changed = Signal(int)
    annotations_changed = Signal()
    colors_changed = Signal()
    speakers_changed = Signal()
    annotations_file = Signal(str)
    selection_changed = Signal(str)
    hits_changed = Signal()
    current_hit_changed = Signal(int)
    search_message = Signal(str)
    notice = Signal(str)
    problem = Signal(str, str)

    def __init__(
        self,
        documents: DocumentService,
        annotations: AnnotationService,
        search: SearchService,
        settings: Settings,
        parent: QObject | None = None,
        library: LibraryService | None = None,
    ) -> None:
        super().__init__(parent)
        self.library = library  # the catalog of every transcript the user added (None: no library)
        self._open_at: int | None = None  # where to show the transcript being opened (a library hit)
        self.documents = documents
        self.annotations = annotations
        self.search_service = search
        self.settings = settings
        self.document: Document | None = None
        self.auto_sections: list[Section] = []
        self.user_sections: list[Section] | None = None
        self.episode_sections: list[Section] = []  # the chapters the file gives
        self.use_episode_chapters = True
        self.search_result: SearchResult | None = None
        self.current_hit = -1
        self.selected_annotation = ""
        self.top_offset = DocOffset(0)
        self.current_chapter = -1
        self._reading_offset = DocOffset(0)
        self._attach_pending: Document | None = None
        self._speaker_edits: ReadEdits | None = None  # the open document's corrections (None: not loaded yet)
        self._reported_speaker_problems: tuple[str, ...] = ()
        self.last_save_error = ""
        self._stopping = False
        self._sources: dict[str, str] = {}  # the source video or page of each document opened, by sha256
        self._library_annotations: LibraryAnnotationsService | None = None
        self._save_position_timer = QTimer(self, singleShot=True, interval=POSITION_SAVE_DELAY_MS)
        self._save_position_timer.timeout.connect(self.save_position)
        documents.hide_fillers = settings.hide_fillers
        # a saved "on" counts only where the encoder is (a packaged app leaves it out and hides the option)
        documents.refine_outline = settings.refine_outline and outline_encoder_present()
        self._connect_services()

    def _connect_services(self) -> None:
        documents, notes, search = self.documents, self.annotations, self.search_service
        documents.loading_started.connect(self.loading)
        documents.preview_ready.connect(self._on_preview)
        documents.opened.connect(self._on_opened)
        documents.open_failed.connect(self.open_failed)
        documents.open_cancelled.connect(self.open_cancelled)
        documents.progress.connect(self.progress)
        documents.outline_ready.connect(self._on_outline_ready)
        documents.index_ready.connect(self._sync_index_speakers)  # before the search runs on it
        documents.index_ready.connect(search.set_index)
        documents.stage_failed.connect(self._on_stage_failed)
        notes.changed.connect(self._on_annotations_changed)
        notes.outline_changed.connect(self._refresh_sections)
        notes.speakers_changed.connect(self._apply_speaker_edits)
        notes.colors_changed.connect(self.colors_changed)
        notes.loaded.connect(lambda: self.annotations_file.emit(str(notes.path or "")))
        notes.load_failed.connect(self._on_annotations_unavailable)
        notes.save_failed.connect(self._on_save_failed)
        notes.saved.connect(lambda _path: self.notice.emit("Saved"))
        search.results_ready.connect(self._on_search_results)

    # -- derived state ------------------------------------------------------------------------
    @property
    def timeline(self) -> Timeline | None:
        """Time at every offset of the open document (None when nothing is open)."""
        return self.document.timeline if self.document is not None else None

    @property
    def sections(self) -> list[Section]:
        """The chapters in force: the user's edited outline if there is one, else the episode's own chapters
        (when the file gives them and they are chosen), else the automatic ones."""
        if self.user_sections is not None:
            return self.user_sections
        if self.episode_sections and self.use_episode_chapters:
            return self.episode_sections
        return self.auto_sections

    @property
    def outline_source(self) -> str:
        """Whose chapters are in force: ``"edited"`` (the user's), ``"episode"`` (the file's) or ``"automatic"``."""
        if self.user_sections is not None:
            return "edited"
        return "episode" if self.episode_sections and self.use_episode_chapters else "automatic"

    @property
    def outline_edited(self) -> bool:
        """Whether the chapters in force are the user's."""
        return self.user_sections is not None

    def chapter_rows(self) -> list[ChapterRow]:
        """The chapters in force as the panels list them."""
        return chapter_rows(self.sections, self.timeline) if self.timeline is not None else []

    def place_label(self, offset: int) -> str:
        """Where an offset is, in the one wording of lists (``12:34`` or ``min 12``), after its speaker if known."""
        if self.document is None:
            return ""
        place = self.document.timeline.place_label(offset)
        speaker = self.document.speaker_at(offset)
        return f"{speaker} · {place}" if speaker else place

    def open_sha256(self) -> str:
        """The sha256 of the open document's text ("" when nothing is open)."""
        return self.document.sha256 if self.document is not None else ""

    @property
    def speakers(self) -> tuple[str, ...]:
        """Who speaks in the open transcript, with the user's corrections (empty when nobody is known)."""
        return self.document.speakers if self.document is not None else ()

    def speaker_at(self, offset: int) -> str | None:
        """Who speaks the paragraph holding ``offset`` (None where unknown or nothing is open)."""
        return self.document.speaker_at(offset) if self.document is not None else None

    def position_label(self) -> str:
        """The status bar's reading position."""
        return self.timeline.position_label(self.top_offset) if self.timeline is not None else ""

    def placed_annotations(self) -> list[Annotation]:
        """Highlights that are found in the text (orphans are only listed)."""
        return (
            [a for a in self.annotations.annotations if not a.is_orphan] if self.document is not None else []
        )

    def annotation_places(self) -> dict[str, str]:
        """Place label of every placed highlight, by id."""
        return {a.id: self.place_label(a.start) for a in self.placed_annotations()}

    def annotation_quotes(self) -> dict[str, str]:
        """The words of every placed highlight as the reader shows them (punctuated, capitalised), by id."""
        from desktop_app.quotes import readable_quote

        document = self.document
        if document is None:
            return {}
        return {a.id: readable_quote(document.display, a.start, a.end) for a in self.placed_annotations()}

    def quote_of(self, annotation_id: str) -> str:
        """A placed highlight's words as the reader shows them ("" for orphans and unknown ids)."""
        from desktop_app.quotes import readable_quote

        found = self.annotations.find(annotation_id) if annotation_id else None
        if found is None or found.is_orphan or self.document is None:
            return ""
        return readable_quote(self.document.display, found.start, found.end)

    # -- quotes and links back ----------------------------------------------------------------
    def source_url(self) -> str:
        """The video or page the open transcript names ("" when none): read once per document."""
        from desktop_app.quotes import source_url

        document = self.document
        if document is None:
            return ""
        if document.sha256 not in self._sources:
            self._sources[document.sha256] = source_url(document.transcript.source)
        return self._sources[document.sha256]

    def link_at(self, offset: int) -> str:
        """The link back to an offset: the source video at that second, else the transcript file."""
        from desktop_app.quotes import link_back

        document = self.document
        if document is None:
            return ""
        seconds = document.timeline.seconds_at(offset)
        return link_back(self.source_url(), document.transcript.source, seconds)

    def quote_place(self, start: int, end: int) -> QuotePlace | None:
        """The words of ``[start, end)`` as the reader shows them, with speaker, chapter, time and link."""
        from desktop_app.quotes import QuotePlace, readable_quote

        span, document = self.trimmed(start, end), self.document
        if span is None or document is None:
            return None
        words = readable_quote(document.display, *span) or document.text[span[0] : span[1]]
        chapter = chapter_at(self.sections, span[0])
        return QuotePlace(
            words,
            document.timeline.place_label(span[0]),
            self.link_at(span[0]),
            document.speaker_at(span[0]) or "",
            self.sections[chapter].title if chapter >= 0 else "",
            document.title,
        )

    def quote_markdown(self, start: int, end: int) -> str:
        """Copy as quote: the selection ``[start, end)`` or, without one, the selected highlight, as a Markdown
        block quote with speaker, chapter, time and a link back ("" and a notice when there is nothing)."""
        from desktop_app.quotes import markdown_quote

        if self.trimmed(start, end) is None and self.selected_annotation:
            found = self.annotations.find(self.selected_annotation)
            if found is not None and not found.is_orphan:
                start, end = found.start, found.end
        where = self.quote_place(start, end)
        if where is None:
            self.notice.emit("Select some text or a highlight first, then copy it as a quote.")
            return ""
        self.notice.emit("Copied as a quote")
        return markdown_quote(where)

    def hit_labels(self) -> list[tuple[str, str]]:
        """(group heading, place) for every hit of the current result."""
        result, timeline = self.search_result, self.timeline
        if result is None or timeline is None:
            return []
        sections = self.sections
        return [(group_label(sections, timeline, h.start), self._hit_place(h)) for h in result.hits]

    def _hit_place(self, hit: Hit) -> str:
        place = self.place_label(hit.start)
        return f"note · {place}" if hit.note_id is not None else place

    def hit_ranges(self) -> list[tuple[DocOffset, DocOffset]]:
        """Document ranges of the current result's hits in the text (not those in notes)."""
        hits = self.search_result.hits if self.search_result is not None else ()
        return [(DocOffset(h.start), DocOffset(h.end)) for h in hits if h.note_id is None]

    def current_hit_range(self) -> tuple[DocOffset, DocOffset] | None:
        """Document range of the current hit, if any."""
        result = self.search_result
        if result is None or not 0 <= self.current_hit < len(result.hits):
            return None
        hit = result.hits[self.current_hit]
        return DocOffset(hit.start), DocOffset(hit.end)

    # -- opening ------------------------------------------------------------------------------
    def open(self, path: str, at: int = -1, query: str = "") -> None:
        """Open a transcript; the current one stays until the new one is ready (or stays if it fails).

        ``at`` (a library hit): show that offset instead of the last reading position; ``query``: search for
        it in the new transcript too, so that every hit is painted.
        """
        self.save_position()
        self._open_at = at if at >= 0 else None
        if query.strip():
            self.search(query)
        self.documents.open(path)

    @Slot()
    def start_library(self) -> None:
        """Open the library's catalog and index what is new (after the first paint)."""
        if self.library is not None:
            self.library.start()

    def cancel_open(self) -> None:
        """Stop opening the transcript being opened (the one on screen stays)."""
        self.documents.cancel_open()

    @Slot(object)
    def _on_preview(self, preview: Preview) -> None:
        if self.document is None:  # a preview never replaces a document on screen
            self.preview_ready.emit(preview)

    @Slot(object)
    def _on_opened(self, document: Document) -> None:
        self.document = document
        self._speaker_edits = None
        self.search_service.set_index(None)  # the query runs again once the new index is ready
        self.search_result, self.current_hit = None, -1
        if self.search_service.current_query.strip():
            self.search_message.emit("Indexing the new transcript…")
        self.auto_sections, self.user_sections, self.selected_annotation = [], None, ""
        self.episode_sections, self.use_episode_chapters = _episode_sections(document), True
        self.current_chapter = -1
        at, self._open_at = self._open_at, None
        saved = self.settings.position(document.sha256) if at is None else min(at, len(document.text))
        self.top_offset = self._reading_offset = DocOffset(saved)
        self._attach_pending = document
        QTimer.singleShot(
            BACKGROUND_DELAY_MS, self.attach_annotations
        )  # at the latest; normally on first paint
        self.settings.last_document = document.transcript.source
        self.settings.add_recent_file(document.transcript.source)
        self.document_changed.emit(document)
        if self.episode_sections:
            self._refresh_sections()
        else:
            self.outline_pending.emit("Finding chapters…")
        self.hits_changed.emit()
        kind = FORMAT_NAMES.get(document.transcript.format, document.transcript.format)
        self.notice.emit(
            f"{kind} · {document.timeline.word_count:,} words"
            + (f" · {len(self.speakers)} speakers" if self.speakers else "")
        )
        for warning in document.transcript.warnings:
            self.notice.emit(warning)

    @Slot()
    def attach_annotations(self) -> None:
        """Load the open document's highlights and notes (once its text is on screen)."""
        document, self._attach_pending = self._attach_pending, None
        if document is not None and document is self.document:
            self.annotations.attach(
                document.text,
                document.title,
                document.sha256,
                document.transcript.source,
                self.documents.dirs.annotations,
            )

    @Slot()
    def start_background(self) -> None:
        """Start the outline and the search index of the open document."""
        self.documents.start_background()

    def stop(self) -> bool:
        """The window is closing: no late attach, save the position and the annotations (False: not saved)."""
        self._attach_pending = None
        if self._library_annotations is not None:
            self._library_annotations.cancel()  # reading every episode's highlights: no need to wait for it
        self.save_position()
        self._stopping = True  # a failure is asked about by the window, not shown as well
        try:
            return self.annotations.flush()
        finally:
            self._stopping = False

    @Slot(str)
    def _on_save_failed(self, message: str) -> None:
        self.last_save_error = message
        if not self._stopping:
            self.problem.emit("Could not save highlights and notes", message)

    def save_unsaved_copies(self, folder: str) -> bool:
        """Write every transcript's unsaved highlights, notes and outline edits into ``folder`` (same names)."""
        try:
            written = self.annotations.save_unsaved_to(folder)
        except AnnotationError as error:  # what could not be written, and why
            self.problem.emit("Could not save a copy", error.message)
            return False
        self.notice.emit(
            f"Saved {len(written)} annotations file{'s' if len(written) != 1 else ''} in {folder}"
        )
        return True

    @staticmethod
    def suggested_copy_folder() -> str:
        """Where copies of unsaved annotations are offered: the home folder."""
        return str(Path.home())

    @Slot(str, str)
    def _on_stage_failed(self, stage: str, message: str) -> None:
        self.notice.emit(f"{stage.capitalize()} unavailable: {message}")
        if stage == "index":
            self.search_message.emit(f"Search is unavailable: {message}")
        elif stage == "outline" and not self.sections:
            self.outline_pending.emit(f"No chapters: {message}")

    @Slot(str)
    def _on_annotations_unavailable(self, message: str) -> None:
        self.annotations_file.emit(f"{self.annotations.path} (could not be read; left untouched)")
        self.problem.emit("Highlights and notes unavailable", message)

    @property
    def hide_fillers(self) -> bool:
        """Whether the reader shows clean verbatim (no "um", "uh" or repeated words)."""
        return self.documents.hide_fillers

    def set_hide_fillers(self, hide: bool) -> None:
        """Show the open document (and those opened later) with or without fillers; built on a worker."""
        self.settings.hide_fillers = self.documents.hide_fillers = hide
        document = self.document
        if document is None:
            return

        readable = document.readable

        def done(display: DisplayText) -> None:
            if document is self.document and hide == self.hide_fillers and readable is document.readable:
                document.display = display
                self.display_changed.emit(display)

        self.documents.tasks.submit(
            "display",
            lambda _report: display_of(document.text, readable, hide),
            on_done=done,
            on_error=lambda message, _e: self.notice.emit(message),
            owner=self,
        )

    # -- reading position ---------------------------------------------------------------------
    def set_position(self, top: int, reading: int) -> None:
        """The reader scrolled: ``top`` is the offset at the top of the view, ``reading`` the one being read."""
        self.top_offset, self._reading_offset = DocOffset(top), DocOffset(reading)
        self._save_position_timer.start()
        self._follow_chapter()

    def _follow_chapter(self) -> None:
        chapter = chapter_at(self.sections, self._reading_offset)
        if chapter != self.current_chapter:
            self.current_chapter = chapter
            self.chapter_changed.emit(chapter)

    @Slot()
    def save_position(self) -> None:
        """Remember the reading position of the open document (restored when it is opened again)."""
        if self.document is not None:
            self.settings.set_position(self.document.sha256, self.top_offset)
            if self.library is not None:
                self.library.set_reading_progress(
                    self.document.sha256, self.document.timeline.fraction_at(self.top_offset)
                )

    def saved_position(self) -> DocOffset:
        """Where the user was reading when the open document was last closed."""
        return self.top_offset

    # -- chapters -----------------------------------------------------------------------------
    @Slot(object)
    def _on_outline_ready(self, sections: list[Section]) -> None:
        replaced, self.auto_sections = self.auto_sections, list(sections)
        self._refresh_sections()
        if (
            self.documents.outline_replaced
            and replaced != self.auto_sections
            and self.outline_source == "automatic"
        ):
            count = len(self.auto_sections)
            self.notice.emit(f"Chapters refined: {count} chapter{'' if count == 1 else 's'}")

    @Slot()
    def _refresh_sections(self, _records: object = None) -> None:
        if self.document is None:
            return
        records = self.annotations.outline_records
        self.user_sections = (
            outline_edits.from_records(records, self.document.text) or None if records else None
        )
        if not self.sections:
            self.outline_pending.emit("Finding chapters…")
            return
        self.sections_changed.emit()
        self.current_chapter = chapter_at(self.sections, self._reading_offset)
        self.chapter_changed.emit(self.current_chapter)  # again: the rows are new

    def chapter_start(self, row: int) -> DocOffset | None:
        """Where chapter ``row`` starts (None if there is no such chapter)."""
        sections = self.sections
        return DocOffset(sections[row].start) if 0 <= row < len(sections) else None

    def next_chapter(self) -> DocOffset | None:
        """The start of the chapter after the one being read."""
        return self.chapter_start(min(len(self.sections) - 1, self.current_chapter + 1))

    def previous_chapter(self, top: int) -> DocOffset | None:
        """The start of the chapter being read, or of the one before when the top of the reader (``top``) is
        already at its start."""
        row = self.current_chapter
        if row > 0 and top <= self.sections[row].start:
            row -= 1
        return self.chapter_start(max(0, row))

    @property
    def refine_available(self) -> bool:
        """Whether the automatic chapters can be refined here (the encoder is in source checkouts only)."""
        return outline_encoder_present()

    @property
    def refine_outline(self) -> bool:
        """Whether the automatic chapters are refined by the contextual encoder after the first outline."""
        return self.documents.refine_outline

    def set_refine_outline(self, refine: bool) -> None:
        """Refine the automatic chapters (or not) from now on, the open document's too (kept between runs)."""
        if refine == self.documents.refine_outline:
            return
        self.settings.refine_outline = self.documents.refine_outline = refine
        if not refine:  # search, export and the library then name the chapters the reader shows
            cache_dir = self.documents.dirs.cache
            self.documents.tasks.submit(
                "forget refined chapters", lambda _report: forget_refined_outlines(cache_dir), owner=self
            )
        if self.document is not None:
            self.documents.rebuild_outline(self.documents.granularity)

    def set_granularity(self, granularity: float) -> None:
        """Show the automatic outline, recomputed with fewer or more chapters."""
        self.use_episode_chapters = False
        if self.auto_sections:
            self._refresh_sections()
        self.documents.rebuild_outline(granularity)

    def use_episode_outline(self) -> None:
        """Show the chapters the file gives (when it gives some)."""
        self.use_episode_chapters = True
        self._refresh_sections()

    def rename_chapter(self, row: int, title: str) -> None:
        """Give chapter ``row`` a new title."""
        self._edit_outline("Rename chapter", lambda sections: outline_edits.rename(sections, row, title))

    def split_chapter(self, at: int) -> None:
        """Start a new chapter at the paragraph holding offset ``at`` (the top of the reader)."""
        if self.document is not None:
            offset, starts = self.document.paragraph_start(at), self.document.sentence_starts()
            self._edit_outline(
                "Split chapter", lambda sections: outline_edits.split(sections, offset, starts)
            )

    def merge_chapter(self, row: int) -> None:
        """Merge chapter ``row`` with the next one."""
        self._edit_outline("Merge chapters", lambda sections: outline_edits.merge_with_next(sections, row))

    def move_chapter_start(self, row: int, at: int) -> None:
        """Move the start of chapter ``row`` to the paragraph holding offset ``at`` (the top of the reader)."""
        if self.document is not None:
            offset, starts = self.document.paragraph_start(at), self.document.sentence_starts()
            self._edit_outline(
                "Move chapter start", lambda sections: outline_edits.move_start(sections, row, offset, starts)
            )

    def reset_outline(self) -> None:
        """Drop the user's edits: the automatic outline is in force again."""
        self._guard(lambda: self.annotations.set_outline([], "Reset outline"))

    def _edit_outline(self, label: str, edit: Callable[[list[Section]], list[Section]]) -> None:
        document = self.document
        if document is None or not self.sections:
            return
        try:
            sections = edit(self.sections)
        except outline_edits.OutlineEditError as error:
            self.notice.emit(str(error))
            return
        self._guard(
            lambda: self.annotations.set_outline(outline_edits.to_records(sections, document.text), label)
        )

    # -- who speaks ---------------------------------------------------------------------------
    def rename_speaker(self, old: str, new: str) -> None:
        """Call speaker ``old`` ``new`` throughout the open document (undoable)."""
        base = self.document.automatic_readable.speakers if self.document is not None else ()
        self._edit_speakers(
            "Rename speaker", lambda edits, _doc: _speaker_edits().rename(edits, old, new, base)
        )

    def assign_speaker(self, at: int, speaker: str) -> None:
        """Give the paragraph holding offset ``at`` to ``speaker`` (a known or a new name; undoable)."""
        self._edit_speakers(
            "Change speaker",
            lambda edits, doc: _speaker_edits().assign(edits, doc.text, doc.readable, at, speaker),
        )

    def split_turn(self, at: int, speaker: str) -> None:
        """Start a new paragraph spoken by ``speaker`` at the word holding offset ``at`` (undoable)."""
        self._edit_speakers(
            "Split turn",
            lambda edits, doc: _speaker_edits().split_turn(edits, doc.text, doc.readable, at, speaker),
        )

    def reset_speakers(self) -> None:
        """Drop the user's speaker corrections: the file's or the inferred speakers again (undoable; entries
        this version cannot read stay in the file)."""

        def reset(edits: SpeakerEdits, _document: Document) -> SpeakerEdits:
            if not edits.renames and not edits.turns:
                raise _speaker_edits().SpeakerEditError("There are no speaker corrections to reset.")
            return dataclasses.replace(edits, renames={}, turns=())

        self._edit_speakers("Reset speakers", reset)

    def _edit_speakers(self, label: str, edit: Callable[[SpeakerEdits, Document], SpeakerEdits]) -> None:
        document, read, speaker_edits = self.document, self._speaker_edits, _speaker_edits()
        if document is None:
            return
        if read is None:
            read = speaker_edits.edits_from_record(None)  # not loaded yet: set_speakers says so
        if not read.writable:
            self.notice.emit(
                "Speaker corrections cannot be changed: the 'speakers' entry of the annotations file is in a "
                "form this version does not know (it is kept as it is)."
            )
            return
        try:
            edits = edit(read.edits, document)
        except speaker_edits.SpeakerEditError as error:
            self.notice.emit(str(error))
            return
        record = speaker_edits.edits_to_record(edits) or None
        self._guard(lambda: self.annotations.set_speakers(record, label))

    @Slot(object)
    def _apply_speaker_edits(self, record: object) -> None:
        """The stored corrections changed (loaded, edited, undone, merged): show who speaks with them."""
        document = self.document
        if document is None:
            return
        automatic = document.automatic_readable
        speaker_edits = _speaker_edits()
        self._speaker_edits = read = speaker_edits.edits_from_record(record)
        if read.problems and read.problems != self._reported_speaker_problems:
            self.problem.emit(
                "Some speaker corrections were not applied",
                f"{self.annotations.path}:\n"
                + "\n".join(read.problems)
                + "\n\nThese entries are kept in the "
                "file as they are; everything else (highlights, notes, other corrections) is in use.",
            )
        self._reported_speaker_problems = read.problems
        if self.library is not None:
            self.library.set_speaker_edits(document.sha256, read.edits)
        positions = speaker_edits.turn_positions(read.edits, document.text)
        lost = sum(position is None for position in positions)
        if lost:
            self.notice.emit(
                f"{lost} speaker correction{'s no longer match' if lost != 1 else ' no longer matches'} "
                "the text (kept in the annotations file, not shown)"
            )
        readable = speaker_edits.apply_edits(automatic, document.text, read.edits, positions)
        if readable is document.readable:
            return
        document.automatic, document.readable = automatic, readable
        document.display = display_of(document.text, readable, self.hide_fillers)
        self._sync_index_speakers(self.documents.index)
        self.display_changed.emit(document.display)
        self.speakers_changed.emit()
        self.hits_changed.emit()  # their places name the speaker

    @Slot(object)
    def _sync_index_speakers(self, index: object) -> None:
        """Give the search index (``speaker:`` filters) the open document's speakers, corrections included."""
        document, set_speakers = self.document, getattr(index, "set_speakers", None)
        if document is not None and set_speakers is not None:
            paragraphs = document.readable.paragraphs
            set_speakers([p.speaker for p in paragraphs], [p.start for p in paragraphs])

    # -- highlights ---------------------------------------------------------------------------
    def _guard(self, action: Callable[[], _T]) -> _T | None:
        """Run an annotation edit; when the annotations cannot be changed now, say why (``notice``)."""
        try:
            return action()
        except AnnotationError as error:
            self.notice.emit(error.message)
            return None

    def trimmed(self, start: int, end: int) -> tuple[int, int] | None:
        """The range without the spaces at its ends (None if nothing is left)."""
        if self.document is None:
            return None
        text = self.document.text
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        return (start, end) if end > start else None

    def highlight(self, start: int, end: int, color: str) -> str | None:
        """Highlight the words in ``[start, end)``, or recolour the selected highlight when no words are given.

        Returns the id of the highlight (selected), or None when nothing was highlighted.
        """
        span = self.trimmed(start, end)
        if span is None:
            if self.selected_annotation:
                self.update_annotation(self.selected_annotation, color=color)
                return self.selected_annotation
            self.notice.emit("Select some text first, then press 1–5 to highlight it.")
            return None
        annotation = self._guard(lambda: self.annotations.add(span[0], span[1], color))
        if annotation is None:
            return None
        self.select_annotation(annotation.id)
        return annotation.id

    def update_annotation(
        self,
        annotation_id: str,
        color: str | None = None,
        note: str | None = None,
        tags: list[str] | None = None,
    ) -> None:
        """Change the colour, note or tags of a highlight."""
        changes = {k: v for k, v in (("color", color), ("note", note), ("tags", tags)) if v is not None}
        self._guard(lambda: self.annotations.update(annotation_id, **changes))

    def remove_annotation(self, annotation_id: str) -> None:
        """Delete a highlight (undoable)."""
        self._guard(lambda: self.annotations.remove(annotation_id))

    def remove_selected(self) -> None:
        """Delete the selected highlight."""
        if self.selected_annotation:
            self.remove_annotation(self.selected_annotation)
            self.select_annotation("")

    def set_color_meaning(self, key: str, meaning: str) -> None:
        """Rename what a highlight colour means."""
        self._guard(lambda: self.annotations.set_color_meaning(key, meaning))

    def select_annotation(self, annotation_id: str) -> None:
        """Select a highlight ("" or an unknown id: none)."""
        self.selected_annotation = annotation_id if self.annotations.find(annotation_id) else ""
        self.selection_changed.emit(self.selected_annotation)

    def annotation_start(self, annotation_id: str) -> DocOffset | None:
        """Where a highlight starts in the text (None for orphans and unknown ids)."""
        annotation = self.annotations.find(annotation_id)
        if annotation is None or annotation.is_orphan:
            return None
        return DocOffset(annotation.start)

    @Slot()
    def _on_annotations_changed(self) -> None:
        if self.selected_annotation and not self.annotations.find(self.selected_annotation):
            self.selected_annotation = ""
        self.annotations_changed.emit()
        self.selection_changed.emit(self.selected_annotation)
        if self.library is not None and self.document is not None:
            self.library.refresh_annotations(
                [self.document.sha256]
            )  # counts, and notes searchable everywhere
        self.search_service.set_notes(
            [(a.id, a.note, a.start, a.end) for a in self.annotations.annotations if a.note.strip()]
        )

    def export(self, path: str, fmt: str) -> None:
        """Write the highlights and notes (``"markdown"`` or ``"json"``) on a worker; report when done."""
        from desktop_app import export
        from desktop_app.atomic_file import write_text_atomic
        from desktop_app.quotes import file_uri, link_back, readable_quote

        document = self.document
        if document is None:
            return
        notes, sections, colors = self.annotations.annotations, list(self.sections), self.annotations.colors
        source = self.source_url()

        def job(_progress: object) -> str:
            transcript = document.transcript
            speaker_of = document.speaker_at if document.speakers else None
            if fmt == "json":
                output = export.to_web_annotation_json(
                    document.title,
                    document.text,
                    notes,
                    source=transcript.source,
                    sha256=document.sha256,
                    colors=colors,
                    time_of=transcript.time_at,
                    speaker_of=speaker_of,
                )
            else:
                output = export.to_markdown(
                    document.title,
                    document.text,
                    notes,
                    sections=sections,
                    colors=colors,
                    timeline=document.timeline,
                    speaker_of=speaker_of,
                    quote_of=lambda start, end: readable_quote(document.display, start, end),
                    link_of=lambda offset: link_back(
                        source, transcript.source, document.timeline.seconds_at(offset)
                    ),
                    header={"title": document.title, "source": source or file_uri(transcript.source)},
                )
            write_text_atomic(path, output)
            return path

        self.settings.set_folder("export", str(Path(path).parent))
        self.documents.tasks.submit(
            "export",
            job,
            on_done=lambda p: self.notice.emit(f"Exported to {p}"),
            on_error=lambda message, _e: self.problem.emit("Export failed", message),
            owner=self,
        )

    def suggested_export_path(self) -> str:
        """Where an export is offered: the folder of the last export (else the home folder), named after the
        transcript."""
        from desktop_app.annotations.store import slugify

        title = self.document.title if self.document is not None else "transcript"
        return str(Path(self.settings.folder("export") or Path.home()) / f"{slugify(title)}-notes.md")

    # -- every highlight of the library --------------------------------------------------------
    @property
    def library_annotations(self) -> LibraryAnnotationsService | None:
        """The service that collects and exports every highlight of the library (None without a library)."""
        if self._library_annotations is None and self.library is not None:
            from desktop_app.library_annotations import LibraryAnnotationsService

            self._library_annotations = LibraryAnnotationsService(
                self.documents.dirs, self.documents.tasks, self
            )
        return self._library_annotations

    def live_annotations(self) -> dict[str, LiveAnnotations]:
        """The open document's highlights as they are now (saved or not), by sha256."""
        from desktop_app.library.all_annotations import LiveAnnotations

        notes = self.annotations
        if self.document is None or self._attach_pending is not None or not notes.ready:
            return {}  # the highlights held are not (yet) this document's: its file is read instead
        live = LiveAnnotations(tuple(notes.annotations), dict(notes.colors), tuple(notes.outline_records))
        return {self.document.sha256: live}

    def load_library_annotations(self, afresh: bool = False) -> None:
        """Collect every highlight of every episode of the library, on a worker (``loaded`` follows);
        ``afresh``: read every file again, even those unchanged since the last time."""
        service = self.library_annotations
        if service is not None and self.library is not None:
            service.load(self.library.entries(), self.live_annotations(), afresh)

    def export_library_annotations(self, folder: str) -> None:
        """Write one Markdown file per episode with highlights into ``folder``, on a worker."""
        service = self.library_annotations
        if service is not None and self.library is not None:
            service.export(folder, self.library.entries(), self.live_annotations())

    def open_highlight(self, path: str, sha256: str, start: int) -> bool:
        """Open the episode of a library highlight at the highlight; False when it is the open document
        already (the window scrolls to it instead)."""
        if self.document is not None and self.document.sha256 == sha256:
            return False
        self.open(path, at=start)
        return True

    # -- search -------------------------------------------------------------------------------
    def search(self, query: str) -> None:
        """Run a query (as typed; results arrive as ``hits_changed``)."""
        self.search_service.search(query)

    @Slot(object)
    def _on_search_results(self, result: SearchResult) -> None:
        self.search_result, self.current_hit = result, -1
        self.hits_changed.emit()

    def go_to_hit(self, number: int) -> None:
        """Make hit ``number`` the current one (a hit in a note selects its highlight)."""
        result = self.search_result
        if result is None or self.document is None or not 0 <= number < len(result.hits):
            return
        self.current_hit = number
        hit = result.hits[number]
        if hit.note_id:
            self.select_annotation(hit.note_id)
        self.current_hit_changed.emit(number)
        self.notice.emit(f"Match {number + 1} of {result.total}")

    def step_hit(self, direction: int, here: int) -> bool:
        """Go to the next (+1) or previous (-1) hit, at first from offset ``here``; False without hits."""
        result = self.search_result
        if result is None or not result.hits:
            return False
        count = len(result.hits)
        if self.current_hit < 0:
            after = [i for i, h in enumerate(result.hits) if h.start >= here]
            if direction > 0:
                number = after[0] if after else 0
            else:
                number = (after[0] - 1) % count if after else count - 1
        else:
            number = (self.current_hit + direction) % count
        self.go_to_hit(number)
        return True

    def remember_query(self, query: str) -> list[str]:
        """Keep a query in the recent list; returns the list."""
        return self.settings.add_recent_query(query)


def _speaker_edits() -> Any:
    """``speakers.edits``, imported with the first document's annotations: the ``speakers`` package loads the
    inference model's code (and the segmentation), which the first paint does not need."""
    from desktop_app.speakers import edits

    return edits


def _episode_sections(document: Document) -> list[Section]:
    """The chapters the file gives (Markdown headings), as sections; none when it gives fewer than two."""
    from desktop_app.outline.section import Section

    headings = [h for h in document.transcript.chapters if 0 <= h.start < len(document.text)]
    if len(headings) < 2:
        return []
    sentences = document.sentence_starts()  # a start placed by an estimated time moves to a sentence start
    snapped = [min(sentences, key=lambda s: abs(s - h.start)) if sentences else h.start for h in headings[1:]]
    starts = [0, *snapped]  # the first chapter takes in whatever comes before it
    ends = [*starts[1:], len(document.text)]
    return [Section(h.title, a, b, ()) for h, a, b in zip(headings, starts, ends, strict=True) if b > a]
