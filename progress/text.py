"""Cleaning names that people type, before they are stored.

A display name, username, cohort name or assignment title is one line of plain text. Terminal
escape sequences (ANSI CSI/OSC), C0 and C1 control characters (NUL, ESC, DEL, line breaks, tabs...)
and the Unicode bidirectional overrides (which can make a name read backwards on screen) are
removed; runs of spaces become one space. Markdown escaping is the UI's job when it renders
(issue 15, item 2); this only keeps bytes that no screen or log should receive out of storage.
"""
from __future__ import annotations

import re
import unicodedata

_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]"            # CSI: ESC [ params final
                   r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: ESC ] ... BEL or ST
                   r"|\x1b[@-Z\\-_]"                       # other two-character escapes
                   r"|\x9b[0-?]*[ -/]*[@-~]")              # 8-bit CSI
_BIDI = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"))


def clean_line(text: str | None) -> str:
    """`text` without escape sequences, control or bidi-override characters, spaces collapsed,
    stripped. Non-text input becomes ""."""
    if not isinstance(text, str):
        return ""
    text = re.sub(r"[\t\n\r\x0b\x0c]+", " ", _ANSI.sub("", text).translate(_BIDI))
    text = "".join(c for c in text if unicodedata.category(c) != "Cc")
    return re.sub(r"\s+", " ", text).strip()
