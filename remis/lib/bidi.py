"""Text that must read left to right inside right-to-left sentences."""

from __future__ import annotations

LRM = "\u200e"  # LEFT-TO-RIGHT MARK: a strong left-to-right character, invisible


def left_to_right(text: str) -> str:
    """A hidden count ("<5") kept as written on right-to-left pages: without a strong
    left-to-right character before it, the bidirectional algorithm mirrors "<" and puts it
    after the digit ("5>"). Only for what people read (pages, PDFs, sentences), never for
    data files. The same for a phone number ("+32 470…"): its "+" would move to its end."""
    return LRM + text if text.startswith(("<", "+")) else text
