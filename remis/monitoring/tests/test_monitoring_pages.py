"""The monitoring pages as their users meet them: the case page's rounds, a round's page
recording an attempt and a visit (errors kept on the form, nothing half-written), the
follow-ups list with filters, paging and the country offices' summary, "my work"."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from remis.cases import actions as cases
from remis.cases.extensions import work_for
from remis.cases.tests.factories import returned_case
from remis.monitoring.models import ContactAttempt, FollowUp, FollowUpStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = returned_case(world)
    cases.record_consent(
        world.alice, case, purpose="follow_up_contact", given=True, given_on=timezone.localdate()
    )
    return case


def _open_window(case, round_number=1, days_ago=3):
    """Put a round's window around today (the case arrived today: its rounds are months away)."""
    today = timezone.localdate()
    FollowUp.objects.filter(case=case, round=round_number).update(
        window_start=today - dt.timedelta(days=days_ago + 10),
        due_on=today - dt.timedelta(days=days_ago),
        window_end=today + dt.timedelta(days=20),
    )


def test_the_case_page_lists_the_rounds(client, world, case):
    client.force_login(world.bob)
    text = client.get(reverse("case_detail", args=[case.uuid])).text
    assert 'id="monitoring"' in text and "Round 1 (3 months)" in text and "Round 3 (12 months)" in text
    assert reverse("follow_up_detail", args=[case.uuid, 2]) in text


def test_the_rounds_count_their_months_in_each_language(client, world, case):
    client.force_login(world.bob)
    url = reverse("case_detail", args=[case.uuid])
    french = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").text
    assert "Passage 1 (3 mois)" in french and "Passage 3 (12 mois)" in french
    # Arabic counts 3 to 10 months with the plural, 11 to 99 with the singular accusative.
    arabic = client.get(url, HTTP_ACCEPT_LANGUAGE="ar").text
    assert "الجولة 1 (3 أشهر)" in arabic and "الجولة 3 (12 شهرًا)" in arabic and "12 أشهر" not in arabic


def test_a_case_worker_records_attempts_then_the_visit(client, world, case):
    _open_window(case)
    page = reverse("follow_up_detail", args=[case.uuid, 1])
    client.force_login(world.bob)
    first = client.get(page)
    assert "Overdue" in first.text and "Record a contact attempt" in first.text
    today = timezone.localdate().isoformat()
    bad = client.post(
        page,
        {
            "step": "attempt",
            "attempted_on": "2999-01-01",
            "channel": "phone",
            "outcome": "no_answer",
            "note": "Rang twice",
            "version": 1,
        },
    )
    assert bad.status_code == 200 and "The date cannot be in the future." in bad.text
    assert "Rang twice" in bad.text and not ContactAttempt.objects.exists()  # kept on the form
    # The outcome is chosen, never preset: "reached" sent untouched ended a low score's follow-up.
    assert 'value="reached" selected' not in first.text
    untouched = client.post(
        page, {"step": "attempt", "attempted_on": today, "channel": "phone", "version": 1}
    )
    assert untouched.status_code == 200 and not ContactAttempt.objects.exists()
    assert "This field is required." in untouched.text
    client.post(
        page,
        {"step": "attempt", "attempted_on": today, "channel": "phone", "outcome": "no_answer", "version": 1},
    )
    saved = client.post(
        page,
        {"step": "visit", "visited_on": today, "mode": "in_person", "note": "Shop open", "version": 2},
        follow=True,
    )
    assert "The visit is recorded: the round is done." in saved.text
    assert FollowUp.objects.get(case=case, round=1).status == FollowUpStatus.DONE
    assert "Record the visit" not in saved.text.split("The visit is recorded")[1]  # no form once done
    assert "falls outside the round" not in saved.text  # in its window: nothing to check


def test_a_visit_dated_outside_its_rounds_window_is_recorded_with_a_word(client, world, case):
    """A visit months before round 2's window was accepted silently (done before round 1)."""
    round_two = FollowUp.objects.get(case=case, round=2)  # months away: the case arrived today
    early = timezone.localdate()
    client.force_login(world.bob)
    page = reverse("follow_up_detail", args=[case.uuid, 2])
    # Said before saving (the low-score work list leads here): the round would close early.
    before = client.get(page).text
    assert "This round&#x27;s window opens on" in before or "This round's window opens on" in before
    assert "Close the round before its window opens" in before  # the confirmation, on the server
    visit = {"step": "visit", "visited_on": early.isoformat(), "mode": "phone", "version": round_two.version}
    # Unconfirmed (a browser without scripts skipped the old dialog): refused, the form kept.
    refused = client.post(page, {**visit, "note": "Met at the market"})
    assert refused.status_code == 200 and "Round 2&#x27;s window opens on" in refused.text
    assert "closes the round early, without its questionnaire" in refused.text
    assert "Met at the market" in refused.text
    assert FollowUp.objects.get(case=case, round=2).status == FollowUpStatus.SCHEDULED
    saved = client.post(page, {**visit, "early": "on"}, follow=True)
    assert "The visit is recorded" in saved.text
    assert FollowUp.objects.get(case=case, round=2).status == FollowUpStatus.DONE
    # Confirmed as closing the round early: not told again to check that it belongs there.
    assert "Its date falls outside the round" not in saved.text


def test_a_stale_form_is_refused_as_a_conflict(client, world, case):
    _open_window(case)
    page = reverse("follow_up_detail", args=[case.uuid, 1])
    client.force_login(world.bob)
    today = timezone.localdate().isoformat()
    client.post(
        page,
        {"step": "attempt", "attempted_on": today, "channel": "phone", "outcome": "no_answer", "version": 1},
    )
    stale = client.post(page, {"step": "visit", "visited_on": today, "mode": "phone", "version": 1})
    assert stale.status_code == 200 and "Someone else saved this record after you opened it." in stale.text
    # Reloading the answer sent the stale form again: the page as it is now is a link.
    assert f'<p><a href="{page}">Open the page as it is now</a></p>' in stale.text
    assert FollowUp.objects.get(case=case, round=1).status == FollowUpStatus.SCHEDULED
    # A colleague's visit made the round done: reloading shows no form to "apply yours
    # again" on, so the message says what happened instead.
    client.post(page, {"step": "visit", "visited_on": today, "mode": "phone", "version": 2})
    late = client.post(page, {"step": "visit", "visited_on": today, "mode": "in_person", "version": 2})
    assert "Someone else recorded this round after you opened it: it is now done." in late.text


def test_a_reader_without_the_permission_sees_no_form_and_cannot_post(client, world, case):
    page = reverse("follow_up_detail", args=[case.uuid, 1])
    client.force_login(world.alice)  # the host-country counsellor: reads the case, does not monitor
    text = client.get(page).text
    assert "Record a contact attempt" not in text and "Record the visit" not in text
    response = client.post(page, {"step": "visit", "visited_on": "2026-01-01", "mode": "phone", "version": 1})
    assert response.status_code == 404


def test_outsiders_get_404(client, world, case):
    client.force_login(world.dave)  # the Dutch office: not this case
    assert client.get(reverse("follow_up_detail", args=[case.uuid, 1])).status_code == 404
    assert "No round is open in the cases you see" in client.get(reverse("follow_up_list")).text
    assert "No round matches these filters." in client.get(reverse("follow_up_list"), {"state": ""}).text
    assert "No follow-up round is scheduled" in client.get(reverse("follow_up_offices")).text


def test_the_list_filters_by_state_and_summarises_by_country_office(client, world, case):
    _open_window(case)
    client.force_login(world.bob)
    page = reverse("follow_up_list")
    opened = client.get(page).text  # the open rounds, unless another state is asked for
    assert opened.count(case.reference) == 3 and "<title>Follow-ups" in opened
    assert 'value="open" selected' in opened
    offices = client.get(reverse("follow_up_offices")).text
    assert "Guinea" in offices and "Done within the window" in offices
    FollowUp.objects.filter(case=case, round=3).update(status="done", done_on=timezone.localdate())
    assert client.get(page).text.count(case.reference) == 2  # a done round is not open work
    assert client.get(page, {"state": ""}).text.count(case.reference) == 3  # "Any state"
    assert client.get(page, {"state": "done"}).text.count(case.reference) == 1
    # A share as the language writes it: "100 %" was written in English too.
    in_window = FollowUp.objects.get(case=case, round=3).window_start
    FollowUp.objects.filter(case=case, round=3).update(done_on=in_window)
    assert '<td class="num">100%</td>' in client.get(reverse("follow_up_offices")).text
    french = client.get(reverse("follow_up_offices"), HTTP_ACCEPT_LANGUAGE="fr").text
    assert '<td class="num">100\u00a0%</td>' in french or '<td class="num">100 %</td>' in french
    overdue = client.get(page, {"state": "overdue"}).text
    assert overdue.count(case.reference) == 1
    upcoming = client.get(page, {"state": "upcoming"}).text
    assert upcoming.count(case.reference) == 1  # round 2 (round 3 is done)
    assert "No round matches these filters." in client.get(page, {"state": "lost"}).text


def test_the_list_filters_by_programme_and_case_reference(client, world, case):
    """A case worker looks a returnee's rounds up by the reference on their file, typed as it
    comes; a manager of several programmes lists one of them."""
    _open_window(case)
    client.force_login(world.bob)
    page = reverse("follow_up_list")
    options = client.get(page).text.split('name="programme"')[1].split("</select>")[0]
    assert f'<option value="{world.programme.code}">' in options and "Any programme" in options
    mine = client.get(page, {"programme": world.programme.code}).text
    assert mine.count(case.reference) == 3
    # In other letters, as the API reads it.
    assert client.get(page, {"programme": world.programme.code.lower()}).text.count(case.reference) == 3
    typed = case.reference[:8].lower()  # the start of it, in small letters
    assert client.get(page, {"reference": typed}).text.count(case.reference) == 3
    none = client.get(page, {"reference": "XX-0000"}).text
    assert case.reference not in none and "No round matches these filters." in none
    # Not a programme the reader sees: named on the field, no list.
    refused = client.get(page, {"programme": "NOT-A-PROGRAMME"}).text
    assert "Select a valid choice" in refused and "<table>" not in refused
    # The filters stay on the page links and in the form.
    assert f'value="{typed}"' in client.get(page, {"reference": typed}).text


def test_my_work_lists_open_windows_and_lost_returnees(world, case):
    _open_window(case)
    names = {w.name: w for w in work_for(world.bob)}
    assert names["follow_ups_due"].count == 1 and names["follow_ups_due"].items[0].overdue
    assert "consent" not in names["follow_ups_due"].items[0].label
    assert "follow_ups_due" not in {w.name for w in work_for(world.alice)}
    # The Belgian counsellor who registered the case is assigned to it: she is not the
    # partner's worker, so the round stays on the Guinean worker's list; a Guinean colleague
    # assigned takes it off.
    assert list(case.assigned_workers.all()) == [world.alice]
    from remis.cases.tests.factories import assign, make_user

    colleague = make_user("colleague.gn", world.gn_partner, "case_worker", ["GN"])
    assign(world.bob, case, [world.alice, colleague])
    assert "follow_ups_due" not in {w.name for w in work_for(world.bob)}
    assert {w.name: w for w in work_for(colleague)}["follow_ups_due"].count == 1
    assign(world.bob, case, [world.alice])
    # Consent withdrawn: the visit cannot be recorded; the list says what to do first.
    cases.record_consent(
        world.bob, case, purpose="follow_up_contact", given=False, given_on=timezone.localdate()
    )
    item = {w.name: w for w in work_for(world.bob)}["follow_ups_due"].items[0]
    assert item.label == f"{case.reference} · round 1 · no follow-up contact consent yet"
    cases.record_consent(
        world.bob, case, purpose="follow_up_contact", given=True, given_on=timezone.localdate()
    )
    lost_on = timezone.localdate() - dt.timedelta(days=2)
    FollowUp.objects.filter(case=case, round=1).update(status=FollowUpStatus.LOST, lost_on=lost_on)
    names = {w.name: w for w in work_for(world.bob)}
    assert names["follow_ups_lost"].count == 1 and "follow_ups_due" not in names
    # The day contact was lost, under "Lost on" (its due day was shown under "Due").
    lost = names["follow_ups_lost"]
    assert lost.date_label == "Lost on" and lost.items[0].due == lost_on


def test_a_host_office_manager_is_not_given_the_rounds_a_partners_worker_holds(world, case):
    """The host office's manager records monitoring too (a returnee nobody holds is theirs to
    follow remotely); a round the partner's case worker holds was on the manager's list as
    well: 480 of IOM Belgium's manager's follow-ups in the demo were partners' rounds."""
    from remis.cases.tests.factories import assign, make_user
    from remis.monitoring.queries import my_cases

    _open_window(case)
    manager = make_user("manager.be", world.be_office, "programme_manager", ["BE"])

    def due(user):
        return {w.name: w.count for w in work_for(user)}.get("follow_ups_due", 0)

    assign(world.alice, case, [])  # the counsellor who registered it steps aside
    assert due(manager) == 1 and list(my_cases(manager)) == [case]  # nobody holds it
    assign(world.bob, case, [world.bob])
    assert due(world.bob) == 1
    assert due(manager) == 0 and list(my_cases(manager)) == []
    assign(world.alice, case, [manager])  # assigned by their own office: theirs again
    assert due(manager) == 1 and due(world.bob) == 1
    # The returnee withdraws consent to sharing: the partner's access ends, Bob's assignment
    # stays behind, and the round was then in no one's list.
    assign(world.alice, case, [])
    assert due(manager) == 0
    cases.record_consent(
        world.alice, case, purpose="sharing_with_partners", given=False, given_on=timezone.localdate()
    )
    assert due(world.bob) == 0 and due(manager) == 1


def test_a_wide_window_round_long_past_its_due_day_is_still_open_and_overdue(world, case):
    """The lists read due days within the widest window of any schedule: a programme with
    90-day windows keeps a round due 60 days ago in the open and overdue lists."""
    import datetime as dt

    from remis.monitoring import actions
    from remis.monitoring.queries import FollowUpFilters, filter_follow_ups

    actions.set_schedule_rules(
        world.admin,
        world.programme,
        effective_from=dt.date(2024, 1, 1),
        rounds=[{"months": 3, "window_days": 90, "instrument": "reintegration-sustainability"}],
        lost_after_attempts=3,
    )
    today = timezone.localdate()
    FollowUp.objects.filter(case=case, round=1).update(
        due_on=today - dt.timedelta(days=60),
        window_start=today - dt.timedelta(days=150),
        window_end=today + dt.timedelta(days=30),
    )
    for state in ("open", "overdue"):
        rounds = filter_follow_ups(world.bob, FollowUpFilters(state=state), today)
        assert [(f.case_id, f.round) for f in rounds[0:10]][:1] == [(case.pk, 1)], state
        assert rounds.count_upto(100) >= 1


def test_paging_keeps_any_state_when_it_was_chosen(client, world, case, django_capture_on_commit_callbacks):
    """ "Any state" sends an empty state; the next page must keep it, not fall back to the
    open rounds that an absent state means."""
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(20):  # 63 rounds in all: two pages of 50
            returned_case(world)
    FollowUp.objects.filter(round=3).update(status=FollowUpStatus.DONE, done_on=timezone.localdate())
    client.force_login(world.bob)
    first = client.get(reverse("follow_up_list"), {"state": ""}).text
    assert "?state=&amp;page=2" in first
    assert "Page 1 of 2" in first  # where the reader is, as every list says
    second = client.get(reverse("follow_up_list"), {"state": "", "page": "2"}).text
    assert '<option value="" selected>' in second
    assert "Done" in second  # the done rounds (due last, a year on) are on the second page


def test_a_page_of_fifty_rounds_costs_the_queries_of_a_page_of_one(
    client, world, case, django_capture_on_commit_callbacks
):
    """The list reads only the columns its rows show: a field it left out, read per row
    by the template or the round's state, would be a query a row."""
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(20):
            returned_case(world)
    client.force_login(world.bob)
    client.get(reverse("follow_up_list"))  # sessions, caches
    with CaptureQueriesContext(connection) as full:
        page = client.get(reverse("follow_up_list"), {"state": ""}).text
    assert page.count('class="badge state-') == 50
    first = FollowUp.objects.order_by("due_on", "id").values_list("pk", flat=True)[0]
    FollowUp.objects.exclude(pk=first).delete()
    with CaptureQueriesContext(connection) as one:
        page = client.get(reverse("follow_up_list"), {"state": ""}).text
    assert page.count('class="badge state-') == 1
    assert len(full.captured_queries) == len(one.captured_queries)


def test_open_rounds_stay_chosen_on_the_next_page(client, world, case, django_capture_on_commit_callbacks):
    """The default list is the open rounds; its next page (and a query naming a country
    alone) lists them, shows them chosen and links on with them, so that filtering from
    there does not switch to every state."""
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(29):  # 90 rounds, 60 of them open: two pages of 50
            returned_case(world)
    FollowUp.objects.filter(round=3).update(status=FollowUpStatus.DONE, done_on=timezone.localdate())
    client.force_login(world.bob)
    first = client.get(reverse("follow_up_list")).text
    next_link = re.search(r'href="(\?[^"]*page=2)"', first)
    assert next_link is not None
    second = client.get(reverse("follow_up_list") + html.unescape(next_link.group(1))).text
    assert _chosen_state(second) == "open" and "state-done" not in second  # no done round listed
    assert "state-upcoming" in second
    by_country = client.get(reverse("follow_up_list"), {"country": "GN"}).text
    assert _chosen_state(by_country) == "open" and "state-done" not in by_country


def _chosen_state(page: str) -> str | None:
    select = re.search(r'<select name="state"[^>]*>(.*?)</select>', page, re.S)
    assert select is not None
    chosen = re.findall(r'<option value="([^"]*)" selected>', select.group(1))
    return chosen[0] if len(chosen) == 1 else None


@pytest.mark.parametrize("query", [{"state": "bogus"}, {"state": "overdue", "country": "ZZ"}])
def test_a_bad_filter_is_named_and_lists_nothing(client, world, case, query):
    """Never another list than the one asked for: the error, no rounds."""
    client.force_login(world.bob)
    page = client.get(reverse("follow_up_list"), query).text
    assert "Select a valid choice" in page
    assert "<table>" not in page and "No round matches these filters." not in page


@pytest.mark.parametrize(
    ("language", "months", "expected"),
    [
        ("ar", 12, "(12 شهرًا بعد الوصول)"),  # Arabic counts 11 to 99 with the singular, accusative
        ("ar", 3, "(3 أشهر بعد الوصول)"),
        ("en", 1, "(1 month after arrival)"),
        ("fr", 6, "(6 mois après l’arrivée)"),
    ],
)
def test_a_rounds_title_says_its_months_in_the_languages_plural(
    client, world, case, language, months, expected
):
    FollowUp.objects.filter(case=case, round=1).update(months=months)
    client.force_login(world.bob)
    page = client.get(reverse("follow_up_detail", args=[case.uuid, 1]), HTTP_ACCEPT_LANGUAGE=language)
    assert expected in page.content.decode()


def test_the_country_filter_offers_the_programmes_countries_of_origin_the_reader_covers(client, world, case):
    """It offered all 250 countries (Belgium, Åland…), most of which no follow-up is in;
    then every programme's to a case worker in Guinea."""

    def offered(user):
        client.force_login(user)
        select = client.get(reverse("follow_up_list")).text.split('name="country"')[1].split("</select>")[0]
        return sorted(re.findall(r'<option value="([A-Z]{2})"', select))

    assert offered(world.bob) == ["GN"]
    assert offered(world.admin) == ["GN", "IQ", "SN"]  # all countries: the programmes' all


def test_each_work_card_links_to_a_list_of_the_rounds_it_counts(client, world, case):
    """ "Follow-up visits to carry out: 1" opened a list of 19 rounds (every open one), the
    lost returnees' card a list with closed cases in it, and low scores a list of rounds."""
    from remis.cases.lifecycle import Stage
    from remis.cases.models import Case

    _open_window(case)  # round 1 due now; rounds 2 and 3 upcoming
    client.force_login(world.bob)
    works = {w.name: w for w in work_for(world.bob)}
    due = works["follow_ups_due"]
    listed = client.get(due.url).text
    assert due.count == 1 and listed.count(case.reference) == due.count
    FollowUp.objects.filter(case=case, round=1).update(
        status=FollowUpStatus.LOST, lost_on=timezone.localdate()
    )
    other = returned_case(world)
    FollowUp.objects.filter(case=other, round=1).update(
        status=FollowUpStatus.LOST, lost_on=timezone.localdate()
    )
    Case.objects.filter(pk=other.pk).update(stage=Stage.CLOSED)
    lost = {w.name: w for w in work_for(world.bob)}["follow_ups_lost"]
    listed = client.get(lost.url).text
    assert lost.count == 1 and case.reference in listed and other.reference not in listed
    assert not lost.items[0].overdue  # lost, not late


def test_the_offices_open_rounds_are_named_as_rounds_not_as_a_verb(client, world, case):
    """French headed the open rounds' column "Ouvrir" (to open)."""
    client.force_login(world.bob)
    page = client.get(reverse("follow_up_offices"), HTTP_ACCEPT_LANGUAGE="fr").text
    assert ">Ouverts</th>" in page and ">Ouvrir</th>" not in page


def test_a_failed_attempt_outside_the_window_says_it_does_not_count(client, world, case):
    """Accepted in silence, it then did not count towards lost to follow-up."""
    from remis.cases.models import Case, Consent

    _open_window(case)
    Case.objects.filter(pk=case.pk).update(arrival_date=timezone.localdate() - dt.timedelta(days=90))
    # Consented at arrival: a contact before the window is after the consent.
    Consent.objects.filter(case=case).update(given_on=timezone.localdate() - dt.timedelta(days=90))
    round_one = FollowUp.objects.get(case=case, round=1)
    page = reverse("follow_up_detail", args=[case.uuid, 1])
    client.force_login(world.bob)
    before = (round_one.window_start - dt.timedelta(days=1)).isoformat()
    data = {"step": "attempt", "channel": "phone", "outcome": "no_answer", "version": 1}
    outside = client.post(page, {**data, "attempted_on": before}, follow=True).text
    assert (
        "The contact attempt is recorded." in outside
        and "does not count towards lost to follow-up" in outside
    )
    inside = client.post(
        page, {**data, "attempted_on": timezone.localdate().isoformat(), "version": 2}, follow=True
    ).text
    assert "The contact attempt is recorded." in inside and "does not count" not in inside


def test_without_follow_up_consent_the_round_offers_no_form(client, world, case):
    """The page warned and offered the forms anyway, each refused once sent."""
    _open_window(case)
    cases.record_consent(
        world.alice, case, purpose="follow_up_contact", given=False, given_on=timezone.localdate()
    )
    client.force_login(world.bob)
    text = client.get(reverse("follow_up_detail", args=[case.uuid, 1])).text
    assert "has not consented to follow-up contact" in text
    assert "Record a contact attempt" not in text and "Record the visit" not in text
    assert "Record the answers" not in text


def test_the_list_marks_the_rounds_of_a_returnee_without_follow_up_consent(client, world, case):
    """Each such round led to a page with no form, with nothing on the list to say why."""
    _open_window(case)
    client.force_login(world.bob)
    assert "No follow-up consent" not in client.get(reverse("follow_up_list")).text
    cases.record_consent(
        world.alice, case, purpose="follow_up_contact", given=False, given_on=timezone.localdate()
    )
    text = client.get(reverse("follow_up_list")).text
    assert text.count("No follow-up consent") == text.count(case.reference) == 3


def test_a_reader_of_figures_only_is_sent_to_the_figures_not_shown_empty_lists(client, world, case):
    """A funder's viewer read "No round is open" beside a dashboard of 689 cases in monitoring."""
    world.programme.funders.add(world.donor)
    client.force_login(world.victor)
    for name in ("follow_up_list", "follow_up_offices", "assistance_budget"):
        page = client.get(reverse(name))
        assert page.status_code == 403 and "which your role does not read" in page.text, name
    client.force_login(world.bob)
    assert client.get(reverse("follow_up_list")).status_code == 200


def test_a_move_before_the_window_ends_the_round_and_says_so(client, world, case):
    """ "Moved away" dated before the window read "it does not count towards lost to
    follow-up" while the round had just become lost; the case page then proposed closing
    for lost contact after a refusal too."""
    from remis.cases.models import Case, Consent

    _open_window(case)
    Case.objects.filter(pk=case.pk).update(arrival_date=timezone.localdate() - dt.timedelta(days=90))
    Consent.objects.filter(case=case).update(given_on=timezone.localdate() - dt.timedelta(days=90))
    round_one = FollowUp.objects.get(case=case, round=1)
    client.force_login(world.bob)
    before = (round_one.window_start - dt.timedelta(days=1)).isoformat()
    data = {"step": "attempt", "channel": "phone", "outcome": "moved", "version": 1, "attempted_on": before}
    moved = client.post(reverse("follow_up_detail", args=[case.uuid, 1]), data, follow=True).text
    assert "the round is closed as lost to follow-up" in moved and "does not count" not in moved
    assert FollowUp.objects.get(pk=round_one.pk).status == FollowUpStatus.LOST
    case_page = client.get(reverse("case_detail", args=[case.uuid])).text
    assert "could not be reached in round 1" in case_page
    # Round 2 refused: the case page says to record the withdrawal, not to close for lost contact.
    round_two = FollowUp.objects.get(case=case, round=2)
    refused = {
        **data,
        "outcome": "refused",
        "version": round_two.version,
        "attempted_on": timezone.localdate().isoformat(),
    }
    client.post(reverse("follow_up_detail", args=[case.uuid, 2]), refused)
    case_page = client.get(reverse("case_detail", args=[case.uuid])).text
    assert "refused follow-up in round 2" in case_page and "could not be reached in round 1." in case_page


def test_the_round_page_gives_whoever_records_attempts_the_number_to_call(client, world, case):
    """The phone was on no page but the case's edit form, which an M&E officer calling
    returnees does not have."""
    from remis.cases.models import Person

    Person.objects.filter(pk=case.principal_id).update(phone="+224 620 11 22 33")
    page = reverse("follow_up_detail", args=[case.uuid, 1])
    client.force_login(world.bob)  # records the follow-up
    shown = client.get(page).text
    assert 'href="tel:+224 620 11 22 33"' in shown
    # Without the returnee's consent to be contacted, no number.
    cases.record_consent(
        world.alice, case, purpose="follow_up_contact", given=False, given_on=timezone.localdate()
    )
    assert "+224 620 11 22 33" not in client.get(page).text
