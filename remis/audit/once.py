"""Once per send: an action that adds a record (a note, a household member, a contact
attempt, an answer) refuses the same record sent again by the same person moments later —
Back and the button again, a double click, an API client retrying after a timeout.

A key drawn into the form cannot tell: the pages are never cached, so Back fetches the page
again with a new key, and Chromium then puts the typed values back into it. What is sent is
the same, though: the action names what identifies its record (the case, the day, the
channel, the text…), and the same person sending the same thing within `WINDOW` is refused.
A real second call or note moments later reads differently (its note, its time), or is said
in the refusal: change what tells it apart. Payments and quality assessments keep their own
keys (their forms are drawn once per record), from before this existed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from remis.audit.models import SentForm
from remis.lib.errors import Duplicate

WINDOW = dt.timedelta(minutes=30)


def already_sent_message() -> str:
    return _(
        "The same was recorded a moment ago (the form sent twice?): it is not recorded again. "
        "If this is another one, change what tells it apart, such as the note."
    )


def fingerprint(actor: Any, action: str, content: Any) -> uuid.UUID:
    text = json.dumps([getattr(actor, "pk", None), action, content], sort_keys=True, default=str)
    return uuid.UUID(bytes=hashlib.sha256(text.encode()).digest()[:16])


def sent_once(
    actor: Any, action: str, content: Any, field: str | None = None, *, window: dt.timedelta = WINDOW
) -> None:
    """Call inside the action's transaction, before its writes: Duplicate when `actor` sent
    the same `content` for `action` within `window`. Of two sends at once, the unique key
    lets one through and refuses the other."""
    key = fingerprint(actor, action, content)
    now = timezone.now()
    try:
        with transaction.atomic():
            SentForm.objects.create(key=key, action=action, at=now)
        return
    except IntegrityError:
        pass
    # Sent before: refused if lately, else the same content again, long after, is new. Under
    # the row's lock, so that of two such sends at once the second finds the first's time.
    row = SentForm.objects.select_for_update().get(key=key)
    if row.at >= now - window:
        raise Duplicate(already_sent_message(), field)
    row.at = now
    row.save(update_fields=["at"])
