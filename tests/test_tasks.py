"""The task runner: results reach the GUI thread, and never an owner that has been deleted."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject

from desktop_app.tasks import Reporter, TaskRunner

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot


def _blocked_job(release: threading.Event) -> object:
    def job(_report: Reporter) -> int:
        release.wait(10)
        return 42

    return job


def test_the_result_reaches_a_living_owner(qtbot: QtBot) -> None:
    runner, owner, got = TaskRunner(), QObject(), []
    release = threading.Event()
    handle = runner.submit("job", _blocked_job(release), on_done=got.append, owner=owner)
    with qtbot.waitSignal(handle.destroyed, timeout=10_000):
        release.set()
    assert got == [42]


def test_a_deleted_owner_gets_no_callback(qtbot: QtBot) -> None:
    runner, owner, got, errors = TaskRunner(), QObject(), [], []
    release = threading.Event()
    handle = runner.submit(
        "job",
        _blocked_job(release),
        on_done=got.append,
        on_error=lambda message, _e: errors.append(message),
        owner=owner,
    )
    shiboken6.delete(owner)  # the window closed while the worker was reading
    with qtbot.waitSignal(handle.destroyed, timeout=10_000):
        release.set()
    assert got == [] and errors == []
