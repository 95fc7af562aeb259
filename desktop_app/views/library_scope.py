"""The library's connections to the views that show it: the Library dock and the search panel's library scope.

The panels never call each other: each announces what the user wants, and this module (called by the main
window) connects those intents to the library service and to the session's ``open(path, at, query)``, which
opens the episode at the hit and searches it for the same query, so that every hit is painted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop_app.views.library_panel import connect_library_panel

if TYPE_CHECKING:
    from collections.abc import Callable

    from desktop_app.library.service import LibraryService
    from desktop_app.views.library_panel import LibraryPanel
    from desktop_app.views.search_panel import SearchPanel


def connect_library(
    library_panel: LibraryPanel,
    search_panel: SearchPanel,
    service: LibraryService,
    open_at: Callable[[str, int, str], None],
    reading: Callable[[], str] = lambda: "",
) -> None:
    """Connect the Library dock and the search panel's "Whole library" scope to the library service; a chosen
    hit calls ``open_at(path, offset, query)``; ``reading()`` names the document open in the reader."""
    connect_library_panel(library_panel, service, open_at, reading)
    search_panel.library_query_changed.connect(service.search)
    service.results_ready.connect(search_panel.set_library_result)
    service.indexing_progress.connect(search_panel.set_library_progress)
    search_panel.library_hit_activated.connect(
        lambda path, at: open_at(path, at, search_panel.current_query())
    )
    search_panel.set_library_progress(service.indexed_count, len(service.entries()))
    search_panel.set_library_available(True)


__all__ = ["connect_library"]
