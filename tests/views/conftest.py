"""A full-window fixture: real services, a temporary data folder, the thread pool drained at teardown."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
import shiboken6

from desktop_app.annotations.service import AnnotationService
from desktop_app.document import DocumentService
from desktop_app.library.service import LibraryService
from desktop_app.paths import AppDirs
from desktop_app.search.service import SearchService
from desktop_app.session import ReadingSession
from desktop_app.settings import Settings
from desktop_app.tasks import TaskRunner
from desktop_app.views.main_window import MainWindow

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path


@pytest.fixture(scope="session", autouse=True)
def bundled_fonts(qapp: object) -> list[str]:
    """The reading font the app registers at start-up."""
    from desktop_app.paths import resource_path
    from desktop_app.views.reader_view import load_bundled_fonts

    return load_bundled_fonts(resource_path("fonts"))


class WindowHarness:
    """Builds (and rebuilds, to simulate a restart) the main window over one data folder."""

    def __init__(self, qtbot: object, data_dir: Path, cache_dir: Path) -> None:
        self.qtbot = qtbot
        self.dirs = AppDirs(data=data_dir / "data", cache=cache_dir, config=data_dir / "config")
        self.dirs.ensure()
        self.window: MainWindow | None = None
        self.tasks: TaskRunner | None = None
        self.service: DocumentService | None = None
        self.annotations: AnnotationService | None = None
        self.search: SearchService | None = None
        self.session: ReadingSession | None = None
        self.library: LibraryService | None = None

    def start(self, library: bool = False, refine_outline: bool = False) -> MainWindow:
        """Build the window (``library``: with a library service, started after the first paint;
        ``refine_outline``: the user has turned on View › Refine Automatic Chapters)."""
        self.tasks = TaskRunner()
        self.service = DocumentService(self.dirs, self.tasks)
        self.annotations = AnnotationService(self.tasks)
        self.search = SearchService(self.tasks)
        self.library = LibraryService(self.dirs, self.tasks) if library else None
        self.session = ReadingSession(
            self.service,
            self.annotations,
            self.search,
            Settings(self.dirs.settings_file),
            library=self.library,
        )
        if refine_outline:
            self.session.set_refine_outline(True)
        self.window = MainWindow(self.session)
        self.qtbot.addWidget(self.window)  # type: ignore[attr-defined]
        self.window.show()
        return self.window

    def open(self, path: Path | str, wait_for: str = "document_shown") -> MainWindow:
        assert self.window is not None and self.service is not None
        signal = (
            self.window.document_shown if wait_for == "document_shown" else getattr(self.service, wait_for)
        )
        with self.qtbot.waitSignal(signal, timeout=30_000):  # type: ignore[attr-defined]
            self.window.open_path(str(path))
        return self.window

    def stop(self) -> None:
        if self.window is not None:
            self.window.close()
        if self.annotations is not None:
            self.annotations.close()
        if self.library is not None:
            self.library.close()
        if self.tasks is not None:
            self.tasks.wait()
        if self.service is not None:
            self.service.close()
        # Delete the services here, on the GUI thread: left to Python's cyclic GC they could be destroyed on a
        # worker thread, taking a QFileSystemWatcher's socket notifier with them.
        for service in (self.session, self.annotations, self.search, self.service, self.library):
            if service is not None and shiboken6.isValid(service):
                shiboken6.delete(service)
        self.session = self.library = None
        self.annotations = self.search = self.service = None
        self.window = None


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Derived data (segmentation, outline, index) keyed by text hash: safe to share between tests."""
    return tmp_path_factory.mktemp("shared-cache")


@pytest.fixture
def harness(qtbot: object, tmp_path: Path, shared_cache: Path) -> Iterator[WindowHarness]:
    h = WindowHarness(qtbot, tmp_path / "app-data", shared_cache)
    yield h
    h.stop()


@pytest.fixture
def private_harness(qtbot: object, tmp_path: Path) -> Iterator[Callable[[], WindowHarness]]:
    """Harnesses over one data folder and a cache of their own (derived data no other test sees); each is
    stopped at the end of the test, if the test did not."""
    made: list[WindowHarness] = []

    def make() -> WindowHarness:
        made.append(WindowHarness(qtbot, tmp_path / "app-data", tmp_path / "cache"))
        return made[-1]

    yield make
    for h in made:
        h.stop()


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[[str, bytes | str], Path]:
    def write(name: str, data: bytes | str) -> Path:
        path = tmp_path / name
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return path

    return write
