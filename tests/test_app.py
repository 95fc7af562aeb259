"""The composition root (``desktop_app.app``): what it sets up before the window is built."""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from desktop_app import app as app_module
from desktop_app.views import theme

if TYPE_CHECKING:
    import pytest
    from PySide6.QtWidgets import QApplication


def test_the_palette_is_set_before_the_window_is_built(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Set after the widgets exist, the palette would polish every widget again (session 10's start-up)."""
    seen: list[tuple[bool, str]] = []

    def fake_window(_session: Any) -> str:
        seen.append((theme.palette_is_dark(qapp.palette()), qapp.style().name().lower()))
        return "window"

    # Only the order matters here: the services and the window are stand-ins.
    monkeypatch.setattr("desktop_app.views.main_window.MainWindow", fake_window)
    monkeypatch.setattr("desktop_app.session.ReadingSession", lambda *_a, **_k: "session")
    monkeypatch.setattr("desktop_app.library.service.LibraryService", lambda *_a, **_k: "library")
    monkeypatch.setattr("desktop_app.annotations.service.AnnotationService", lambda *_a: "notes")
    monkeypatch.setattr("desktop_app.search.service.SearchService", lambda *_a: "search")
    palette, style = qapp.palette(), qapp.style().name()
    theme.apply_palette(qapp, "light")
    try:
        service = SimpleNamespace(dirs=None)
        window = app_module._build_window(qapp, service, None, SimpleNamespace(theme="dark"))  # type: ignore[arg-type]
    finally:
        qapp.setStyle(style)
        qapp.setPalette(palette)
    assert window == "window"
    assert seen == [(True, "fusion")]


def test_the_garbage_collector_pauses_for_the_start_up_and_resumes_once() -> None:
    import gc

    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    try:
        resume = app_module.pause_garbage_collector()
        assert not gc.isenabled()
        assert app_module.pause_garbage_collector()() is None  # nested: a no-op that leaves it paused
        assert not gc.isenabled()
        resume()
        assert gc.isenabled()
        assert gc.get_freeze_count() > frozen  # what start-up made is no longer walked
        gc.disable()
        gc.enable()
        resume()  # idempotent: enabled stays enabled, nothing frozen again
        assert gc.isenabled()
    finally:
        gc.enable()
        gc.unfreeze()


def test_what_waits_for_the_first_paint_happens_once(qapp: QApplication) -> None:
    """The icon, the italic reading font and the collector wait for the text's first paint (start-up)."""
    from PySide6.QtGui import QFontDatabase, QIcon

    qapp.setWindowIcon(QIcon())
    calls: list[str] = []
    finish = app_module._after_first_paint(qapp, lambda: calls.append("gc"))
    finish()
    finish()
    assert calls == ["gc"]
    assert not qapp.windowIcon().isNull()
    assert "Italic" in QFontDatabase.styles("Charis SIL")
