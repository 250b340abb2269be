"""Signing a delivery, and the recipe a receiver follows to verify one.

Headers sent with every delivery:

    X-Remis-Timestamp: 1764600000            (Unix seconds when it was sent)
    X-Remis-Signature: sha256=<hex digest>   (HMAC-SHA256 of timestamp + "." + body)

A receiver computes `hmac.new(secret, f"{timestamp}.".encode() + raw_body, sha256)`, compares
it with `hmac.compare_digest` to the header's hex digest, and refuses a timestamp more than
a few minutes from its own clock (a replayed request). `verify` below is that recipe; the
tests' receiver uses it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from remis.lib.posted import ascii_digits

SECRET_PREFIX = "whsec_"  # noqa: S105 - a label before the random part, not a secret
TOLERANCE_SECONDS = 300


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, timestamp: str, body: bytes, header: str, now: float) -> bool:
    """Whether `header` signs `body` at `timestamp` with `secret`, within the tolerance."""
    if not ascii_digits(timestamp) or abs(now - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), header)
