"""The one helper for background work.

A job is a plain function that receives a ``progress(fraction)`` callback and returns a value; it never
touches a widget or a model. Its result, error and progress come back on the GUI thread through the
callbacks given to :meth:`TaskRunner.submit`; a job with something worth showing early (the first paragraphs
of a long transcript) hands it to ``progress.partial(value)``. Jobs submitted with ``serial=True`` run one at a time on
their own thread (writes to the search index and to annotation files).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, Signal, Slot

logger = logging.getLogger(__name__)

Progress = Callable[[float], None]


class Reporter:
    """What a job receives: call it with a fraction done; ``partial(value)`` sends an early result."""

    def __init__(self, handle: TaskHandle) -> None:
        self._handle = handle

    def __call__(self, fraction: float) -> None:
        """Report the fraction of the job done (0..1)."""
        self._handle.progressed.emit(fraction)

    def partial(self, value: object) -> None:
        """Send an early result to the GUI thread."""
        self._handle.partial.emit(value)


Job = Callable[[Reporter], Any]


class TaskHandle(QObject):
    """Lives on the GUI thread; the worker emits its signals, which Qt queues to this thread.

    Owned by its runner (Qt parent) and deleted with ``deleteLater`` once it has delivered: never while
    one of its own signals is being dispatched.

    Signals:
        succeeded(object): the job's return value.
        failed(str, object): a message and the exception.
        progressed(float): 0..1.
        partial(object): an early result (delivered before ``succeeded``, never after it).
    """

    succeeded = Signal(object)
    failed = Signal(str, object)
    progressed = Signal(float)
    partial = Signal(object)

    def __init__(
        self,
        name: str,
        on_done: Callable[[Any], None] | None,
        on_error: Callable[[str, BaseException], None] | None,
        on_progress: Callable[[float], None] | None,
        parent: QObject | None = None,
        on_partial: Callable[[Any], None] | None = None,
        owner: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.name = name
        self.finished = False
        self._on_done = on_done
        self._on_error = on_error
        self._on_progress = on_progress
        self._on_partial = on_partial
        self.succeeded.connect(self._deliver_result)
        self.failed.connect(self._deliver_error)
        self.progressed.connect(self._deliver_progress)
        self.partial.connect(self._deliver_partial)
        if owner is not None:  # the callbacks belong to the owner: once it is gone, nothing is delivered
            owner.destroyed.connect(self._forget_callbacks)

    @Slot()
    def _forget_callbacks(self) -> None:
        self._on_done = self._on_error = self._on_progress = self._on_partial = None

    @Slot(object)
    def _deliver_result(self, value: object) -> None:
        self.finished = True
        try:
            if self._on_done is not None:
                self._on_done(value)
        finally:
            self._release()

    @Slot(str, object)
    def _deliver_error(self, message: str, error: BaseException) -> None:
        self.finished = True
        try:
            if self._on_error is not None:
                self._on_error(message, error)
            else:
                logger.error("background task %s failed: %s", self.name, message)
        finally:
            self._release()

    def _release(self) -> None:
        self._forget_callbacks()  # drop references now
        self.deleteLater()

    @Slot(float)
    def _deliver_progress(self, fraction: float) -> None:
        if self._on_progress is not None:
            self._on_progress(fraction)

    @Slot(object)
    def _deliver_partial(self, value: object) -> None:
        if self._on_partial is not None:
            self._on_partial(value)


class _Runnable(QRunnable):
    def __init__(self, job: Job, handle: TaskHandle) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._job = job
        self._handle = handle

    def run(self) -> None:
        handle = self._handle
        try:
            result = self._job(Reporter(handle))
        except Exception as error:  # every failure becomes a message on the GUI thread
            logger.debug("task %s failed:\n%s", handle.name, traceback.format_exc())
            handle.failed.emit(str(error) or type(error).__name__, error)
        else:
            handle.succeeded.emit(result)


class TaskRunner(QObject):
    """Runs jobs on a thread pool (and serial jobs on a single-thread pool).

    Owned by the application object unless given another parent, so that a late timer or signal of a
    service never reaches a runner that Python has already collected.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent if parent is not None else QCoreApplication.instance())
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max(2, QThreadPool.globalInstance().maxThreadCount()))
        self._serial = QThreadPool(self)
        self._serial.setMaxThreadCount(1)

    def submit(
        self,
        name: str,
        job: Job,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[str, BaseException], None] | None = None,
        on_progress: Callable[[float], None] | None = None,
        serial: bool = False,
        on_partial: Callable[[Any], None] | None = None,
        owner: QObject | None = None,
    ) -> TaskHandle:
        """Start ``job`` in the background; callbacks run on the GUI thread.

        ``owner``: the object the callbacks act on (a service); when it is destroyed before the job ends
        (a window closed while a worker reads), the callbacks are dropped instead of reaching a deleted object.
        """
        handle = TaskHandle(
            name, on_done, on_error, on_progress, parent=self, on_partial=on_partial, owner=owner
        )
        (self._serial if serial else self._pool).start(_Runnable(job, handle))
        return handle

    def active_count(self) -> int:
        """The number of jobs running now, in both lanes."""
        return self._pool.activeThreadCount() + self._serial.activeThreadCount()

    def wait_serial(self, msecs: int = 30_000) -> bool:
        """Block until the serial lane (index and annotation writes) is idle."""
        return self._serial.waitForDone(msecs)

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until every job is done (used at shutdown and by tests)."""
        return self._pool.waitForDone(msecs) and self._serial.waitForDone(msecs)
