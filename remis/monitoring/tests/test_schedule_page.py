"""A programme's managers set its monitoring schedule on a page (a new version from a day,
audited); others read it; bad rows are refused on the row and field they are in."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from remis.audit.models import AuditEntry
from remis.lib.errors import PermissionDenied, ValidationFailed
from remis.monitoring import actions
from remis.monitoring.configuration import rules_on
from remis.monitoring.models import ScheduleRules

pytestmark = pytest.mark.django_db
INSTRUMENT = "reintegration-sustainability"


def test_a_manager_records_a_schedule_untouched_rows_left_blank(client, world):
    page = reverse("schedule_rules", args=[world.programme.code])
    client.force_login(world.admin)
    shown = client.get(page).text
    assert "3 months ± 30 days" in shown and "(shipped defaults)" in shown
    today = timezone.localdate()
    data = {
        "effective_from": today.isoformat(),
        "lost_after_attempts": "2",
        "months_1": "2",
        "window_1": "15",
        "instrument_1": INSTRUMENT,
        "months_2": "9",
        "window_2": "20",
        "instrument_2": INSTRUMENT,
    }
    saved = client.post(page, data, follow=True)
    assert "The new monitoring schedule is recorded." in saved.text
    rules = rules_on(world.programme.pk, today)
    assert [(r["round"], r["months"], r["window_days"]) for r in rules.rounds] == [(1, 2, 15), (2, 9, 20)]
    assert rules.lost_after_attempts == 2
    assert AuditEntry.objects.filter(action="monitoring.schedule_rules").count() == 1


def test_the_form_saved_untouched_records_nothing_and_keeps_the_schedule(client, world):
    page = reverse("schedule_rules", args=[world.programme.code])
    client.force_login(world.admin)
    text = client.get(page).text
    import re

    data = dict(re.findall(r'name="(\w+)"[^>]*value="([^"]*)"', text))
    # The selects: each round's instrument is pre-selected, the empty rows' not.
    for name, options in re.findall(r'<select name="(\w+)"[^>]*>(.*?)</select>', text, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', options)
        data[name] = chosen.group(1) if chosen else ""
    assert [data[f"instrument_{n}"] for n in (1, 2, 3, 4)] == [INSTRUMENT, INSTRUMENT, INSTRUMENT, ""]
    data.pop("csrfmiddlewaretoken", None)
    # Sent untouched, it is the schedule in force: recording it again added an identical
    # version to the list of versions.
    again = client.post(page, data)
    assert "already the schedule in force on that day: nothing is recorded" in again.text
    assert not ScheduleRules.objects.filter(programme=world.programme).exists()
    client.post(page, {**data, "lost_after_attempts": "4"})  # the rest as it was filled in
    rules = ScheduleRules.objects.get(programme=world.programme)
    assert [r["months"] for r in rules.rounds] == [3, 6, 12] and rules.lost_after_attempts == 4


def test_bad_rows_are_refused_on_their_row(client, world):
    page = reverse("schedule_rules", args=[world.programme.code])
    client.force_login(world.admin)
    data = {
        "effective_from": timezone.localdate().isoformat(),
        "lost_after_attempts": "0",
        "months_1": "6",
        "window_1": "15",
        "instrument_1": INSTRUMENT,
        "months_2": "3",
        "window_2": "999",
        "instrument_2": INSTRUMENT,
    }
    refused = client.post(page, data)
    assert refused.status_code == 400
    assert (
        'id="schedule-months_2_error"' in refused.text
        and "Each round comes after the one before it." in refused.text
    )
    assert 'id="schedule-window_2_error"' in refused.text
    assert 'id="schedule-lost_after_attempts_error"' in refused.text
    assert not ScheduleRules.objects.filter(programme=world.programme).exists()
    # A round given its months only: its blanks are asked for, not called wrong.
    half = client.post(
        page, {**data, "lost_after_attempts": "3", "months_2": "12", "window_2": "", "instrument_2": ""}
    )
    assert "Enter the window in days." in half.text and "Choose the instrument of this round." in half.text
    assert "Choose an instrument REMIS knows." not in half.text and "Enter a window of 0 to" not in half.text


def test_a_case_worker_reads_without_a_form(client, world):
    page = reverse("schedule_rules", args=[world.programme.code])
    client.force_login(world.bob)
    assert "Record the schedule" not in client.get(page).text
    assert client.post(page, {}).status_code == 403
    with pytest.raises(PermissionDenied):
        actions.set_schedule_rules(
            world.bob, world.programme, effective_from=dt.date(2026, 1, 1), rounds=[], lost_after_attempts=3
        )


def test_an_unknown_instrument_is_refused(world):
    with pytest.raises(ValidationFailed) as refused:
        actions.set_schedule_rules(
            world.admin,
            world.programme,
            effective_from=dt.date(2026, 1, 1),
            rounds=[{"months": 3, "window_days": 30, "instrument": "nope"}],
            lost_after_attempts=3,
        )
    assert refused.value.field == "rounds[0].instrument"


def test_the_schedule_and_a_responses_instrument_read_as_words_in_the_audit_log(world):
    from django.utils import translation

    from remis.audit.presentation import describe_entries
    from remis.monitoring.responses import current_instrument, record_response
    from remis.monitoring.tests.test_instrument_scoring import answers

    actions.set_schedule_rules(
        world.admin,
        world.programme,
        effective_from=dt.date(2026, 1, 1),
        rounds=[
            {"months": 3, "window_days": 30, "instrument": INSTRUMENT},
            {"months": 12, "window_days": 45, "instrument": INSTRUMENT},
        ],
        lost_after_attempts=3,
    )
    rss = current_instrument(INSTRUMENT)
    assert rss is not None
    record_response(world.bob, rss, answers=answers(), collected_on=timezone.localdate(), sample_id="GN-1")
    entries = AuditEntry.objects.filter(
        action__in=["monitoring.schedule_rules", "monitoring.response"]
    ).order_by("id")
    with translation.override("en"):
        views = describe_entries(entries, groups=frozenset())
    lines = {line.field: line.after for view in views for line in view.changes}
    assert (
        lines["rounds"]
        == "Round 1: 3 months ± 30 days after arrival; Round 2: 12 months ± 45 days after arrival"
    )
    assert lines["instrument"] == f"{rss.title}, version 1"
    assert "{" not in lines["rounds"] and INSTRUMENT not in lines["instrument"]
    # A case's own rounds, as scheduling logs them ([round, due day, status]).
    from remis.monitoring.audit_fields import _round

    with translation.override("en"):
        assert _round(1, [1, "2027-03-01", "scheduled"]) == "Round 1: due 1 Mar 2027"


def test_rounds_name_their_instrument_by_title_and_never_the_satisfaction_survey(client, world):
    """The select offered `assistance-satisfaction` (asked about an item, not in a round),
    and both the select and the table showed codes."""
    page = reverse("schedule_rules", args=[world.programme.code])
    client.force_login(world.admin)
    text = client.get(page).text
    assert "assistance-satisfaction" not in text
    assert f'<option value="{INSTRUMENT}" selected>' in text and f">{INSTRUMENT}<" not in text
    refused = client.post(
        page,
        {
            "effective_from": timezone.localdate().isoformat(),
            "lost_after_attempts": "3",
            "months_1": "6",
            "window_1": "15",
            "instrument_1": "assistance-satisfaction",
        },
    )
    assert refused.status_code == 400 and not ScheduleRules.objects.filter(programme=world.programme).exists()


def test_a_bad_round_after_blank_rows_is_named_on_its_own_row(client, world):
    """Rounds 1-2 filled, 3-4 blank, round 5 typed alone: its errors showed under round 3."""
    page = reverse("schedule_rules", args=[world.programme.code])
    client.force_login(world.admin)
    data = {
        "effective_from": timezone.localdate().isoformat(),
        "lost_after_attempts": "3",
        "months_1": "3",
        "window_1": "30",
        "instrument_1": INSTRUMENT,
        "months_2": "6",
        "window_2": "30",
        "instrument_2": INSTRUMENT,
        "months_5": "24",
    }
    refused = client.post(page, data)
    assert refused.status_code == 400
    html = refused.text
    assert (
        'id="schedule-window_5_error"' in html
        or "schedule-window_5" in html.split("Enter a window of 0")[0][-600:]
    )
    assert "Round 5: window (± days)" in html.split('class="error-summary"')[1].split("</div>")[0]
    assert "Round 3: window" not in html.split('class="error-summary"')[1].split("</div>")[0]


def test_overlapping_windows_are_refused_on_the_later_round(world):
    with pytest.raises(ValidationFailed) as refused:
        actions.set_schedule_rules(
            world.admin,
            world.programme,
            effective_from=timezone.localdate(),
            rounds=[
                {"months": 3, "window_days": 120, "instrument": INSTRUMENT},
                {"months": 6, "window_days": 120, "instrument": INSTRUMENT},
            ],
            lost_after_attempts=3,
        )
    assert refused.value.errors == [
        (
            "rounds[1].window_days",
            "This window meets round 1's: a visit could count for both. Shorten one of the two windows.",
        )
    ]
    # The shipped defaults (3, 6 and 12 months, ±30 days) and a month apart ±13 days pass.
    actions.set_schedule_rules(
        world.admin,
        world.programme,
        effective_from=timezone.localdate(),
        rounds=[
            {"months": 1, "window_days": 12, "instrument": INSTRUMENT},
            {"months": 2, "window_days": 12, "instrument": INSTRUMENT},
            {"months": 6, "window_days": 30, "instrument": INSTRUMENT},
        ],
        lost_after_attempts=3,
    )


def test_pages_link_only_to_the_monitoring_pages_the_reader_may_open(client, world):
    """A reader who may neither record monitoring nor configure programmes was offered the
    instruments and the imports, and met "Not allowed"."""
    from remis.cases.tests.factories import make_user

    reader = make_user("rhea", world.be_office, "viewer", ["BE"])
    client.force_login(reader)
    answer = client.get(reverse("schedule_rules", args=[world.programme.code]))
    assert answer.status_code == 200
    assert reverse("instrument_list") not in answer.text and reverse("import_list") not in answer.text
    # The follow-ups list is of case records, which an aggregates-only role does not read:
    # it is told where its figures are, with no link to pages it may not open either.
    answer = client.get(reverse("follow_up_list"))
    assert answer.status_code == 403 and "which your role does not read" in answer.text
    assert reverse("instrument_list") not in answer.text and reverse("import_list") not in answer.text
    client.force_login(world.admin)
    shown = client.get(reverse("follow_up_list")).text
    assert reverse("instrument_list") in shown


def test_a_version_for_a_later_day_starts_from_the_one_in_force_then(client, world):
    """The form showed today's schedule: sent for a day after another version scheduled in
    between, it dropped that version's fourth round and attempts limit without a word."""
    import re

    today = timezone.localdate()
    page = reverse("schedule_rules", args=[world.programme.code])
    client.force_login(world.admin)
    text = client.get(page).text
    started_from = _found(r'name="started_from" value="(\d*)"', text)
    rounds = [(3, 30), (6, 30), (12, 30), (24, 30)]
    actions.set_schedule_rules(
        world.admin,
        world.programme,
        effective_from=today + dt.timedelta(days=30),
        rounds=[{"months": m, "window_days": w, "instrument": INSTRUMENT} for m, w in rounds],
        lost_after_attempts=5,
    )
    later = today + dt.timedelta(days=90)
    data = {"effective_from": later.isoformat(), "lost_after_attempts": "3", "started_from": started_from}
    for n, (months, window) in enumerate([(3, 20), (6, 20), (12, 20)], start=1):
        data.update({f"months_{n}": str(months), f"window_{n}": str(window), f"instrument_{n}": INSTRUMENT})
    # A row the later version lacks, added (it was dropped when the form was refilled).
    data.update({"months_5": "36", "window_5": "45", "instrument_5": INSTRUMENT})
    answer = client.post(page, data)
    assert "another version of the schedule is in force than the one this form showed" in answer.text
    assert rules_on(world.programme.pk, later).lost_after_attempts == 5  # nothing recorded
    # The form now shows the version in force that day, to change from, with what the
    # person changed kept (the windows of 20 days were lost: typed again every time).
    assert re.search(r'name="months_4"[^>]*value="24"', answer.text)
    assert re.search(r'name="window_1"[^>]*value="20"', answer.text)
    assert re.search(r'name="window_4"[^>]*value="30"', answer.text)
    assert re.search(
        r'name="lost_after_attempts"[^>]*value="5"', answer.text
    )  # left as it was: the later one's
    assert re.search(r'name="months_5"[^>]*value="36"', answer.text)
    refilled = _found(r'name="started_from" value="(\d+)"', answer.text)
    data.update(
        started_from=refilled, months_4="24", window_4="20", instrument_4=INSTRUMENT, lost_after_attempts="5"
    )
    assert "The new monitoring schedule is recorded." in client.post(page, data, follow=True).text
    assert len(rules_on(world.programme.pk, later).rounds) == 5


def _found(pattern: str, text: str) -> str:
    match = re.search(pattern, text)
    assert match is not None, pattern
    return match.group(1)


def test_schedules_read_once_for_an_import_answer_as_one_at_a_time(world, django_assert_max_num_queries):
    """An import chooses each case's schedule by its own arrival day from versions read once
    (`rules_in_force`): the same version `rules_on` gives, day by day, across the programme's
    own versions (two days, one with two versions) and the shipped one before them."""
    from remis.monitoring.configuration import rules_in_force

    today = timezone.localdate()
    for offset, lost in [(-400, 4), (-100, 5), (-100, 6), (60, 7)]:
        actions.set_schedule_rules(
            world.admin,
            world.programme,
            effective_from=today + dt.timedelta(days=offset),
            rounds=[{"months": 3, "window_days": 30, "instrument": INSTRUMENT}],
            lost_after_attempts=lost,
        )
    days = [today + dt.timedelta(days=d) for d in (-5000, -401, -400, -399, -101, -100, -1, 0, 59, 60, 900)]
    in_force = rules_in_force()
    with django_assert_max_num_queries(2):  # the programme's versions, the shipped ones
        chosen = [in_force.on(world.programme.pk, day) for day in days]
    assert [c.pk if c else None for c in chosen] == [
        r.pk if r else None for r in (rules_on(world.programme.pk, day) for day in days)
    ]
    assert [c.lost_after_attempts for c in chosen[4:]] == [4, 6, 6, 6, 6, 7, 7]
    assert chosen[0] is None or chosen[0].programme_id is None  # before them all: the shipped one


def test_a_schedule_dated_before_the_programme_starts_is_refused_keeping_the_form(client, world):
    """The form was emptied, said another version was in force on a day when none was, then
    asked for a field it had just emptied; the API recorded such a version."""
    page = reverse("schedule_rules", args=[world.programme.code])
    client.force_login(world.admin)
    in_force = rules_on(world.programme.pk, timezone.localdate())
    data = {
        "effective_from": "1990-01-01",
        "started_from": str(in_force.pk),
        "lost_after_attempts": "3",
        **{f"months_{n}": str(m) for n, m in ((1, 3), (2, 6), (3, 12), (4, 24))},
        **{f"window_{n}": "30" for n in range(1, 5)},
        **{f"instrument_{n}": INSTRUMENT for n in range(1, 5)},
    }
    refused = client.post(page, data)
    assert refused.status_code == 400
    assert "The schedule cannot take effect before the programme starts" in refused.text
    assert "another version of the schedule is in force" not in refused.text
    assert 'name="months_4" value="24"' in refused.text or re.search(
        r'name="months_4"[^>]*value="24"', refused.text
    )
    assert ScheduleRules.objects.filter(programme=world.programme).count() == 0
    with pytest.raises(ValidationFailed) as api_like:
        actions.set_schedule_rules(
            world.admin,
            world.programme,
            effective_from=dt.date(1990, 1, 1),
            rounds=[{"months": 3, "window_days": 30, "instrument": INSTRUMENT}],
            lost_after_attempts=3,
        )
    assert api_like.value.field == "effective_from"
