"""Stable pseudonyms: HMAC-SHA256 under a dedicated key of a record's UUID, with the kind
of record in the message so that a person and a case never share one.

The same key gives the same pseudonym in every extract (researchers can join two
extracts); another key gives unrelated ones, and without the key a pseudonym cannot be
turned back into the UUID, nor checked against a guessed one. The key is
`settings.RESEARCH_PSEUDONYM_KEY`; unset (development, tests) it is derived from
SECRET_KEY, which ties every pseudonym to that key: production sets its own and keeps it
(docs/data-protection.md)."""

from __future__ import annotations

import hashlib
import hmac
import uuid

from django.conf import settings

LENGTH = 32  # hex digits kept: 128 bits, no collision in any realistic population


def pseudonym_key() -> bytes:
    configured = getattr(settings, "RESEARCH_PSEUDONYM_KEY", "")
    if configured:
        return configured.encode()
    return hmac.new(
        settings.SECRET_KEY.encode(), b"remis.reports.research.pseudonyms", hashlib.sha256
    ).digest()


def pseudonym(kind: str, record: uuid.UUID | str, key: bytes | None = None) -> str:
    """`kind`: "person" or "case"."""
    message = f"{kind}:{uuid.UUID(str(record))}".encode()
    return hmac.new(key or pseudonym_key(), message, hashlib.sha256).hexdigest()[:LENGTH]


def key_fingerprint(key: bytes | None = None) -> str:
    """Names the key without giving it: two extracts with the same fingerprint have
    joinable pseudonyms."""
    return hmac.new(key or pseudonym_key(), b"fingerprint", hashlib.sha256).hexdigest()[:12]
