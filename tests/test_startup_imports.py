"""What the window's modules import before the first paint: none of the heavy parts (segmentation, speaker
inference, the outline, numpy, YAML, Whoosh, the annotation model, the library's catalog and highlights,
multiprocessing, the window's dialogs), which load with the first document, on workers, or after the first
paint (the dialogs on first use)."""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

WINDOW_MODULES = (
    "desktop_app.app",
    "desktop_app.session",
    "desktop_app.document",
    "desktop_app.views.main_window",
    "desktop_app.library.service",
    "desktop_app.annotations.service",
    "desktop_app.search.service",
    "desktop_app.library_annotations",
    "desktop_app.views.annotation_tools",
)
HEAVY = (
    "numpy",
    "yaml",
    "whoosh",
    "desktop_app.readability.segmentation",
    "desktop_app.speakers",
    "desktop_app.outline.chapters",
    "desktop_app.annotations.store",
    "desktop_app.annotations.model",
    "desktop_app.library.catalog",
    "desktop_app.library.index",
    "desktop_app.library.all_annotations",
    "desktop_app.views.dialogs",
    "multiprocessing",
    "difflib",
    "statistics",
)


def test_the_window_modules_leave_the_heavy_parts_for_later() -> None:
    script = (
        "import sys\n"
        + "".join(f"import {name}\n" for name in WINDOW_MODULES)
        + f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == ""


def test_reading_a_plain_text_transcript_leaves_statistics_unloaded(tmp_path: Path) -> None:
    """The worker reads the first document while the window is built: its imports compete for the GIL."""
    wrapped = tmp_path / "wrapped.txt"
    wrapped.write_text("".join(f"line {n} of a wrapped caption file\n" for n in range(40)), encoding="utf-8")
    script = (
        "import sys\n"
        "from desktop_app.transcript import load_transcript\n"
        f"load_transcript({str(wrapped)!r})\n"
        "print('statistics' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "False"


def test_a_cached_document_opens_without_the_speaker_model(tmp_path: Path) -> None:
    """Once a transcript's speakers are cached, reopening it applies them without importing the speaker
    inference (the worker's imports compete with the window's for the GIL before the first paint)."""
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from desktop_app.document import prepare_document\n"
        "from desktop_app.paths import default_transcript\n"
        f"document = prepare_document(str(default_transcript()), Path({str(tmp_path)!r}), lambda _f: None)\n"
        "print(len(document.readable.speakers), 'desktop_app.speakers' in sys.modules)\n"
    )

    def run() -> str:
        command = [sys.executable, "-c", script]
        return subprocess.run(command, capture_output=True, text=True, check=True, timeout=120).stdout.strip()

    assert run() == "2 True"  # the first open infers the speakers and caches them
    assert run() == "2 False"
