"""The monitoring configuration, each read through one accessor: the schedule in force for a
programme on a day (ScheduleRules: the programme's own latest version from then, else the
shipped one from defaults/schedules.yaml), and the date arithmetic of rounds."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import ngettext

from remis.lib.defaults import load
from remis.programmes.versioned import InForce, version_on, versions_of

SHIPPED_FROM = dt.date(2000, 1, 1)
MAX_ROUNDS = 12
MAX_MONTHS = 120
MAX_WINDOW_DAYS = 180


@dataclass(frozen=True)
class Round:
    round: int
    months: int
    window_days: int
    instrument: str


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it has no such day
    (31 January + 1 month = 28 or 29 February): how people count "three months after"."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def dates_of(arrival: dt.date, spec: Round) -> tuple[dt.date, dt.date, dt.date]:
    """(due, window opens, window closes) of a round for a returnee who arrived on `arrival`."""
    due = add_months(arrival, spec.months)
    window = dt.timedelta(days=spec.window_days)
    return due, due - window, due + window


def rounds_of(rules: Any) -> list[Round]:
    return [
        Round(int(r["round"]), int(r["months"]), int(r["window_days"]), str(r["instrument"]))
        for r in rules.rounds
    ]


def round_span(months: int, days: int) -> str:
    """A round's place in a schedule, "3 months ± 30 days", each number with its plural
    ("1 months", "± 0 jours" read wrong in each language)."""
    span_months = ngettext("%(n)s month", "%(n)s months", months) % {"n": months}
    span_days = ngettext("%(n)s day", "%(n)s days", days) % {"n": days}
    return f"{span_months} ± {span_days}"


def rules_on(programme_id: int | None, day: dt.date) -> Any:
    """The ScheduleRules in force on `day` (remis/programmes/versioned.py)."""
    from remis.monitoring.models import ScheduleRules

    return version_on(ScheduleRules, programme_id, day)


def rules_in_force() -> InForce:
    """`rules_on` for many cases at once (an import's chunk): `.on(programme_id, day)`."""
    from remis.monitoring.models import ScheduleRules

    return InForce(ScheduleRules)


def rules_history(programme_id: int) -> Any:
    """Every ScheduleRules version that applies to the programme, newest first."""
    from remis.monitoring.models import ScheduleRules

    return versions_of(ScheduleRules, programme_id)


def widest_window() -> int:
    """The widest window (days either side of the due day) of any round ever scheduled:
    every schedule version is kept (rounds point at theirs), so no round's window is wider.
    Lists use it to read only the due days that can matter today."""
    from remis.monitoring.models import ScheduleRules

    widths = [
        int(r["window_days"])
        for rounds in ScheduleRules.objects.values_list("rounds", flat=True)
        for r in rounds
    ]
    return max(widths, default=MAX_WINDOW_DAYS)


def known_instruments() -> list[str]:
    """The instrument codes a round may name: those stored, and the shipped schedule's own
    (known before the instruments are loaded)."""
    from remis.monitoring.models import Instrument

    codes = set(Instrument.objects.values_list("code", flat=True).distinct())
    codes.update(str(r["instrument"]) for r in shipped()["rounds"])
    codes.discard(SATISFACTION)  # answered about an assistance item, not in a round
    return sorted(codes)


def instrument_titles(codes: list[str]) -> dict[str, str]:
    """Each instrument's title in the active language (its latest version's), by code; the
    code itself for one not stored yet."""
    from remis.monitoring.models import Instrument
    from remis.monitoring.response_forms import language
    from remis.monitoring.responses import definition_of

    lang = language()
    titles = {code: code for code in codes}
    for instrument in Instrument.objects.filter(code__in=codes).order_by("code", "-version").distinct():
        if titles[instrument.code] == instrument.code:  # the latest version comes first
            titles[instrument.code] = definition_of(instrument).title.get(lang)
    return titles


def shipped() -> dict[str, Any]:
    return dict(load("monitoring", "schedules.yaml"))


def seed_rules(model: Any) -> None:
    """The shipped schedule (programme blank), kept if present."""
    data = shipped()
    if not model.objects.filter(programme__isnull=True, effective_from=SHIPPED_FROM).exists():
        model.objects.create(
            programme=None,
            effective_from=SHIPPED_FROM,
            rounds=data["rounds"],
            lost_after_attempts=int(data["lost_after_attempts"]),
        )


SHIPPED_INSTRUMENTS = ("reintegration_sustainability.yaml", "satisfaction.yaml")


def shipped_instruments() -> list[dict[str, Any]]:
    """The shipped instruments' definitions, checked (`load_definition`) and as stored."""
    from remis.monitoring.instruments.definition import load_definition

    return [load_definition(load("monitoring", name)).to_dict() for name in SHIPPED_INSTRUMENTS]


def seed_instruments(model: Any) -> int:
    """Store each shipped instrument version not stored yet (a stored version is never
    changed: a new definition ships as a new version). Returns how many were added."""
    added = 0
    for data in shipped_instruments():
        if not model.objects.filter(code=data["code"], version=data["version"]).exists():
            model.objects.filter(code=data["code"]).update(active=False)
            model.objects.create(
                code=data["code"],
                version=data["version"],
                title=data["title"]["en"],
                definition=data,
                active=True,
            )
            added += 1
    return added


SATISFACTION = "assistance-satisfaction"
