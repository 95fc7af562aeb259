"""UI state kept between runs (QSettings, INI file under the run's config folder).

Only UI state lives here: theme, zoom, window layout, recent files, the last document and the reading
position per document (keyed by the text's sha256). Annotations live in their YAML files.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

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
        """Write pending changes to the INI file now."""
        self._qs.sync()

    # -- appearance -------------------------------------------------------------------------
    @property
    def theme(self) -> str:
        """``"system"``, ``"light"`` or ``"dark"`` (an unknown stored value reads as ``"system"``)."""
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

    @property
    def hide_fillers(self) -> bool:
        """Clean verbatim: the reader leaves out "um", "uh" and repeated words."""
        return str(self._qs.value("appearance/hide_fillers", "false")).lower() in ("true", "1")

    @hide_fillers.setter
    def hide_fillers(self, value: bool) -> None:
        self._qs.setValue("appearance/hide_fillers", "true" if value else "false")

    @property
    def refine_outline(self) -> bool:
        """Refine the automatic chapters with the contextual encoder (seconds per episode; off by default)."""
        return str(self._qs.value("outline/refine", "false")).lower() in ("true", "1")

    @refine_outline.setter
    def refine_outline(self, value: bool) -> None:
        self._qs.setValue("outline/refine", "true" if value else "false")

    # -- window -------------------------------------------------------------------------------
    def window_state(self) -> tuple[QByteArray | None, QByteArray | None]:
        """The saved window geometry and main-window state (None where none is stored)."""
        geometry = self._qs.value("window/geometry")
        state = self._qs.value("window/state")
        return (
            geometry if isinstance(geometry, QByteArray) else None,
            state if isinstance(state, QByteArray) else None,
        )

    def set_window_state(self, geometry: QByteArray, state: QByteArray) -> None:
        """Save the window geometry and main-window state."""
        self._qs.setValue("window/geometry", geometry)
        self._qs.setValue("window/state", state)

    # -- folders the user chose -----------------------------------------------------------------
    def folder(self, purpose: str) -> str:
        """The folder last chosen for ``purpose`` (``"export"``, ``"export_all"`` …; "" when none or gone)."""
        value = self._qs.value(f"folders/{purpose}")
        return str(value) if value and Path(str(value)).is_dir() else ""

    def set_folder(self, purpose: str, folder: str) -> None:
        """Remember the folder chosen for ``purpose`` (the next dialog for it starts there)."""
        self._qs.setValue(f"folders/{purpose}", folder)

    # -- documents ----------------------------------------------------------------------------
    @property
    def last_document(self) -> str | None:
        """The path of the last document opened (None if none)."""
        value = self._qs.value("documents/last")
        return str(value) if value else None

    @last_document.setter
    def last_document(self, path: str) -> None:
        self._qs.setValue("documents/last", path)

    def recent_files(self) -> list[str]:
        """Recently opened files, newest first."""
        return [str(v) for v in _as_list(self._qs.value("documents/recent", [])) if v]

    def add_recent_file(self, path: str) -> list[str]:
        """Put a path first in the recent files (at most ``MAX_RECENT``); returns the new list."""
        recent = [path] + [p for p in self.recent_files() if p != path]
        self._qs.setValue("documents/recent", recent[:MAX_RECENT])
        return recent[:MAX_RECENT]

    def clear_recent_files(self) -> None:
        """Forget the recent files."""
        self._qs.setValue("documents/recent", [])

    def recent_queries(self) -> list[str]:
        """Recent search queries, newest first."""
        return [str(v) for v in _as_list(self._qs.value("search/recent", [])) if str(v).strip()]

    def add_recent_query(self, query: str) -> list[str]:
        """Put a query (whitespace collapsed) first in the recent queries; returns the new list."""
        query = " ".join(query.split())
        recent = ([query] if query else []) + [q for q in self.recent_queries() if q != query]
        self._qs.setValue("search/recent", recent[:MAX_RECENT_QUERIES])
        return recent[:MAX_RECENT_QUERIES]

    def position(self, sha256: str) -> int:
        """The last reading position (document offset) of a document."""
        return max(0, _as_int(self._qs.value(f"positions/{sha256}", 0), 0))

    def set_position(self, sha256: str, offset: int) -> None:
        """Remember the reading position (document offset) of a document."""
        self._qs.setValue(f"positions/{sha256}", int(offset))
