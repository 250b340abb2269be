"""Importing monitoring visits as they were recorded elsewhere: one row a round of a case
reached (the case named by the organisation's external ID, `case_external_id`), with its
day and mode (`remis/interop/importing.py` runs it; registered in `MonitoringConfig.ready`).

A row is checked as the visit form checks it (the follow-up contact consent, a day neither
in the future nor before the arrival, a mode from the list, a note's length) and against
the case's schedule: the round must be one of the schedule in force on the arrival date. A
round the case has not got yet (an imported case has no schedule: an import starts none)
is created for that row alone, done on the day of the visit; no other round is created, so
a 2011 return gets no "missed" rounds. A round already visited is updated when the row
differs, unchanged otherwise: a file imported twice changes nothing. No event is emitted:
nothing reacts to a visit made years ago. One audit entry per visit, by the uploader.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from remis.audit.actions import diff, record_many
from remis.cases.actions.validation import Problems
from remis.cases.imports import day_value, may_import
from remis.cases.imports_journey import CASE_KEY, CaseRecords
from remis.cases.models import Case
from remis.interop.importing import Checked, Column, Entity, Outcome, Row
from remis.monitoring.configuration import dates_of, rounds_of, rules_in_force
from remis.monitoring.models import FollowUp, FollowUpStatus, Visit, VisitMode
from remis.monitoring.queries import consented_on, follow_up_statements

ENTITY = "visits"
NOTE_MAX = 2000


class VisitImporter(CaseRecords):
    def check(self, rows: list[Row]) -> list[Checked]:
        cases = self._cases(rows)
        statements = follow_up_statements(list(cases.values()))
        rounds = {
            (f.case_id, f.round): f
            for f in FollowUp.objects.filter(case__in=list(cases.values())).select_related("rules")
        }
        visits = {v.follow_up_id: v for v in Visit.objects.filter(follow_up__in=list(rounds.values()))}
        today = timezone.localdate()
        self._in_force = rules_in_force()  # the schedules, read once for the chunk
        seen: set[tuple[int, int]] = set()
        results = []
        for row in rows:
            problems = Problems()
            v = row.values
            case = self._case(problems, row, cases)
            number = self._round(problems, v["round"])
            day = day_value(problems, "visited_on", v["visited_on"])
            if not v["visited_on"]:
                problems.add("visited_on", _("Give the day of the visit."))
            elif day is not None and day > today:
                problems.add("visited_on", _("The date cannot be in the future."))
            if v["mode"] not in VisitMode.values:
                # A file's cell: the codes it may hold, as the template lists them.
                problems.add("mode", _("Choose one of: %(codes)s.") % {"codes": ", ".join(VisitMode.values)})
            if len(v["note"]) > NOTE_MAX:
                problems.add("note", _("Write at most %(limit)s characters.") % {"limit": NOTE_MAX})
            spec = None
            if case is not None:
                if not consented_on(statements.get(case.pk, []), day):
                    problems.add(
                        "case_external_id",
                        _(
                            "The returnee had not consented to follow-up contact on the day of the "
                            "visit: import their consent first."
                        ),
                    )
                if case.arrival_date is None:
                    problems.add("case_external_id", _("This case has not returned: it has no follow-up."))
                elif day is not None and day < case.arrival_date:
                    problems.add("visited_on", _("The date cannot be before the returnee's arrival."))
                elif number is not None and (case.pk, number) not in rounds:
                    spec = self._spec(problems, case, number)
                if number is not None and (case.pk, number) in seen:
                    problems.add("round", _("An earlier row of the file is about this round."))
            if not problems.items and case is not None and number is not None and day is not None:
                self._check_window(problems, case, number, day, rounds)
            if problems.items or case is None or number is None or day is None:
                results.append(Checked(row, Outcome.REFUSED, problems.items))
                continue
            seen.add((case.pk, number))
            values = {"visited_on": day, "mode": v["mode"], "note": v["note"]}
            follow_up = rounds.get((case.pk, number))
            if follow_up is None:
                results.append(Checked(row, Outcome.CREATE, payload=(case, number, spec, None, values, {})))
                continue
            visit = visits.get(follow_up.pk)
            if visit is None:
                if follow_up.status == FollowUpStatus.STOPPED:
                    results.append(self._stopped(row))
                    continue
                results.append(
                    Checked(row, Outcome.CREATE, payload=(case, number, None, follow_up, values, {}))
                )
                continue
            changes = diff({k: getattr(visit, k) for k in values}, values)
            outcome = Outcome.UPDATE if changes else Outcome.UNCHANGED
            results.append(Checked(row, outcome, payload=(case, number, None, follow_up, values, changes)))
        return results

    def _round(self, problems: Problems, text: str) -> int | None:
        try:
            number = int(text)
        except ValueError:
            problems.add("round", _("Give the round's number: 1, 2, 3…"))
            return None
        if not 1 <= number <= 50:
            problems.add("round", _("Give the round's number: 1, 2, 3…"))
            return None
        return number

    def _spec(self, problems: Problems, case: Case, number: int) -> Any:
        assert case.arrival_date is not None
        rules = self._in_force.on(case.programme_id, case.arrival_date)
        spec = next((r for r in rounds_of(rules) if r.round == number), None) if rules else None
        if spec is None:
            problems.add(
                "round",
                _("The schedule in force on the arrival date has no round %(round)s.") % {"round": number},
            )
            return None
        return (rules, spec)

    def _check_window(
        self, problems: Problems, case: Case, number: int, day: Any, rounds: dict[Any, FollowUp]
    ) -> None:
        """As on the round's page (`actions.record_visit`): a visit dated in another round's
        window belongs to it, and one before its own round's window would close that round
        early. A row of round 3 (a year on) dated two months after arrival made it done."""
        windows = self._windows(case, rounds)
        other = next((n for n, (start, end) in windows.items() if n != number and start <= day <= end), None)
        if other is not None:
            problems.add(
                "round",
                _(
                    "This day is in round %(other)s's window: record the visit for round %(other)s, "
                    "or check the date."
                )
                % {"other": other},
            )
            return
        if number not in windows:
            return
        start = windows[number][0]
        if day < start:
            problems.add(
                "visited_on",
                _(
                    "Round %(round)s's window opens on %(day)s: a visit before it would close the "
                    "round early. Check the round and the date."
                )
                % {"round": number, "day": date_format(start, "SHORT_DATE_FORMAT")},
            )

    def _windows(self, case: Case, rounds: dict[Any, FollowUp]) -> dict[int, tuple[Any, Any]]:
        """Each round's window: the round's own where it exists, else as the schedule in
        force on the arrival day would set it (a historic case's rounds are made by the file)."""
        windows: dict[int, tuple[Any, Any]] = {}
        if case.arrival_date is not None:
            rules = self._in_force.on(case.programme_id, case.arrival_date)
            for spec in rounds_of(rules) if rules else []:
                _due, start, end = dates_of(case.arrival_date, spec)
                windows[spec.round] = (start, end)
        for (case_id, number), follow_up in rounds.items():
            if case_id == case.pk:
                windows[number] = (follow_up.window_start, follow_up.window_end)
        return windows

    def _stopped(self, row: Row) -> Checked:
        message = _("This round was stopped when the case closed: a visit cannot be recorded for it.")
        return Checked(row, Outcome.REFUSED, [("round", message)])

    def write(self, accepted: list[Checked]) -> None:
        entries: list[tuple[Any, dict[str, list[Any]] | None, Any]] = []
        updated: list[tuple[Any, dict[str, list[Any]] | None, Any]] = []
        for item in accepted:
            case, number, spec, follow_up, values, changes = item.payload
            if follow_up is None:
                rules, round_spec = spec
                due, start, end = dates_of(case.arrival_date, round_spec)
                follow_up = FollowUp.objects.create(
                    case=case, host_country=case.host_country, origin_country=case.origin_country,
                    round=number, months=round_spec.months, instrument=round_spec.instrument, due_on=due,
                    window_start=start, window_end=end, rules=rules, status=FollowUpStatus.DONE,
                    done_on=values["visited_on"],
                )  # fmt: skip
            if item.outcome == Outcome.CREATE:
                visit = Visit.objects.create(follow_up=follow_up, case=case, recorded_by=self.actor, **values)
                FollowUp.objects.filter(pk=follow_up.pk).update(
                    status=FollowUpStatus.DONE, done_on=values["visited_on"], lost_on=None,
                    version=F("version") + 1,
                )  # fmt: skip
                given = {k: (v.isoformat() if k == "visited_on" else v) for k, v in values.items() if v}
                entries.append((visit, {"round": [None, number], **diff({}, given)}, case.uuid))
            else:
                kept = Visit.objects.filter(follow_up=follow_up).order_by("-id").first()
                assert kept is not None  # checked in this chunk's transaction
                visit = kept
                Visit.objects.filter(pk=visit.pk).update(**values, version=F("version") + 1)
                FollowUp.objects.filter(pk=follow_up.pk).update(
                    done_on=values["visited_on"], version=F("version") + 1
                )
                updated.append((visit, {"round": [number, number], **changes}, case.uuid))
        record_many(self.actor, "monitoring.visit_import", entries)
        record_many(self.actor, "monitoring.visit_import_update", updated)


def entity() -> Entity:
    return Entity(
        code=ENTITY,
        label=gettext_lazy("Monitoring visits"),
        description=gettext_lazy(
            "One row a follow-up round of a case in which the returnee was reached, with the day and "
            "the mode of the visit."
        ),
        columns=(
            CASE_KEY,
            Column("round", gettext_lazy("Round"), True, "1"),
            Column("visited_on", gettext_lazy("Date of the visit"), True, "2010-06-10"),
            Column("mode", gettext_lazy("Mode"), True, "in_person", lambda: list(VisitMode.values)),
            Column("note", gettext_lazy("Note"), False, ""),
        ),
        start=VisitImporter,
        may_import=may_import,
    )


def register() -> None:
    from remis.interop.importing import register_entity

    register_entity(entity())
