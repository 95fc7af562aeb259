"""The highlight colours: their keys and default meanings (constants only, so that the window's menus and the
annotation service can name them before the annotation model loads, after the first paint). No Qt here."""

from __future__ import annotations

#: The five colour keys (keys 1-5 in the reader) and their default meanings; users can rename the meanings.
COLOR_KEYS: tuple[str, ...] = ("yellow", "green", "blue", "pink", "purple")
DEFAULT_COLOR_MEANINGS: dict[str, str] = {
    "yellow": "Key idea",
    "green": "Quote",
    "blue": "Question",
    "pink": "Disagree",
    "purple": "Follow up",
}
