"""Text normalisation for search: names match whatever the accents or case typed."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(value: str) -> str:
    """Lower-case, strip accents and collapse spaces: 'Aïssatou  DIALLO' -> 'aissatou diallo'."""
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def fold_document_number(value: str) -> str:
    """Document numbers are compared without spaces, dashes or case."""
    return re.sub(r"[^0-9a-z]", "", fold(value))
