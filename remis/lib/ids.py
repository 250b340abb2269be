"""Time-ordered identifiers (UUID version 7, RFC 9562): 48 bits of Unix milliseconds, then
random bits. Rows written in bulk with them land at the end of their unique index instead of
all over it, which keeps a large import's commits small. Python 3.11 has no uuid.uuid7."""

from __future__ import annotations

import os
import time
import uuid


def uuid7() -> uuid.UUID:
    millis = time.time_ns() // 1_000_000
    value = (millis & ((1 << 48) - 1)) << 80 | int.from_bytes(os.urandom(10), "big")
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant
    return uuid.UUID(int=value)


def as_uuid(value: uuid.UUID | str) -> uuid.UUID:
    """The UUID itself, or the one its text spells (any spelling): a bulk write audits
    thousands of UUIDs that are already parsed, and parsing them again cost time."""
    return value if type(value) is uuid.UUID else uuid.UUID(str(value))
