"""Once per form: an action that adds a record (a note, a household member, a contact
attempt, an answer) takes the key its form was drawn with, and records it in its own
transaction. Sent again with the same key, the form is refused, whatever the record: two
identical notes or two calls on one day may well be real, so the content cannot tell a
repeat from a new record; the key can. A form drawn again (the page reloaded from its link)
has a new key. Payments and quality assessments kept their own keys before this existed.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from remis.audit.models import SentForm
from remis.lib.errors import Duplicate


def already_sent_message() -> str:
    return _("This form was already sent and recorded: it is not recorded twice.")


def sent_once(key: Any, action: str) -> None:
    """Call inside the action's transaction, before its writes: Duplicate for a key seen
    before. Of two sends at once, the unique key lets one through and refuses the other."""
    if key in (None, ""):
        return
    try:
        key = uuid.UUID(str(key))
    except ValueError:
        return  # not a key REMIS drew: nothing to compare
    try:
        with transaction.atomic():
            SentForm.objects.create(key=key, action=action)
    except IntegrityError:
        raise Duplicate(already_sent_message(), "form_key") from None
