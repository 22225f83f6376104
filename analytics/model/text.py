"""How text people type is compared: whitespace collapsed, case and «ё» folded, dashes
unified (:func:`fold`, the base of every comparison), and a cell as its user sees it.

Here, at the bottom, because periods, names and codes are all read through it.
"""

from __future__ import annotations

import re

SPACES = re.compile(r"[\s\u00a0\u2007\u2009\u202f]+")
DASHES = re.compile(r"[\u2010-\u2015\u2212-]")


def collapse(text: str) -> str:
    """Trim and collapse every kind of whitespace to single spaces."""
    # Most texts have nothing to change: printable (no whitespace but the space), no
    # double space, none at either end. Told without the pattern, three times faster.
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return SPACES.sub(" ", text).strip()


def fold(text: str) -> str:
    """Case-fold, ё→е, unify dashes and whitespace: the base of every comparison."""
    text = collapse(text).casefold().replace("ё", "е")
    text = DASHES.sub("-", text)
    return re.sub(r"\s*-\s*", "-", text)


def cell_text(raw: object) -> str:
    """A cell as the user sees it, for messages and the "as entered" view."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        # Excel shows 15 significant digits, larger whole numbers as 1E+23.
        return str(int(raw)) if abs(raw) < 1e15 else f"{raw:.15G}"
    return collapse(str(raw))
