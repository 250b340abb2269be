"""An unanswered referral is overdue after the programme's days (shipped: 10) and shows in
the case worker's work; the provider's work lists what awaits its answer. The funnel counts
referred → accepted → completed → successful, per provider, service and country, within the
reader's visible cases, as a page and CSV."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from remis.cases.extensions import work_for
from remis.lib.errors import PermissionDenied, ValidationFailed
from remis.referrals import actions
from remis.referrals.configuration import overdue_days
from remis.referrals.models import Referral, Status
from remis.referrals.queries import FunnelFilters, funnel, overdue
from remis.referrals.tests.factories import consent, refer, referral_item


def test_the_shipped_overdue_delay_is_ten_days_and_a_programme_may_set_its_own(s):
    today = timezone.localdate()
    assert overdue_days(s.case.programme_id, today) == 10
    with pytest.raises(PermissionDenied):
        actions.set_referral_rules(s.world.bob, s.case.programme, effective_from=today, overdue_days=3)
    with pytest.raises(ValidationFailed):
        actions.set_referral_rules(s.world.admin, s.case.programme, effective_from=today, overdue_days="0")
    actions.set_referral_rules(s.world.admin, s.case.programme, effective_from=today, overdue_days="3")
    assert overdue_days(s.case.programme_id, today) == 3
    assert overdue_days(s.case.programme_id, today - dt.timedelta(days=1)) == 10
    referral = refer(s)
    assert referral.due_on == today + dt.timedelta(days=3)


def test_an_unanswered_referral_past_its_day_is_flagged_to_the_case_worker(s):
    referral = refer(s)
    assert list(overdue(s.world.bob)) == []
    Referral.objects.filter(pk=referral.pk).update(due_on=timezone.localdate() - dt.timedelta(days=1))
    assert list(overdue(s.world.bob)) == [referral]
    names = {w.name: w for w in work_for(s.world.bob)}
    assert names["referrals_overdue"].count == 1 and names["referrals_overdue"].items[0].overdue
    assert "referrals_overdue" not in {w.name for w in work_for(s.pia)}
    actions.answer_referral(s.pia, referral, Status.ACCEPTED)
    assert list(overdue(s.world.bob)) == []


def test_the_overdue_page_lists_a_providers_own_overdue_referrals(s, client):
    """The inbox marked a referral "Overdue" and the overdue page said "Nothing to do here"."""
    from django.urls import reverse

    referral = refer(s)
    client.force_login(s.pia)
    assert "Nothing to do here." in client.get(reverse("referral_overdue")).text
    Referral.objects.filter(pk=referral.pk).update(due_on=timezone.localdate() - dt.timedelta(days=1))
    page = client.get(reverse("referral_overdue")).text
    assert f"/referrals/{referral.uuid}/" in page and "Nothing to do here." not in page
    client.force_login(s.oscar)  # another provider's: not theirs
    assert f"/referrals/{referral.uuid}/" not in client.get(reverse("referral_overdue")).text


def test_the_provider_sees_what_awaits_its_answer(s, client):
    answered = refer(s)
    actions.answer_referral(s.pia, answered, Status.DECLINED, reason="Full this month")
    waiting = refer(s)  # referred again
    names = {w.name: w for w in work_for(s.pia)}
    assert names["referrals_to_answer"].count == 1
    assert "referrals_to_answer" not in {w.name for w in work_for(s.oscar)}
    # "See all" lists what awaits an answer, not every referral the provider ever had.
    client.force_login(s.pia)
    page = client.get(names["referrals_to_answer"].url).content.decode()
    assert f"/referrals/{waiting.uuid}/" in page and f"/referrals/{answered.uuid}/" not in page


def _second_case(s):
    from remis.assistance.tests.factories import case_at_plan

    case = case_at_plan(s.world)
    item = referral_item(s.world, case)
    consent(s.world, case)
    return item


def test_the_funnel_counts_each_stage(s, signed_in):
    first = refer(s)
    actions.answer_referral(s.pia, first, Status.ACCEPTED)
    actions.answer_referral(s.pia, first, Status.COMPLETED, outcome="successful", outcome_on=dt.date.today())
    second = actions.refer_item(s.world.bob, _second_case(s), s.provider)
    actions.answer_referral(s.pia, second, Status.DECLINED, reason="Full")
    rows = funnel(s.world.bob, FunnelFilters())
    assert len(rows) == 1
    row = rows[0]
    assert (row.referred, row.accepted, row.completed, row.successful) == (2, 1, 1, 1)
    assert str(row.accepted_rate) == "50.0"
    assert funnel(s.world.bob, FunnelFilters(country="SN")) == []
    assert funnel(s.world.bob, FunnelFilters(since=dt.date.today() + dt.timedelta(days=1))) == []
    # Another office sees none of these cases, so none of their referrals.
    assert funnel(s.world.dave, FunnelFilters()) == []
    client = signed_in(s.world.bob)
    assert s.provider.name in client.get("/referrals/funnel/").content.decode()
    csv_text = client.get("/referrals/funnel/?format=csv").content.decode()
    assert csv_text.splitlines()[1].endswith(",2,1,1,1")
    # In the reader's language, with the mark by which spreadsheet programs read UTF-8
    # (Arabic was garbled; the header was codes over translated services).
    french = client.get("/referrals/funnel/?format=csv", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert french.startswith("\ufeffPrestataire,") and ",Guinée,GN," in french
    # The columns count referrals ("orientations", feminine plural): "Accepté" and "Tous" were wrong.
    page = client.get("/referrals/funnel/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert ">Acceptées</th>" in page and ">Achevées</th>" in page and ">Toutes<" in page


def test_bad_funnel_filters_are_named_and_show_no_figures(s, signed_in):
    """An impossible period or an unknown country showed "No referral in this period." or,
    for a bad date, the unfiltered totals as if filtered."""
    refer(s)
    client = signed_in(s.world.bob)
    backwards = client.get("/referrals/funnel/?since=2026-12-31&until=2026-01-01").content.decode()
    assert "The last day comes before the first." in backwards and 'id="funnel"' not in backwards
    unknown = client.get("/referrals/funnel/?country=ZZ").content.decode()
    assert "Choose a country from the list." in unknown and 'id="funnel"' not in unknown
    bad = client.get("/referrals/funnel/?since=abc")
    assert 'id="funnel"' not in bad.content.decode()
    assert client.get("/referrals/funnel/?since=abc&format=csv").status_code == 400
    french = client.get("/referrals/funnel/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "(100,0\u00a0%)" in french or "(0,0\u00a0%)" in french  # French sets a space before %
    # A provider's staff read their inbox, not a funnel of cases they do not read.
    assert signed_in(s.pia).get("/referrals/funnel/").status_code == 403


def test_a_declined_referral_is_in_the_case_workers_work_until_the_item_is_referred_again(s, signed_in):
    """The decline reached no list: the item waited with no provider until someone opened
    the case."""
    from django.urls import reverse

    from remis.referrals.queries import declined_to_refer_again

    referral = refer(s)
    actions.answer_referral(s.pia, referral, Status.DECLINED, reason="Closed for works until March")
    assert list(declined_to_refer_again(s.world.bob)) == [referral]
    names = {w.name: w for w in work_for(s.world.bob)}
    assert names["referrals_declined"].count == 1
    assert names["referrals_declined"].items[0].url == reverse("referral_detail", args=[referral.uuid])
    assert "referrals_declined" not in {w.name for w in work_for(s.pia)}  # the provider's side
    page = signed_in(s.world.bob).get(reverse("referral_declined")).content.decode()
    assert s.case.reference in page and "Centre Kaloum" in page
    # Delivered by another route since: off the list (it was listed as work to refer again).
    from remis.assistance.models import AssistanceItem, ItemStatus

    AssistanceItem.objects.filter(key=referral.item_key).update(status=ItemStatus.DELIVERED)
    assert list(declined_to_refer_again(s.world.bob)) == []
    AssistanceItem.objects.filter(key=referral.item_key).update(status=ItemStatus.APPROVED)
    # Referred to another provider: off the list.
    refer(s, s.other)
    assert list(declined_to_refer_again(s.world.bob)) == []
    assert "referrals_declined" not in {w.name for w in work_for(s.world.bob)}


def test_a_completed_referral_asks_the_case_worker_to_mark_its_item_delivered(s, signed_in):
    """The provider completed the training; the plan item stayed "approved", so the figures
    of assistance received counted it nowhere, and nothing told the case worker."""
    from django.urls import reverse

    from remis.assistance.models import AssistanceItem, ItemStatus
    from remis.referrals.queries import completed_item_not_delivered

    referral = refer(s)
    actions.answer_referral(s.pia, referral, Status.ACCEPTED)
    assert list(completed_item_not_delivered(s.world.bob)) == []  # under way: nothing to do yet
    actions.answer_referral(
        s.pia, referral, Status.COMPLETED, outcome="successful", outcome_on=dt.date.today()
    )
    assert list(completed_item_not_delivered(s.world.bob)) == [referral]
    names = {w.name: w for w in work_for(s.world.bob)}
    assert names["referrals_completed"].count == 1
    assert names["referrals_completed"].items[0].url == reverse("referral_detail", args=[referral.uuid])
    assert "referrals_completed" not in {w.name for w in work_for(s.pia)}  # the provider's side
    page = signed_in(s.world.bob).get(reverse("referral_completed")).content.decode()
    assert s.case.reference in page and "mark their items delivered" in page
    # Each row links to its plan item's status form, and says the outcome, not an answer
    # due (the list had the inbox's columns: "Answer due by —").
    item_page = reverse("plan_item", args=[s.case.uuid, referral.item_id]) + "#status"
    assert f'href="{item_page}"' in page and "Successful" in page and "Answer due by" not in page
    detail = signed_in(s.world.bob).get(reverse("referral_detail", args=[referral.uuid])).content.decode()
    assert f'href="{item_page}"' in detail
    provider = signed_in(s.pia).get(reverse("referral_detail", args=[referral.uuid])).content.decode()
    assert reverse("plan_item", args=[s.case.uuid, referral.item_id]) not in provider  # not the case
    # Nor the case side's list: a provider's staff do not mark plan items delivered.
    assert signed_in(s.pia).get(reverse("referral_completed")).status_code == 403
    # A new version of the plan drafted since: the link stays on the plan in force, where
    # the status is changed (a draft's item refuses it).
    from remis.assistance.actions import plans

    draft = plans.open_new_version(s.world.bob, referral.item.version.plan, reason="Adding a second item")
    assert AssistanceItem.objects.filter(version=draft, key=referral.item_key).exists()
    page = signed_in(s.world.bob).get(reverse("referral_completed")).content.decode()
    assert f'href="{item_page}"' in page
    AssistanceItem.objects.filter(key=referral.item_key).update(status=ItemStatus.DELIVERED)
    assert list(completed_item_not_delivered(s.world.bob)) == []
    assert "referrals_completed" not in {w.name for w in work_for(s.world.bob)}


def test_a_host_offices_manager_is_not_given_the_partners_completed_referrals_to_follow(s, signed_in):
    """IOM Belgium's manager had the Guinean partner's completed referrals in their work
    list ("mark their items delivered"), which the partner's case worker follows up."""
    from django.urls import reverse

    from remis.cases.tests.factories import make_user
    from remis.referrals.queries import completed_item_not_delivered

    manager = make_user("mona", s.world.be_office, "programme_manager", ["BE", "GN"])
    referral = refer(s)
    actions.answer_referral(s.pia, referral, Status.ACCEPTED)
    actions.answer_referral(
        s.pia, referral, Status.COMPLETED, outcome="successful", outcome_on=dt.date.today()
    )
    assert list(completed_item_not_delivered(manager)) == [referral]  # they read it
    assert list(completed_item_not_delivered(manager, mine=True)) == []  # but bob follows it
    assert "referrals_completed" not in {w.name for w in work_for(manager)}
    assert {w.name: w for w in work_for(s.world.bob)}["referrals_completed"].url.endswith("?mine=1")
    everyone = signed_in(manager).get(reverse("referral_completed")).text
    assert s.case.reference in everyone and "Only the cases I follow" in everyone
    theirs = signed_in(manager).get(reverse("referral_completed"), {"mine": "1"}).text
    assert s.case.reference not in theirs and "Nothing to do here." in theirs


def test_an_item_declined_twice_is_one_piece_of_work(s):
    """Declined by one provider, referred again and declined by another: the dashboard said
    "2 declined referrals to refer again" for one item waiting."""
    from remis.referrals.queries import declined_to_refer_again

    first = refer(s)
    actions.answer_referral(s.pia, first, Status.DECLINED, reason="No places until next quarter")
    second = refer(s, s.other)
    actions.answer_referral(s.oscar, second, Status.DECLINED, reason="Not our sector after all")
    assert list(declined_to_refer_again(s.world.bob)) == [second]
    names = {w.name: w for w in work_for(s.world.bob)}
    assert names["referrals_declined"].count == 1
