"""Later apps show themselves on the case page and the dashboard through registries, so the
cases app imports none of them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse

from remis.accounts.permissions import Perm
from remis.cases import extensions
from remis.cases.extensions import CasePanel, PanelContext, WorkItem, WorkList, WorkSource
from remis.cases.tests.factories import register
from remis.cases.tests.home import home_page, my_work_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def seen() -> Iterator[list[PanelContext]]:
    calls: list[PanelContext] = []

    def context(c: PanelContext) -> dict[str, Any] | None:
        calls.append(c)
        # Shown only to those who may edit the case: a reader-dependent panel.
        return {} if Perm.CASE_EDIT in c.permissions else None

    extensions.register_case_panel(
        CasePanel("test-plan", "Reintegration plan (test)", "includes/form_errors.html", context)
    )
    yield calls
    extensions.unregister("test-plan")


def test_a_registered_panel_is_shown_to_the_readers_it_chooses(world, seen, signed_in):
    case = register(world)
    page = signed_in(world.alice).get(reverse("case_detail", args=[case.uuid])).content.decode()
    assert 'id="test-plan"' in page and "Reintegration plan (test)" in page
    assert seen[-1].case == case and "health" in seen[-1].groups
    # The M&E officer reads the case without editing it.
    other = signed_in(world.carol).get(reverse("case_detail", args=[case.uuid])).content.decode()
    assert 'id="test-plan"' not in other


def test_a_registered_work_list_is_counted_on_the_dashboard(world, signed_in):
    def approvals(actor: Any) -> WorkList | None:
        if actor != world.alice:
            return None
        return WorkList(
            "test-approvals",
            "Plans awaiting my approval",
            3,
            [WorkItem("GIN-2026-000007 · plan v2", "/cases/", overdue=True)],
            url="/cases/",
        )

    extensions.register_work_list(WorkSource("test-approvals", approvals))
    try:
        page = home_page(signed_in(world.alice))
        assert 'id="work-test-approvals"' in page and "Plans awaiting my approval" in page
        assert "GIN-2026-000007 · plan v2" in page and "Overdue" in page
        other = home_page(signed_in(world.carol))
        assert "Plans awaiting my approval" not in other
    finally:
        extensions.unregister("test-approvals")


def test_the_home_page_shows_before_its_work_lists_which_arrive_one_by_one(world, signed_in):
    """At a million cases a large office's work lists took seconds together, and the home
    page waited for the slowest: the page now names each list's address and runs none."""
    calls: list[Any] = []

    def slow(actor: Any) -> WorkList | None:
        calls.append(actor)
        if actor != world.alice:
            return None
        return WorkList("test-slow", "Slow list", 1, [WorkItem("GIN-2026-000009", "/cases/")])

    extensions.register_work_list(WorkSource("test-slow", slow))
    try:
        client = signed_in(world.alice)
        page = client.get(reverse("dashboard")).content.decode()
        card_url = reverse("work_card", args=["test-slow"])
        assert f'data-hx-get="{card_url}"' in page and "Loading your work lists" in page
        assert calls == [] and "Slow list" not in page
        card = client.get(card_url, HTTP_HX_REQUEST="true")
        assert card.status_code == 200 and calls == [world.alice]
        assert 'id="work-test-slow"' in card.text and "GIN-2026-000009" in card.text
        assert "<html" not in card.text  # the card alone, swapped into the page
        # Nothing for this reader: nothing at all, so the placeholder leaves no empty card.
        nothing = signed_in(world.carol).get(card_url, HTTP_HX_REQUEST="true")
        assert nothing.status_code == 200 and nothing.content == b""
        assert client.get(reverse("work_card", args=["no-such"]), HTTP_HX_REQUEST="true").status_code == 404
    finally:
        extensions.unregister("test-slow")


def test_a_work_list_is_not_loaded_once_signed_out(world, signed_in):
    client = signed_in(world.alice)
    client.logout()
    card_url = reverse("work_card", args=["submissions"])
    card = client.get(card_url, HTTP_HX_REQUEST="true")
    # The browser is sent to sign in (not a sign-in page inside the card), and once signed
    # in again, the card's address leads to the home page, not to a bare card.
    assert card.status_code == 204 and card["HX-Redirect"].startswith(reverse("login"))
    assert b"work-submissions" not in card.content
    # Back, once signed in, to the page the card was on (not the card's own address);
    # a page on another site is not trusted as where to go.
    sent_from = client.get(card_url, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver/")
    assert sent_from["HX-Redirect"] == reverse("login") + "?next=%2F"
    foreign = client.get(card_url, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="https://evil.example/")
    assert "evil" not in foreign["HX-Redirect"]
    signed_in(world.alice)
    assert client.get(card_url).url == reverse("dashboard")
    assert client.get(card_url, {"layout": "section"}).url == reverse("my_work")  # My work's list


def test_my_work_lists_the_submission_a_partner_must_answer_and_flags_it_overdue(world, signed_in):
    import datetime as dt

    from django.utils import timezone

    from remis.cases import actions
    from remis.cases.models import Submission

    case = register(world)
    today = timezone.localdate()
    actions.record_consent(world.alice, case, purpose="data_processing", given=True, given_on=today)
    actions.record_consent(world.alice, case, purpose="sharing_with_partners", given=True, given_on=today)
    actions.record_counselling(world.alice, case, held_on=today)
    submission = actions.submit_case(world.alice, case, world.gn_partner)
    page = my_work_page(signed_in(world.bob))
    assert case.reference in page and "Overdue" not in page
    Submission.objects.filter(pk=submission.pk).update(due_at=timezone.now() - dt.timedelta(days=1))
    page = my_work_page(signed_in(world.bob))
    assert case.reference in page and "Overdue" in page
    dashboard = home_page(signed_in(world.bob))
    assert 'id="work-submissions"' in dashboard and case.reference in dashboard
    # The donor's viewer reads no case: nothing is listed, and the page says so.
    empty = my_work_page(signed_in(world.victor))
    assert case.reference not in empty and 'class="card"' not in empty  # remis.js says nothing waits
    # Read all at once (without scripts: `?now=1`), the page says it itself.
    at_once = signed_in(world.victor).get(reverse("my_work"), {"now": "1"}).text
    assert '<p class="empty">Nothing is waiting for you.</p>' in at_once
    at_once = signed_in(world.bob).get(reverse("my_work"), {"now": "1"}).text
    assert case.reference in at_once and 'id="work-submissions"' in at_once
