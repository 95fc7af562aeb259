"""PySide6 6.12.0 on CPython <= 3.11 drops a reference to None on every Qt call returning nothing and aborts
the interpreter ("Fatal Python error: none_dealloc") after ~5,200 calls. We pin below 6.12; this guards it."""

from __future__ import annotations

import subprocess
import sys

import PySide6


def test_pinned_below_6_12() -> None:
    major, minor = (int(x) for x in PySide6.__version__.split(".")[:2])
    assert (major, minor) < (6, 12), PySide6.__version__


def test_twenty_thousand_void_calls_do_not_abort_the_interpreter() -> None:
    code = (
        "from PySide6.QtCore import QObject\n"
        "o = QObject()\n"
        "for i in range(20000):\n"
        "    o.setObjectName('x')\n"
        "    QObject().setObjectName('y')\n"
        "print('done')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "done"
