"""The dashboard adapts to the role: caseload for those who hold cases, caseloads per staff
member for those who watch them, aggregates (small cells suppressed) for viewers."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from remis.cases import actions
from remis.cases.queries import aggregates, caseloads, my_latest_cases
from remis.cases.tests.factories import PASSWORD, assign, make_person, make_user, register
from remis.cases.tests.home import home_page, my_work_page
from remis.lib.bidi import left_to_right

pytestmark = pytest.mark.django_db


def page_for(client, user) -> str:
    assert client.login(username=user.username, password=PASSWORD)
    return client.get(reverse("dashboard")).content.decode()


def test_counsellor_sees_own_cases_by_stage_and_no_statistics(client, world, alice):
    case = register(world)
    register(world)
    assign(alice, case, [alice])
    page = page_for(client, alice)
    assert "My cases by stage" in page
    assert f"?stage=registered&amp;worker={alice.pk}" in page
    assert "Statistics" not in page  # a counsellor holds no stats.view
    assert "Caseload by staff member" not in page


def test_me_officer_sees_caseloads_and_unsuppressed_aggregates(client, world, alice, carol):
    case = register(world, person=make_person(given_name="Awa"))
    actions.add_household_member(alice, case, make_person(given_name="Ibrahima"), "child")
    assign(alice, case, [alice])
    page = page_for(client, carol)
    assert "Caseload by staff member" in page
    assert "Statistics" in page
    assert "&lt;5" not in page  # M&E reads case records: exact counts
    assert [(user.username, open_, monitoring) for user, open_, monitoring in caseloads(carol)] == [
        ("alice", 1, 0)
    ]
    stats = aggregates(carol, case.registered_at.date())
    assert stats is not None
    assert str(stats.total_cases) == "1" and str(stats.total_people) == "2"
    guinea = next(row for row in stats.by_origin if row[0] == "Guinea")
    assert (guinea[1].value, guinea[2].value, guinea[3].value) == (1, 2, 0)
    # The counts take their plural forms: "1 case covering 2 people" ("1 cases covering
    # 2 individuals"; in Arabic a 3-to-10 form under every number).
    assert "1 case covering 2 people in the countries you follow." in page
    client.post(reverse("set_language"), {"language": "ar", "next": "/"})
    arabic = client.get(reverse("dashboard")).content.decode()
    assert "ملف واحد تشمل شخصان" in arabic


def test_caseloads_left_out_are_said_and_shown_when_asked(client, world, alice, carol, monkeypatch):
    """21 people with open cases showed 20, with no word of the 21st."""
    from remis.cases.views import lists

    monkeypatch.setattr(lists, "CASELOADS_SHOWN", 1)
    two, one = register(world), register(world)
    dora = make_user("dora", world.be_office, "counsellor", ["BE"])
    assign(alice, two, [alice])
    assign(alice, register(world), [alice])
    assign(alice, one, [dora])
    page = page_for(client, carol)
    assert "The 1 staff members with the most open cases." in page and "?caseloads=all#caseloads" in page
    assert alice.display_name in page and dora.display_name not in page
    everyone = client.get(reverse("dashboard") + "?caseloads=all").content.decode()
    assert alice.display_name in everyone and dora.display_name in everyone
    assert "?caseloads=all#caseloads" not in everyone
    # Its figures say when they were read, with the time zone as the reports write it.
    assert re.search(r"Figures as of \d+ \w+ \d{4}, \d\d:\d\d \w+", page)


SMALL_CELL = 5  # the shipped small-cell threshold (programmes/defaults/programme_settings.yaml)


def _funded_by_victors_agency(world):
    """Donors' statistics cover the programmes their organisation funds."""
    from remis.accounts.system import system_actor
    from remis.programmes import actions as programmes

    programmes.set_programme_funders(
        system_actor(), world.programme, [world.victor.memberships.first().organisation]
    )


def test_viewer_sees_aggregates_only_with_small_cells_suppressed(client, world, victor, today):
    _funded_by_victors_agency(world)
    for _ in range(SMALL_CELL + 1):
        register(world, origin="GN")
    register(world, origin="SN")
    page = page_for(client, victor)
    assert "aggregate statistics only" in page
    assert "My cases" not in page and "Recent activity" not in page
    stats = aggregates(victor, today)
    assert stats is not None and stats.suppressed
    by_country = {row[0]: (str(row[1]), str(row[2])) for row in stats.by_origin}
    small = left_to_right(f"<{SMALL_CELL}")  # kept left to right on Arabic pages
    assert by_country["Senegal"] == (small, small)
    # The total (7) is shown: Guinea's 6 would give Senegal's 1 back, so it is hidden too.
    assert str(stats.total_cases) == str(SMALL_CELL + 2)
    assert by_country["Guinea"] == ("x", "x")
    assert "&lt;5" in page and "Counts from 1 to 4 are shown" in page
    # nothing names a person or links to a case
    assert "/cases/" not in page.replace(reverse("case_list"), "")


def test_statistics_cover_only_the_viewers_countries(world, dave, victor, today):
    from remis.programmes.models import MigrantCategory

    _funded_by_victors_agency(world)

    register(world, origin="GN")  # registered in Belgium: within victor's countries
    actions.register_case(
        dave,
        world.nl_office,
        programme=world.programme,
        category=MigrantCategory.objects.get(code="stranded_migrant"),
        host_country="NL",
        origin_country="IQ",
        person=make_person(),
    )
    stats = aggregates(victor, today)
    assert stats is not None
    assert [row[0] for row in stats.by_origin] == ["Guinea"]
    assert str(stats.total_cases) == left_to_right("<5")


def test_my_latest_cases_are_the_most_recently_assigned_visible_ones(world, alice, dave):
    first, second = register(world), register(world)
    for case in (first, second):  # registered by alice: hers until taken off
        assign(alice, case, [])
    for case in (second, first):  # first is assigned last
        assign(alice, case, [alice])
    assert [c.reference for c in my_latest_cases(alice)] == [first.reference, second.reference]
    assert my_latest_cases(dave) == []


def test_my_cases_say_how_many_more_there_are_and_link_to_them_all(client, world, alice):
    """Ten shown, twelve assigned: the other two were nowhere to be found from the page."""
    from django.urls import reverse

    for _ in range(12):
        register(world)  # registered by alice: assigned to her
    client.force_login(alice)
    page = client.get(reverse("dashboard")).text
    assert "The 10 assigned to you most recently, of 12." in page
    link = f'href="{reverse("case_list")}?worker={alice.pk}"'
    assert link in page and "See all 12" in page
    listed = client.get(reverse("case_list"), {"worker": alice.pk}).text
    assert "12 cases" in listed


def test_arrivals_by_month_cover_the_last_twelve_months_this_one_included(world, carol):
    import datetime as dt

    for today, first in (
        (dt.date(2026, 11, 23), dt.date(2025, 12, 1)),
        (dt.date(2026, 3, 1), dt.date(2025, 4, 1)),
        (dt.date(2027, 1, 31), dt.date(2026, 2, 1)),
    ):
        stats = aggregates(carol, today)
        assert stats is not None
        months = [month for month, _ in stats.arrivals_by_month]
        assert len(months) == 12
        assert (months[0], months[-1]) == (first, today.replace(day=1))


def test_small_cell_threshold_is_the_programme_setting_in_force(client, world, victor, today):
    _funded_by_victors_agency(world)
    from remis.programmes.actions import change_programme_settings

    for _ in range(SMALL_CELL + 1):
        register(world, origin="GN")
    change_programme_settings(world.admin, world.programme, today, {"small_cell_threshold": 10})
    stats = aggregates(victor, today)
    assert stats is not None
    guinea = next(row for row in stats.by_origin if row[0] == "Guinea")
    assert str(guinea[1]) == left_to_right("<10")
    page = page_for(client, victor)
    assert "Counts from 1 to 9 are shown as “&lt;10”" in page


def test_statistics_count_only_cases_shared_with_the_readers_organisation(world, carol, today):
    """A case of carol's country that her organisation has no access to is not hers to count."""
    from django.core.cache import cache
    from django.utils import timezone

    from remis.cases.models import CaseAccess

    kept, withdrawn = register(world), register(world)
    CaseAccess.objects.filter(case=withdrawn).update(revoked_at=timezone.now())
    cache.clear()
    stats = aggregates(carol, today)
    assert stats is not None
    assert stats.total_cases.value == 1
    assert kept.host_country == withdrawn.host_country == "BE"


def test_the_dashboards_two_breakdowns_of_one_total_give_no_small_count_back(world, victor, today):
    """Cases by stage and by country of origin add up to the same total: over both at once
    (and the total), no hidden small count can be worked out (linear algebra)."""
    import numpy as np

    _funded_by_victors_agency(world)
    for origin, count in (("GN", 7), ("SN", 2)):
        for _ in range(count):
            register(world, origin=origin)
    stats = aggregates(victor, today)
    assert stats is not None and stats.suppressed
    names: list[tuple[str, int]] = []
    lines = []
    for kind, cells in (
        ("stage", [r[1] for r in stats.by_stage]),
        ("origin", [r[1] for r in stats.by_origin]),
    ):
        line = []
        for i, cell in enumerate(cells):
            if cell.suppressed:
                names.append((kind, i))
                line.append((kind, i))
        lines.append((line, [c.value for c in cells if not c.suppressed], cells))
    assert any(n[0] == "origin" for n in names), "Senegal is small"
    total_hidden = stats.total_cases.suppressed
    unknowns = names + ([("total", 0)] if total_hidden else [])
    index = {name: i for i, name in enumerate(unknowns)}
    matrix = np.zeros((2, len(unknowns)))
    for row, (line, _shown, _cells) in enumerate(lines):
        for name in line:
            matrix[row, index[name]] = 1
        if total_hidden:
            matrix[row, index[("total", 0)]] = -1
    rank = np.linalg.matrix_rank(matrix)
    small = {
        name
        for name in names
        if 0 < dict(enumerate(lines[0 if name[0] == "stage" else 1][2]))[name[1]].value < 5
    }
    for name in small:
        unit = np.zeros((1, len(unknowns)))
        unit[0, index[name]] = 1
        assert np.linalg.matrix_rank(np.vstack([matrix, unit])) > rank, name


def test_dashboard_counts_group_thousands_as_the_language_does() -> None:
    """French read "1,910 dossiers" as one point nine one: counts are grouped as the report
    pages group them, by the language's own separator."""
    from django.utils import translation

    from remis.cases.queries import Cell

    with translation.override("en"):
        assert str(Cell(1910)) == "1,910"
    with translation.override("fr"):
        assert str(Cell(1910)) == "1\xa0910"


def test_a_staff_members_open_cases_link_lists_those_cases(client, world, alice, carol):
    """The caseload said "2 open" and its link listed 3 cases, the closed one too."""
    from remis.cases.lifecycle import ClosureReason

    kept = register(world, person=make_person(given_name="Awa"))
    closed = register(world, person=make_person(given_name="Fanta"))
    assign(alice, kept, [alice])
    assign(alice, closed, [alice])
    closed.refresh_from_db()
    actions.close_case(world.admin, closed, ClosureReason.WITHDREW)
    assert [(u.username, n) for u, n, _m in caseloads(carol)] == [("alice", 1)]
    page = page_for(client, carol)
    link = f"?stage=open&amp;worker={alice.pk}"
    assert link in page
    client.force_login(carol)
    listed = client.get(f"/cases/?stage=open&worker={alice.pk}").content.decode()
    assert kept.reference in listed and closed.reference not in listed


def test_the_focal_point_is_pointed_to_the_logs_not_promised_statistics(client, world):
    """The data-protection focal point read "access to aggregate statistics only", then
    was refused the statistics; nothing pointed to the audit and read logs they review."""
    from remis.cases.tests.factories import make_user

    dpo = make_user("dpo", world.be_office, "data_protection_focal_point", ["BE"])
    page = page_for(client, dpo)
    assert "aggregate statistics only" not in page and reverse("return_statistics") not in page
    assert reverse("audit_search") in page and reverse("read_log") in page
    audit = client.get(reverse("audit_search")).content.decode()
    assert "Entries about a case are listed for those who may read that case" in audit
    viewer = page_for(client, world.victor)
    assert "aggregate statistics only" in viewer and reverse("return_statistics") in viewer


def test_countries_with_equal_counts_are_in_the_readers_alphabetical_order(world, carol):
    """Ties were ordered by ISO code: République démocratique du Congo (CD) before Algérie."""
    from django.utils import translation

    cases = [register(world, origin=code) for code in ("GN", "SN", "IQ")]
    with translation.override("ar"):
        stats = aggregates(carol, cases[0].registered_at.date())
        assert stats is not None
        # By code: غينيا (GN), العراق (IQ), السّنغال (SN); by name, as an Arabic reader looks.
        assert [row[0] for row in stats.by_origin] == ["السّنغال", "العراق", "غينيا"]


def test_a_case_worker_who_only_opens_cases_after_arrival_has_no_stray_separator(client, world, bob):
    """The card read "· Open a case after arrival" when "Register a case" was not offered."""
    page = page_for(client, bob)
    assert "Open a case after arrival" in page and "Register a case" not in page
    assert not re.search(r"<p>\s*·", page)


def test_the_cases_of_someone_who_left_stay_in_the_caseloads_marked(client, world, alice, carol):
    """Deactivating a counsellor dropped them from the caseloads, and their open cases with
    them; the case worker filter offered them as if still at work."""
    from remis.accounts import actions as accounts
    from remis.cases.forms import CaseFilterForm
    from remis.cases.queries import filter_workers

    case = register(world, person=make_person(given_name="Awa"))
    assign(alice, case, [alice])
    membership = alice.memberships.get()
    accounts.deactivate_membership(world.admin, membership, version=membership.version)
    alice.refresh_from_db()
    assert not alice.is_active
    assert [(u.username, n) for u, n, _m in caseloads(carol)] == [("alice", 1)]
    assert f"{alice.display_name} (deactivated)" in page_for(client, carol)
    form = CaseFilterForm(workers=filter_workers(carol))
    worker = form.fields["worker"]
    labels = [worker.label_from_instance(user) for user in worker.queryset]  # type: ignore[attr-defined]
    assert f"{alice.display_name} (deactivated)" in labels


def test_hidden_countries_come_after_the_others_by_name_so_their_order_tells_no_count(world, victor, today):
    """In the order of their counts, a run of "<5" rows gave each count away."""
    _funded_by_victors_agency(world)
    for origin, n in (("GN", SMALL_CELL + 1), ("SN", 3), ("IQ", 1)):
        for _ in range(n):
            register(world, origin=origin)
    stats = aggregates(victor, today)
    assert stats is not None
    # By count, Senegal (3) came before Iraq (1): hidden, they are in alphabetical order.
    assert [row[0] for row in stats.by_origin] == ["Guinea", "Iraq", "Senegal"]
    assert [row[1].suppressed for row in stats.by_origin] == [False, True, True]


def test_a_long_work_list_is_counted_up_to_a_cap_and_says_there_are_more(
    client, world, alice, bob, monkeypatch
):
    """An office of seventy thousand cases counted its 17,544 instalments due at every load
    of its home page (seconds): a work list is counted up to a cap, shown "1,000+". Here
    the cap is 1 and two submissions wait."""
    from remis.cases import extensions

    monkeypatch.setattr(extensions, "WORK_COUNT_CAP", 1)
    today = __import__("datetime").date.today()
    for _n in range(2):
        case = register(world)
        actions.record_consent(alice, case, purpose="sharing_with_partners", given=True, given_on=today)
        actions.submit_case(alice, case, world.gn_partner)
    (work,) = [w for w in extensions.work_for(bob) if w.name == "submissions"]
    assert (work.count, work.more, len(work.items)) == (1, True, 2)
    client.force_login(bob)
    home = home_page(client)
    assert re.search(r'id="work-submissions">\s*<h2>[^<]*<span class="badge">1\+</span>', home), home
    mine = my_work_page(client)
    assert "See all, more than 1" in mine
    monkeypatch.setattr(extensions, "WORK_COUNT_CAP", 2)  # exactly at the cap: no "+"
    (work,) = [w for w in extensions.work_for(bob) if w.name == "submissions"]
    assert (work.count, work.more) == (2, False)
