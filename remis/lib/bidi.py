"""Text that must read left to right inside right-to-left sentences."""

from __future__ import annotations

LRM = "\u200e"  # LEFT-TO-RIGHT MARK: a strong left-to-right character, invisible


def left_to_right(text: str) -> str:
    """A hidden count ("<5") kept as written on right-to-left pages: without a strong
    left-to-right character before it, the bidirectional algorithm mirrors "<" and puts it
    after the digit ("5>"). Only for what people read (pages, PDFs, sentences), never for
    data files. The same for a phone number ("+32 470…"): its "+" would move to its end."""
    return LRM + text if text.startswith(("<", "+")) else text


LRI, PDI = "\u2066", "\u2069"  # LEFT-TO-RIGHT ISOLATE … POP DIRECTIONAL ISOLATE


def grouped_number(text: str) -> str:
    """A number grouped by a space ("1 367", as Arabic pages group thousands) kept whole in
    right-to-left sentences: the space between its digits is neutral, and the bidirectional
    algorithm put the groups in reverse order ("367 1"). Isolated as a left-to-right run on
    right-to-left pages only; elsewhere as it is."""
    from django.utils.translation import get_language_bidi

    if get_language_bidi() and any(ch in text for ch in " \u00a0\u202f"):
        return LRI + text + PDI
    return text
