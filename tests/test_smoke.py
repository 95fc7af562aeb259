"""The real application end to end, in its own process: ``--smoke-test`` must pass and save a highlight."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml


def test_smoke_test_opens_searches_highlights_and_saves(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    shot = tmp_path / "window.png"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "desktop_app",
            "--smoke-test",
            "--data-dir",
            str(tmp_path / "data"),
            "--screenshot",
            str(shot),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    payload = json.loads(result.stdout.strip().splitlines()[-1])
    assert payload["ok"] is True
    assert payload["gc_enabled"] is True  # the collector paused for the start-up runs again
    assert payload["document"]["words"] == 29633
    assert payload["document"]["sections"] >= 5
    assert payload["search_hits"] > 0
    saved = yaml.safe_load(Path(payload["annotations_file"]).read_text(encoding="utf-8"))
    assert saved["annotations"][0]["tags"] == ["smoke-test"]
    assert Path(payload["annotations_file"]).is_relative_to(tmp_path)
    assert shot.stat().st_size > 10_000
