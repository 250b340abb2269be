"""ISO 3166 countries (via pycountry), plus Kosovo, named in the reader's language.

pycountry lists the countries of ISO 3166-1, which has no entry for Kosovo; yet Kosovo is one
of the largest countries of return in AVRR. It takes the user-assigned codes `XK` / `XKX`
(as the European Commission and Unicode's CLDR use `XK`), and is named "Kosovo/UNSC 1244"
as IOM's annual reports write it.

Names are translated with the ISO 3166 catalogues pycountry ships (gettext domain
`iso3166-1`), into the active Django language; each language's names and sorted choices
are built once.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterable
from functools import cache
from typing import Any

import pycountry
from django.utils import translation

from remis.lib.text import fold

KOSOVO = "XK"
# Codes pycountry does not know, with their alpha-3 code and names by language.
_EXTRA: dict[str, tuple[str, dict[str, str]]] = {
    KOSOVO: (
        "XKX",
        {
            "en": "Kosovo/UNSC 1244",
            "fr": "Kosovo/RCSNU 1244",
            "ar": "كوسوفو/قرار مجلس الأمن 1244",
        },
    ),
}
# Names pycountry's catalogues miss (its English name changed after the translation was made)
# or give wrongly: Serbia was "صربية" (the adjective) and Belarus its former name, in every
# Arabic page and file (the names the UN's Arabic terminology uses).
_MISSING: dict[str, dict[str, str]] = {"ar": {"TR": "تركيا", "RS": "صربيا", "BY": "بيلاروس"}}


def _language(language: str | None) -> str:
    """The language to name countries in: the given one, else the active one (English when
    translation is off), reduced to its base (`fr-ca` reads French)."""
    code = language or translation.get_language() or "en"
    return code.split("-")[0].lower()


@cache
def _names(language: str) -> dict[str, str]:
    """Alpha-2 code -> name in `language`; English names where a catalogue lacks one."""
    catalogue = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True)
    names = {str(c.alpha_2): catalogue.gettext(str(c.name)) for c in pycountry.countries}
    names.update(_MISSING.get(language, {}))
    for code, (_alpha3, by_language) in _EXTRA.items():
        names[code] = by_language.get(language, by_language["en"])
    return names


def by_name(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(code, name) pairs sorted by name as a reader expects: accents and case aside,
    so "Égypte" sits among the E's, not after "Zimbabwe"."""
    return sorted(pairs, key=lambda pair: (fold(pair[1]), pair[1]))


@cache
def _choices(language: str) -> list[tuple[str, str]]:
    return by_name(list(_names(language).items()))


def country_choices(language: str | None = None) -> list[tuple[str, str]]:
    """Every country as (alpha-2 code, name), sorted by name, in the active language."""
    return _choices(_language(language))


def country_name(code: str | None, language: str | None = None) -> str:
    """The country's name in `language` (default: the active one); unknown codes as given."""
    if not code:
        return ""
    return _names(_language(language)).get(code.upper(), code)


def named_countries(codes: list[str] | set[str], language: str | None = None) -> list[tuple[str, str]]:
    """Some countries as (code, name), sorted by name, in the active language."""
    return by_name([(code, country_name(code, language)) for code in codes])


def country_name_place(codes: Iterable[str], field: str = "country") -> Any:
    """An expression giving each row the place of its `field`'s country among `codes` sorted
    by name in the active language, to order a list "by country" as its Country filter lists
    them: by ISO code, Arabic read إثيوبيا، غينيا، العراق (ET, GN, IQ), in no order of its
    own. None for no codes (PostgreSQL reads a bare "ORDER BY 0" as a column number)."""
    from django.db.models import Case, When

    found = set(codes)
    if not found:
        return None
    named = named_countries(found)
    return Case(*(When(**{field: code}, then=i) for i, (code, _name) in enumerate(named)), default=len(named))


def is_country(code: str | None) -> bool:
    return bool(code) and str(code).upper() in _names("en")


def alpha3(code: str) -> str:
    upper = code.upper()
    if upper in _EXTRA:
        return _EXTRA[upper][0]
    country = pycountry.countries.get(alpha_2=upper)
    if country is None:
        raise ValueError(f"Unknown country code {code!r}")
    return str(country.alpha_3)
