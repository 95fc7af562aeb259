"""Desktop integration files agree with the application's id, and the bundled resources exist."""

from __future__ import annotations

import configparser
import xml.etree.ElementTree as ET

from desktop_app import APP_ID
from desktop_app.paths import default_transcript, resource_path


def test_desktop_entry_metainfo_and_app_id_agree() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # keys are case-sensitive
    entry.read(resource_path("linux", f"{APP_ID}.desktop"), encoding="utf-8")
    section = entry["Desktop Entry"]
    assert section["Type"] == "Application"
    assert section["Icon"] == APP_ID
    assert "%f" in section["Exec"] or "%F" in section["Exec"]
    assert "application/x-subrip" in section["MimeType"] and "text/vtt" in section["MimeType"]
    metainfo = ET.parse(resource_path("linux", f"{APP_ID}.metainfo.xml")).getroot()
    assert metainfo.findtext("id") == APP_ID
    assert metainfo.find("launchable").text == f"{APP_ID}.desktop"


def test_bundled_resources_are_present() -> None:
    assert default_transcript().stat().st_size > 100_000
    assert resource_path("icons", "transcript-reader.svg").exists()
    assert list(resource_path("fonts").glob("*.ttf"))
    assert resource_path("models").is_dir() and list(resource_path("models").iterdir())
