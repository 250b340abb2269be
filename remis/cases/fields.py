"""What every field of a case record may hold, declared once. The actions enforce these
rules (so the pages, the API and imports refuse the same input, naming the field), and the
forms and API schemas take their maximum lengths from here.

Date ranges are what is plausible for an AVRR case, not what a calendar allows: nobody
registered today was born before 1900, and a return is planned or travelled within a few
years of today. Lengths leave room for real names, addresses and notes while keeping a
case page a few kilobytes per record."""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

from remis.lib.fields import PHONE_RULE, Dates, Integer, Rule, Text, Years

NAME = 120
NOTE = 5_000  # a note on a journey step (travel, reception, counselling)
CASE_NOTE = 10_000  # a note on the case itself

# Case references: upper-case letters, digits and dashes (GIN-2026-000123): nothing that
# reads as a path, a query or markup when it ends up in a URL, a file name or a report.
REFERENCE = re.compile(r"[A-Z0-9][A-Z0-9-]{1,31}")
CURRENCY = re.compile(r"[A-Z]{3}")

PERSON: dict[str, Rule] = {
    "given_name": Text(NAME, name=True),
    "family_name": Text(NAME, name=True),
    # Other spellings met on documents or in transliteration, one per line.
    "alternate_names": Text(1_000, multiline=True),
    "date_of_birth": Dates(),  # from 1900, not in the future
    "birth_year_estimated": Years(),  # when the exact date is unknown
    "phone": PHONE_RULE,
    "email": Text(254, email=True),
    "address": Text(500, multiline=True),
}

DOCUMENT: dict[str, Rule] = {
    "number": Text(64),
    # An expired document is still worth recording; one valid for more than 20 years is not real.
    "expires_on": Dates(years_before=60, years_after=20),
}

CASE: dict[str, Rule] = {
    "reference": Text(
        32,
        pattern=REFERENCE,
        pattern_hint=_("Use 2 to 32 capital letters, digits and dashes, starting with a letter or digit."),
    ),
    "intended_return_date": Dates(years_before=5, years_after=5),
    "arrival_date": Dates(years_before=30),  # post-arrival cases may start long after the return
}

TRAVEL: dict[str, Rule] = {
    "departure_date": Dates(years_before=5, years_after=5),
    "arrival_date": Dates(years_before=5, years_after=5),
    "route": Text(200),
    "notes": Text(NOTE, multiline=True),
}

RECEPTION: dict[str, Rule] = {
    "received_on": Dates(years_before=30),
    "accommodation_nights": Integer(0, 365),
    "pocket_money_currency": Text(3, pattern=CURRENCY, pattern_hint=_("Give an ISO 4217 code (e.g. EUR).")),
    "notes": Text(NOTE, multiline=True),
}

CONSENT: dict[str, Rule] = {
    "given_on": Dates(years_before=30),
    "note": Text(300),
}

COUNSELLING: dict[str, Rule] = {
    "held_on": Dates(years_before=30),
    "topics": Text(300),
    "notes": Text(NOTE, multiline=True),
}

NEED: dict[str, Rule] = {"description": Text(300)}
NOTE_FIELDS: dict[str, Rule] = {"body": Text(CASE_NOTE, multiline=True)}
DOCUMENT_UPLOAD: dict[str, Rule] = {"title": Text(200)}
TRANSITION: dict[str, Rule] = {"reason": Text(500, multiline=True), "note": Text(500, multiline=True)}
SUBMISSION: dict[str, Rule] = {
    "message": Text(2_000, multiline=True),
    "reason": Text(1_000, multiline=True),
}
