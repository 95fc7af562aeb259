"""Every path the application uses: user data, caches, settings and bundled resources.

Plain Python (no Qt) so that domain code and the headless CLI can use it too.
A data directory given on the command line (``--data-dir``) or in ``TRANSCRIPT_READER_DATA_DIR``
keeps *all* user data, settings and caches under that one folder (tests, portable use, smoke runs).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_DIR_NAME = "transcript-reader"
DATA_DIR_ENV = "TRANSCRIPT_READER_DATA_DIR"


def resources_dir() -> Path:
    """The folder of bundled resources, frozen (PyInstaller) or from a source checkout."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    """A bundled resource file, e.g. ``resource_path("models", "sentences.json.gz")``."""
    return resources_dir().joinpath(*parts)


OUTLINE_ENCODER = ("models", "outline_minilm.npz")
"""The contextual encoder of the refined outline (21 MB): in a source checkout, left out of the packaged app."""


def outline_encoder_present() -> bool:
    """Whether the refined outline's encoder file is there (a source checkout; not the packaged app)."""
    return resource_path(*OUTLINE_ENCODER).is_file()


def default_transcript() -> Path:
    """The transcript opened when the user gives none."""
    return resource_path("transcripts", "lex-383-mark-zuckerberg.txt")


@dataclass(frozen=True)
class AppDirs:
    """Where user data, caches and settings live for this run."""

    data: Path
    cache: Path
    config: Path

    @property
    def annotations(self) -> Path:
        """The folder of the annotation (YAML) files."""
        return self.data / "annotations"

    @property
    def settings_file(self) -> Path:
        """The INI file of the UI settings."""
        return self.config / "settings.ini"

    def ensure(self) -> None:
        """Create the folders (idempotent)."""
        for folder in (self.data, self.cache, self.config, self.annotations):
            folder.mkdir(parents=True, exist_ok=True)


def app_dirs(data_dir: str | os.PathLike[str] | None = None) -> AppDirs:
    """The directories for this run: one override folder, or the platform's standard places."""
    override = data_dir if data_dir is not None else os.environ.get(DATA_DIR_ENV)
    if override:
        root = Path(override).expanduser().resolve()
        return AppDirs(data=root / "data", cache=root / "cache", config=root / "config")
    return AppDirs(
        data=Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False)),
        cache=Path(platformdirs.user_cache_dir(APP_DIR_NAME, appauthor=False)),
        config=Path(platformdirs.user_config_dir(APP_DIR_NAME, appauthor=False)),
    )
