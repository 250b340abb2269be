"""ISO 3166 countries (via pycountry) and the regional groupings reports use."""

from __future__ import annotations

from functools import cache

import pycountry


@cache
def country_choices() -> list[tuple[str, str]]:
    return sorted(((c.alpha_2, c.name) for c in pycountry.countries), key=lambda p: p[1])


def is_country(code: str | None) -> bool:
    return bool(code) and pycountry.countries.get(alpha_2=str(code).upper()) is not None


def country_name(code: str | None) -> str:
    if not code:
        return ""
    country = pycountry.countries.get(alpha_2=code.upper())
    return country.name if country else code


def alpha3(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code.upper())
    if country is None:
        raise ValueError(f"Unknown country code {code!r}")
    return str(country.alpha_3)
