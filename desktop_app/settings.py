"""UI state kept between runs (QSettings, INI file under the run's config folder).

Only UI state lives here: theme, zoom, window layout, recent files, the last document and the reading
position per document (keyed by the text's sha256). Annotations live in their YAML files.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings

if TYPE_CHECKING:
    from pathlib import Path

MAX_RECENT = 10
MAX_RECENT_QUERIES = 15
THEMES = ("system", "light", "dark")


def _as_int(value: object, default: int) -> int:
    """A stored number (the INI file gives strings back); ``default`` when it is not one."""
    if not isinstance(value, (int, float, str, bytes)):
        return default
    try:
        return int(value)
    except ValueError:
        return default


def _as_list(value: object) -> list[object]:
    """A stored list (a one-item list comes back from the INI file as a plain string)."""
    if isinstance(value, str):
        return [value]
    return list(value) if isinstance(value, Iterable) else []


class Settings:
    """Typed access to the settings file."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._qs = QSettings(str(path), QSettings.Format.IniFormat)

    def sync(self) -> None:
        self._qs.sync()

    # -- appearance -------------------------------------------------------------------------
    @property
    def theme(self) -> str:
        value = str(self._qs.value("appearance/theme", "system"))
        return value if value in THEMES else "system"

    @theme.setter
    def theme(self, value: str) -> None:
        self._qs.setValue("appearance/theme", value if value in THEMES else "system")

    @property
    def zoom(self) -> int:
        """Font size steps relative to the default (−6 … +12)."""
        return max(-6, min(12, _as_int(self._qs.value("appearance/zoom", 0), 0)))

    @zoom.setter
    def zoom(self, value: int) -> None:
        self._qs.setValue("appearance/zoom", int(value))

    # -- window -------------------------------------------------------------------------------
    def window_state(self) -> tuple[QByteArray | None, QByteArray | None]:
        geometry = self._qs.value("window/geometry")
        state = self._qs.value("window/state")
        return (geometry if isinstance(geometry, QByteArray) else None,
                state if isinstance(state, QByteArray) else None)

    def set_window_state(self, geometry: QByteArray, state: QByteArray) -> None:
        self._qs.setValue("window/geometry", geometry)
        self._qs.setValue("window/state", state)

    # -- documents ----------------------------------------------------------------------------
    @property
    def last_document(self) -> str | None:
        value = self._qs.value("documents/last")
        return str(value) if value else None

    @last_document.setter
    def last_document(self, path: str) -> None:
        self._qs.setValue("documents/last", path)

    def recent_files(self) -> list[str]:
        return [str(v) for v in _as_list(self._qs.value("documents/recent", [])) if v]

    def add_recent_file(self, path: str) -> list[str]:
        recent = [path] + [p for p in self.recent_files() if p != path]
        self._qs.setValue("documents/recent", recent[:MAX_RECENT])
        return recent[:MAX_RECENT]

    def clear_recent_files(self) -> None:
        self._qs.setValue("documents/recent", [])

    def recent_queries(self) -> list[str]:
        return [str(v) for v in _as_list(self._qs.value("search/recent", [])) if str(v).strip()]

    def add_recent_query(self, query: str) -> list[str]:
        query = " ".join(query.split())
        recent = ([query] if query else []) + [q for q in self.recent_queries() if q != query]
        self._qs.setValue("search/recent", recent[:MAX_RECENT_QUERIES])
        return recent[:MAX_RECENT_QUERIES]

    def position(self, sha256: str) -> int:
        """The last reading position (document offset) of a document."""
        return max(0, _as_int(self._qs.value(f"positions/{sha256}", 0), 0))

    def set_position(self, sha256: str, offset: int) -> None:
        self._qs.setValue(f"positions/{sha256}", int(offset))
