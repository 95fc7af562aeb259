"""Entry point: arguments, the QApplication, the services and the window (the composition root)."""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app import APP_ID, APP_NAME, __version__, cli
from desktop_app.paths import app_dirs, default_transcript

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from PySide6.QtWidgets import QApplication

    from desktop_app.document import DocumentService
    from desktop_app.settings import Settings
    from desktop_app.tasks import TaskRunner
    from desktop_app.views.main_window import MainWindow

logger = logging.getLogger(__name__)
PROCESS_START = time.perf_counter()


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser of the GUI (the headless commands parse their own arguments in ``cli``)."""
    parser = argparse.ArgumentParser(
        prog="python -m desktop_app",
        description=f"{APP_NAME}: read, search and annotate long interview transcripts, offline.",
        epilog="Headless commands: "
        + ", ".join(f"'{usage}'" for usage in cli.COMMAND_USAGE)
        + " (run 'python -m desktop_app COMMAND --help').",
    )
    parser.add_argument(
        "file",
        nargs="?",
        help="a transcript to open (text, Markdown, subtitles, Whisper or podcast "
        "transcripts: see README); default: the last one",
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument("--data-dir", help="keep all user data, settings and caches under this folder")
    parser.add_argument(
        "--smoke-test",
        action="store_true",
        help="open the document, wait for background work, exercise the features, print timings "
        "as JSON and quit",
    )
    parser.add_argument(
        "--screenshot", metavar="PNG", help="with --smoke-test: save a picture of the window before quitting"
    )
    parser.add_argument(
        "--theme", choices=("system", "light", "dark"), help="override the theme for this run"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run a headless command if the first argument names one, else the GUI; returns the exit code."""
    if getattr(sys, "frozen", False):  # a no-op otherwise; importing multiprocessing costs start-up time
        import multiprocessing

        multiprocessing.freeze_support()  # the library indexes in a process of its own (a frozen app too)
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0] in cli.COMMANDS:
        return cli.main(args_list)
    args = build_parser().parse_args(args_list)
    logging.basicConfig(
        level=logging.INFO if args.smoke_test else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    return run_gui(args)


def _initial_path(args: argparse.Namespace, last: str | None) -> str:
    if args.file:
        return str(Path(args.file).expanduser())
    if last and Path(last).is_file():
        return last
    return str(default_transcript())


GC_PAUSE_MAX_MS = 3000
"""The longest the cyclic garbage collector waits for the first paint (a slow or failed opening)."""


def pause_garbage_collector() -> Callable[[], None]:
    """Stop the cyclic garbage collector for the start-up; returns the function that resumes it (idempotent).

    Start-up makes ~54,000 long-lived objects (modules, classes, Qt wrappers) and almost no cycles: the
    ~80 collections that would run before the first paint (~10-14 ms) find under a hundred unreachable
    objects. On resuming, what start-up made is frozen (``gc.freeze``): it lives as long as the app, and
    later collections no longer walk it, which keeps them short while the user reads.
    """
    if not gc.isenabled():
        return lambda: None
    gc.disable()

    def resume() -> None:
        if not gc.isenabled():
            gc.freeze()
            gc.enable()

    return resume


def run_gui(args: argparse.Namespace) -> int:
    """Open the window on the given (or last) document, run the event loop and return the exit code."""
    resume_gc = pause_garbage_collector()
    try:
        return _run_gui(args, resume_gc)
    finally:
        resume_gc()


def _run_gui(args: argparse.Namespace, resume_gc: Callable[[], None]) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from desktop_app.document import DocumentService
    from desktop_app.settings import Settings
    from desktop_app.tasks import TaskRunner

    # Background jobs are Python threads: hand the GIL over every 1 ms (default 5 ms) so that the GUI
    # thread gets it back quickly while segmentation, outline and indexing run (benchmarks/gui_responsiveness.py).
    sys.setswitchinterval(0.001)
    dirs = app_dirs(args.data_dir)
    try:
        dirs.ensure()
    except OSError as error:
        print(f"error: cannot create the data folder {dirs.data}: {error}", file=sys.stderr)
        return 2
    existing = QApplication.instance()  # typed QCoreApplication; it is a QApplication when one exists
    app = existing if isinstance(existing, QApplication) else QApplication([sys.argv[0]])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    settings = Settings(dirs.settings_file)
    if args.theme:
        settings.theme = args.theme
    tasks = TaskRunner(app)
    service = DocumentService(dirs, tasks, app)
    service.hide_fillers = settings.hide_fillers  # the first document opens as the reader last showed text
    # The transcript is read and segmented on a worker while the window is built; its results arrive
    # through the event loop, once the window listens.
    service.open(_initial_path(args, settings.last_document))
    window = _build_window(app, service, tasks, settings)
    finish = _after_first_paint(app, resume_gc)
    window.reader.document_painted.connect(finish)  # the text is on screen
    QTimer.singleShot(GC_PAUSE_MAX_MS, finish)  # or it never will be (a failed opening)
    smoke = SmokeTest(window, service, args.screenshot) if args.smoke_test else None
    window.show()
    code = app.exec()
    if window.session.library is not None:
        window.session.library.close()  # indexing stops at the next episode; what is committed stays
    tasks.wait()
    service.close()
    if smoke is not None:
        return smoke.exit_code
    return int(code)


def _after_first_paint(app: QApplication, resume_gc: Callable[[], None]) -> Callable[[], None]:
    """What start-up leaves until the text is on screen, as one idempotent call: the garbage collector runs
    again, the window gets its icon (its SVG plugin loads then) and the italic reading font is registered
    (the reader shows no italics; Qt would synthesise them until then)."""
    done = False

    def finish() -> None:
        nonlocal done
        if done:
            return
        done = True
        resume_gc()
        from PySide6.QtGui import QIcon

        from desktop_app.paths import resource_path
        from desktop_app.views.reader_view import load_bundled_fonts

        icon = resource_path("icons", "transcript-reader.svg")
        if icon.exists():
            app.setWindowIcon(QIcon(str(icon)))
        load_bundled_fonts(resource_path("fonts"), styles=LATE_FONT_STYLES)

    return finish


FIRST_FONT_STYLES = ("Regular", "Bold")
"""The reading fonts registered before the first paint: the text and its speaker labels (~1.4 ms each)."""
LATE_FONT_STYLES = ("Italic",)


def _build_window(
    app: QApplication, service: DocumentService, tasks: TaskRunner, settings: Settings
) -> MainWindow:
    from desktop_app.annotations.service import AnnotationService
    from desktop_app.paths import resource_path
    from desktop_app.search.service import SearchService
    from desktop_app.session import ReadingSession
    from desktop_app.views import theme
    from desktop_app.views.main_window import MainWindow
    from desktop_app.views.reader_view import load_bundled_fonts

    load_bundled_fonts(resource_path("fonts"), styles=FIRST_FONT_STYLES)
    # The style and palette before any widget exists: set later, every widget would be polished again.
    theme.apply_palette(app, theme.resolve(settings.theme))
    from desktop_app.library.service import LibraryService
    from desktop_app.paths import default_transcript

    library = LibraryService(service.dirs, tasks, default_document=default_transcript(), parent=app)
    notes, search = AnnotationService(tasks, app), SearchService(tasks, app)
    return MainWindow(ReadingSession(service, notes, search, settings, app, library=library))


class SmokeTest:
    """Drives the real window through every feature that exists, then quits and prints timings."""

    TIMEOUT_MS = 120_000

    def __init__(self, window: MainWindow, service: DocumentService, screenshot: str | None = None) -> None:
        from PySide6.QtCore import QEvent, QObject, QTimer

        self.screenshot = screenshot
        self.window = window
        self.service = service
        self.timings: dict[str, float] = {}
        self.exit_code = 1
        self._pending = {"shown", "outline", "index", "painted", "annotations"}
        window.session.annotations.loaded.connect(lambda: self._done("annotations"))
        window.session.annotations.load_failed.connect(lambda message: self._failed("annotations", message))
        service.opened.connect(lambda _doc: self._mark("opened"))
        window.document_shown.connect(lambda _doc: self._done("shown"))
        window.preview_shown.connect(lambda _preview: self._mark("preview"))
        service.outline_ready.connect(
            lambda _s: self._done("outline") if service.outline_settled else self._mark("outline_first")
        )
        service.index_ready.connect(lambda _i: self._done("index"))
        service.open_failed.connect(self._failed)
        service.stage_failed.connect(self._failed)

        smoke = self

        class _PaintWatcher(QObject):
            def eventFilter(self, obj: QObject, event: QEvent) -> bool:
                if event.type() == QEvent.Type.Paint and (
                    "shown" not in smoke._pending or "preview" in smoke.timings
                ):
                    smoke.timings["first_paint_wall"] = time.time()
                    smoke._done("painted")
                    obj.removeEventFilter(self)
                return False

        self._watcher = _PaintWatcher()
        window.reader.viewport().installEventFilter(self._watcher)
        self._timeout = QTimer(singleShot=True, interval=self.TIMEOUT_MS)
        self._timeout.timeout.connect(
            lambda: self._finish("timed out waiting for " + ", ".join(self._pending))
        )
        self._timeout.start()

    def _mark(self, name: str) -> None:
        self.timings[name] = round(time.perf_counter() - PROCESS_START, 4)

    def _done(self, name: str) -> None:
        self._mark(name)
        self._pending.discard(name)
        if not self._pending:
            self._exercise()

    def _failed(self, where: str, message: str) -> None:
        self._finish(f"{where}: {message}")

    def _exercise(self) -> None:
        """Search and (when annotations exist) highlight, save; then quit."""
        from PySide6.QtCore import QTimer

        report: dict[str, object] = {}
        index = self.service.index
        started = time.perf_counter()
        result = index.search("open source")
        report["search_ms"] = round(1000 * (time.perf_counter() - started), 2)
        report["search_hits"] = result.total
        if not result.total:
            self._finish("search for 'open source' found nothing")
            return
        hit = result.hits[0]
        notes = self.window.session.annotations
        started = time.perf_counter()
        annotation = notes.add(
            hit.start, hit.end, "yellow", note="Smoke test: where open source comes up", tags=["smoke-test"]
        )
        if not notes.flush() or notes.path is None or not notes.path.exists():
            self._finish("the highlight could not be saved")
            return
        from desktop_app.annotations import store as annotation_store

        saved = annotation_store.load(notes.path).find(annotation.id)
        if saved is None or saved.note != annotation.note:
            self._finish("the saved annotations file does not hold the new highlight")
            return
        report["highlight_saved_ms"] = round(1000 * (time.perf_counter() - started), 2)
        report["annotations_file"] = str(notes.path)
        self.report = report
        QTimer.singleShot(300 if self.screenshot else 0, lambda: self._finish(None))

    def _finish(self, error: str | None) -> None:
        from PySide6.QtWidgets import QApplication

        if getattr(self, "_finished", False):
            return
        self._finished = True
        self._timeout.stop()
        document = self.service.document
        payload: dict[str, object] = {
            "ok": error is None,
            "timings_s": self.timings,
            "peak_rss_mb": _peak_rss_mb(),
            "pid": os.getpid(),
            "version": __version__,
            "gc_enabled": gc.isenabled(),  # paused for the start-up only (pause_garbage_collector)
        }
        if document is not None:
            payload["document"] = {
                "title": document.title,
                "words": document.timeline.word_count,
                "paragraphs": len(document.readable.paragraphs),
                "sections": len(self.service.sections),
                "prepare_s": document.timings,
            }
        payload.update(getattr(self, "report", {}))
        if error:
            payload["error"] = error
        if self.screenshot:
            self.window.grab().save(self.screenshot)
        print(json.dumps(payload, default=str), flush=True)
        self.exit_code = 0 if error is None else 1
        self.window.close()
        app = QApplication.instance()
        if app is not None:
            app.quit()


def _peak_rss_mb() -> float | None:
    """Peak resident memory of this process (None where the platform cannot tell)."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale, 1)
