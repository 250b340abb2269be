"""What the fields of organisations, users and roles may hold, declared once: the actions
enforce these rules, and the forms and API schemas take their maximum lengths from here."""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

from remis.lib.fields import Rule, Text

# Usernames appear in URLs of no page, but in the audit log and sign-in: plain ASCII that
# reads the same in every script, as Django's own validator would accept.
USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{1,149}")
# Role codes are stored on memberships and in the audit log: short and stable.
ROLE_CODE = re.compile(r"[a-z][a-z0-9_]{1,31}")

USER: dict[str, Rule] = {
    "username": Text(
        150,
        pattern=USERNAME,
        pattern_hint=_("Use 2 to 150 letters (a–z), digits and . @ + - _, starting with a letter or digit."),
    ),
    "first_name": Text(150, name=True),
    "last_name": Text(150, name=True),
    "email": Text(254, email=True),
}

ORGANISATION: dict[str, Rule] = {
    "name": Text(200, name=True),
}

ROLE: dict[str, Rule] = {
    "code": Text(
        32,
        pattern=ROLE_CODE,
        pattern_hint=_("Use 2 to 32 small letters (a–z), digits and _, starting with a letter."),
    ),
    "name": Text(100, name=True),
}
