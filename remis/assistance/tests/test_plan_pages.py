from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from remis.assistance.models import Approval, AssistanceItem, Instalment, PlanStatus, PlanVersion
from remis.assistance.tests.factories import approved_plan, draft_plan, first_item, pdf
from remis.cases.tests.factories import PASSWORD
from remis.cases.tests.home import home_page, my_work_page

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_a_plan_is_built_submitted_approved_and_paid_through_the_pages(client, world, case, manon, today):
    login(client, world.bob)
    page = reverse("plan_detail", args=[case.uuid])
    started = client.post(page, {"step": "start"}, follow=True)
    assert "The plan is started: add the returnee" in started.content.decode()  # it said nothing
    version = PlanVersion.objects.get(plan__case=case)
    client.post(
        page,
        {
            "step": "need",
            "number": 1,
            "expected_version": version.version,
            "dimension": "economic",
            "description": "No income",
        },
    )
    version.refresh_from_db()
    need = version.needs.get()
    client.post(
        page,
        {
            "step": "goal",
            "number": 1,
            "expected_version": version.version,
            "need": need.pk,
            "description": "A shop",
        },
    )
    version.refresh_from_db()
    goal = need.goals.get()
    answer = client.post(
        page,
        {
            "step": "item",
            "number": 1,
            "expected_version": version.version,
            "goal": goal.pk,
            "kind": "business_setup",
            "level": "individual",
            "modality": "cash",
            "route": "direct",
            "amount": "-5",
            "currency": "EUR",
        },
    )
    assert answer.status_code == 200 and "The amount must be more than zero." in answer.text
    assert not AssistanceItem.objects.exists()
    # A goal removed by someone else meanwhile is said so, not "Select a valid choice. 4744…".
    sent: dict[str, object] = {"step": "item", "number": 1, "expected_version": version.version}
    sent |= {"kind": "business_setup", "level": "individual", "modality": "cash", "route": "direct"}
    gone = client.post(page, sent | {"amount": "5", "currency": "EUR", "goal": goal.pk + 1000})
    assert "This goal was removed since you opened the page" in gone.text and "valid choice" not in gone.text
    client.post(
        page,
        {
            "step": "item",
            "number": 1,
            "expected_version": version.version,
            "goal": goal.pk,
            "kind": "business_setup",
            "level": "individual",
            "modality": "cash",
            "route": "direct",
            "amount": "650",
            "currency": "eur",
            "starts_on": today.isoformat(),
        },
    )
    version.refresh_from_db()
    client.post(
        page,
        {
            "step": "agreement",
            "number": 1,
            "expected_version": version.version,
            "agreed_on": today.isoformat(),
            "agreement_file": pdf(),
        },
    )
    version.refresh_from_db()
    assert version.agreed_on == today
    client.post(page, {"step": "submit", "number": 1, "expected_version": version.version})
    version.refresh_from_db()
    assert version.status == PlanStatus.SUBMITTED
    # bob drafted it: he sees no approve button, and posting one is refused.
    assert "Return with the comment" not in client.get(page).text

    login(client, manon)
    text = client.get(page).text
    assert "Return with the comment" in text and "650.00 EUR" in text
    client.post(page, {"step": "approve", "number": 1, "expected_version": version.version, "comment": ""})
    version.refresh_from_db()
    assert version.status == PlanStatus.APPROVED and Approval.objects.get().by == manon

    login(client, world.bob)
    item = first_item(version)
    item_page = reverse("plan_item", args=[case.uuid, item.pk])
    # Cancelling cancels the item's referrals too: the status form asks first.
    assert "Change this item&#x27;s status? Cancelling it also cancels" in client.get(item_page).text
    answer = client.post(
        item_page, {"step": "pay", "paid_on": today.isoformat(), "amount": "700", "currency": "EUR"}
    )
    assert answer.status_code == 200 and "above the approved 650.00 EUR" in answer.text
    client.post(
        item_page,
        {
            "step": "pay",
            "paid_on": today.isoformat(),
            "amount": "300",
            "currency": "EUR",
            "receipt": pdf("r.pdf"),
        },
    )
    instalment = Instalment.objects.get()
    receipt = client.get(reverse("plan_receipt_download", args=[case.uuid, instalment.pk]))
    assert receipt.status_code == 200 and receipt["Content-Type"] == "application/pdf"
    from remis.audit.models import CaseRead

    assert CaseRead.objects.filter(case_uuid=case.uuid, channel="document").count() == 1  # the read log
    case_page = client.get(reverse("case_detail", args=[case.uuid])).text
    assert 'id="plan"' in case_page and "300.00 EUR" in case_page


def test_approving_ones_own_plan_from_the_page_is_refused(client, world, case, manon):
    version = draft_plan(manon, case)
    from remis.assistance import actions

    actions.submit_plan(manon, version)
    version.refresh_from_db()
    login(client, manon)
    page = reverse("plan_detail", args=[case.uuid])
    answer = client.post(
        page, {"step": "approve", "number": 1, "expected_version": version.version, "comment": ""}
    )
    assert answer.status_code == 200 and "another approver must decide" in answer.text
    version.refresh_from_db()
    assert version.status == PlanStatus.SUBMITTED


def test_the_plan_page_says_who_may_approve_and_when_they_are_not_enough(client, world, case):
    from remis.cases.tests.factories import make_user

    manon = make_user("manon", world.gn_partner, "programme_manager", ["GN"])
    draft_plan(world.bob, case, amounts=("600",))
    login(client, world.bob)
    text = client.get(reverse("plan_detail", args=[case.uuid])).text
    assert f"Who may approve it: {manon.display_name} (programme manager)." in text
    assert "Not enough people may approve plans on this case" not in text
    manon.memberships.update(status="deactivated")
    text = client.get(reverse("plan_detail", args=[case.uuid])).text
    assert "Who may approve it" not in text
    assert "Not enough people may approve plans on this case for this level" in text


def test_outsiders_get_404_on_every_plan_page(client, world, case, ines, dave, today):
    version = approved_plan(world, case, ines)
    item = first_item(version)
    login(client, dave)
    for url in (
        reverse("plan_detail", args=[case.uuid]),
        reverse("plan_compare", args=[case.uuid]),
        reverse("plan_item", args=[case.uuid, item.pk]),
        reverse("plan_agreement_download", args=[case.uuid, 1]),
    ):
        assert client.get(url).status_code == 404
    assert (
        client.post(
            reverse("plan_item", args=[case.uuid, item.pk]),
            {"step": "pay", "paid_on": today.isoformat(), "amount": "1", "currency": "EUR"},
        ).status_code
        == 404
    )
    assert not Instalment.objects.exists()


def test_a_read_only_reader_sees_the_plan_but_no_forms(client, world, case, ines):
    from remis.cases.tests.factories import make_user

    reader = make_user("rita", world.gn_partner, "me_officer", ["GN"])
    approved_plan(world, case, ines)
    login(client, reader)
    text = client.get(reverse("plan_detail", args=[case.uuid])).text
    assert "600.00 EUR" in text and "Open a new version" not in text and "Add a need" not in text


def test_versions_compare_side_by_side_with_differences_marked(client, world, case, ines, manon, today):
    from remis.assistance import actions

    first = approved_plan(world, case, ines, ("400", "200"))
    second = actions.open_new_version(world.bob, first.plan, reason="More stock")
    item = second.items.order_by("id")[0]
    actions.update_item(
        world.bob,
        item,
        actions.ItemData(kind="business_setup", modality="cash", amount="450", currency="EUR"),
        expected_version=second.version,
    )
    login(client, world.bob)
    text = client.get(reverse("plan_compare", args=[case.uuid]) + "?a=1&b=2").text
    assert "<mark><bdi>450.00 EUR</bdi></mark>" in text and text.count('class="changed"') == 1


def test_work_lists_show_on_the_dashboard_and_their_pages(client, world, case, manon, ines, today):
    from remis.assistance import actions

    version = draft_plan(world.bob, case)
    actions.submit_plan(world.bob, version)
    login(client, manon)
    assert "Plans awaiting my approval" in home_page(client)
    assert case.reference in client.get(reverse("plan_work", args=["approve"])).text
    # The day shown is the day it was submitted: the column says so (it said "Due").
    work = my_work_page(client).split("Plans awaiting my approval")[1].split("</table>")[0]
    assert "<th>Submitted</th>" in work and "<th>Due</th>" not in work
    actions.return_plan(manon, version, comment="Add dates")
    login(client, world.bob)
    assert case.reference in client.get(reverse("plan_work", args=["returned"])).text
    version.refresh_from_db()
    actions.submit_plan(world.bob, version)
    actions.approve_plan(ines, version)
    assert case.reference in client.get(reverse("plan_work", args=["instalments"])).text
    assert "Instalments due" in home_page(client)
    # What is left to pay, written as the reader writes amounts (it read "600.00" in French).
    world.bob.preferred_language = "fr"
    world.bob.save(update_fields=["preferred_language"])
    assert f"{case.reference} · 600,00 EUR" in home_page(client)


def test_budget_and_exchange_rate_pages(client, world, case, ines, manon, today):
    approved_plan(world, case, ines)
    login(client, manon)
    text = client.get(reverse("assistance_budget")).text
    assert "Belgian REAB" in text and "600.00 EUR" in text
    answer = client.post(
        reverse("exchange_rates"),
        {"month": today.isoformat(), "currency": "GNF", "to_currency": "EUR", "rate": "-1"},
    )
    assert answer.status_code == 200 and "Enter a rate above zero" in answer.text
    client.post(
        reverse("exchange_rates"),
        {"month": today.isoformat(), "currency": "GNF", "to_currency": "EUR", "rate": "0.000105"},
    )
    assert "0.000105" in client.get(reverse("exchange_rates")).text
    login(client, world.alice)
    assert (
        client.post(
            reverse("exchange_rates"),
            {"month": today.isoformat(), "currency": "GNF", "to_currency": "EUR", "rate": "1"},
        ).status_code
        == 403
    )


def test_work_list_pages_take_a_fixed_number_of_queries(client, world, manon, django_assert_max_num_queries):
    from remis.assistance import actions
    from remis.assistance.tests.factories import case_at_plan

    for _ in range(3):
        version = draft_plan(world.bob, case_at_plan(world))
        actions.submit_plan(world.bob, version)
    login(client, manon)
    with django_assert_max_num_queries(20) as captured:
        assert client.get(reverse("plan_work", args=["approve"])).status_code == 200
    few = len(captured)
    version = draft_plan(world.bob, case_at_plan(world))
    actions.submit_plan(world.bob, version)
    with django_assert_max_num_queries(few):
        client.get(reverse("plan_work", args=["approve"]))


def test_posts_with_garbled_numbers_are_answered_not_crashed(client, world, case):
    version = draft_plan(world.bob, case)
    login(client, world.bob)
    page = reverse("plan_detail", args=[case.uuid])
    assert client.post(page, {"step": "need", "number": "x", "expected_version": "y"}).status_code == 200
    item = first_item(version)
    answer = client.post(
        reverse("plan_item", args=[case.uuid, item.pk]), {"step": "remove", "expected_version": "z"}
    )
    assert answer.status_code == 302 and AssistanceItem.objects.filter(pk=item.pk).exists()


def test_a_medical_care_item_reads_restricted_to_readers_without_the_health_group(client, world, case):
    from remis.accounts.models import Role
    from remis.assistance import actions
    from remis.cases.tests.factories import make_user

    version = draft_plan(world.bob, case, amounts=())
    goal = version.needs.get().goals.get()
    actions.add_item(
        world.bob,
        goal,
        actions.ItemData(
            kind="medical_care", modality="service", amount="120", currency="EUR", description="Insulin"
        ),
    )
    Role.objects.create(code="plain_reader", name="Reader", permissions=["case.view"])
    reader = make_user("rita", world.gn_partner, "plain_reader", ["GN"])
    login(client, reader)
    text = client.get(reverse("plan_detail", args=[case.uuid])).text
    assert "Restricted" in text and "Medical care" not in text and "Insulin" not in text
    assert "120.00 EUR" in text  # the budget stays readable
    login(client, world.bob)
    text = client.get(reverse("plan_detail", args=[case.uuid])).text
    assert "Medical care" in text and "Insulin" in text


def test_the_plan_panel_shows_from_the_assessment_on(client, world, case):
    from remis.cases.tests.factories import accepted_case

    login(client, world.bob)
    early = accepted_case(world)
    assert 'id="plan"' not in client.get(reverse("case_detail", args=[early.uuid])).text
    text = client.get(reverse("case_detail", args=[case.uuid])).text
    assert 'id="plan"' in text and "Start the plan" in text
    # The plan's own page, before the assessment: no button that can only be refused.
    too_early = client.get(reverse("plan_detail", args=[early.uuid])).text
    assert "Start the plan" not in too_early
    assert "A plan is written once the case reaches the assessment stage." in too_early


def test_the_back_links_arrow_turns_with_the_page(client, world, case):
    """The arrow of a back link points to where the page starts: left in English, right in
    Arabic (the stylesheet mirrors `.arrow` on right-to-left pages)."""
    version = draft_plan(world.bob, case)
    signed_in = login(client, world.bob)
    for url in (
        reverse("plan_detail", args=[case.uuid]),
        reverse("plan_compare", args=[case.uuid]),
        reverse("plan_item", args=[case.uuid, first_item(version).pk]),
    ):
        page = signed_in.get(url).content.decode()
        assert '<span class="arrow" aria-hidden="true">←</span>' in page, url
        assert ">← " not in page, url


def test_the_budgets_page_names_the_country_and_shows_every_amount_with_two_decimals(
    client, world, case, ines, manon
):
    approved_plan(world, case, ines, amounts=("400", "200"))
    login(client, manon)
    text = client.get(reverse("assistance_budget")).text
    row = text[text.index("<tbody>") : text.index("</tbody>")]
    assert "<td>Guinea</td>" in row
    # All in the reporting currency: each amount once (it was shown twice, unexplained).
    assert row.count("<bdi>600.00 EUR</bdi>") == 2  # planned and approved
    assert "= <bdi>" not in row


def test_a_programmes_countries_are_followed_by_its_total_in_its_reporting_currency():
    """A manager added up the page by hand; the countries came in the order of their codes."""
    from decimal import Decimal

    from remis.assistance.queries import BudgetRow, Money, _with_totals

    def row(programme: str, country: str, planned: str, plans: int) -> BudgetRow:
        money = Money({"EUR": Decimal(planned)}, Decimal(planned))
        return BudgetRow(programme, country, "EUR", money, money, Money(), plans)

    rows = _with_totals([row("A", "GN", "100.00", 1), row("A", "SN", "50.50", 2), row("B", "IQ", "7.00", 1)])
    assert [(r.programme, r.country, r.total) for r in rows] == [
        ("A", "GN", False),
        ("A", "SN", False),
        ("A", "", True),  # one country alone (B) needs no total
        ("B", "IQ", False),
    ]
    total = rows[2]
    assert total.plans == 3 and total.planned.reporting == Decimal("150.50")
    assert total.planned.by_currency == {"EUR": Decimal("150.50")}
    assert total.disbursed.reporting is None  # nothing paid: no sum claimed


def test_an_amount_in_an_arabic_sentence_reads_as_one_piece(client, world, case):
    """In a right-to-left sentence "700,00 EUR" would be laid out as "EUR 700,00" (unlike in
    the tables, where each amount is isolated): the Arabic sentences isolate it too."""
    draft_plan(world.bob, case)
    world.bob.preferred_language = "ar"
    world.bob.save(update_fields=["preferred_language"])
    page = login(client, world.bob).get(reverse("plan_detail", args=[case.uuid])).content.decode()
    assert "\u2068700,00 EUR\u2069" in page  # the programme's package for one person


def test_amounts_are_grouped_as_each_language_writes_them(client, world, case):
    draft_plan(world.bob, case, amounts=("1500",))
    page = login(client, world.bob).get(reverse("plan_detail", args=[case.uuid])).content.decode()
    assert "1,500.00 EUR" in page
    world.bob.preferred_language = "fr"
    world.bob.save(update_fields=["preferred_language"])
    page = login(client, world.bob).get(reverse("plan_detail", args=[case.uuid])).content.decode()
    assert "1\u00a0500,00 EUR" in page and "1500,00 EUR" not in page


def test_a_payment_form_sent_twice_records_one_instalment(client, world, case, ines, today):
    """Back after recording a payment, then the button again: the same form (its key) is
    refused with a message, over a new form; a new form records the next payment."""
    import re

    version = approved_plan(world, case, ines)
    item = first_item(version)
    login(client, world.bob)
    item_page = reverse("plan_item", args=[case.uuid, item.pk])
    drawn = client.get(item_page).text
    key = re.search(r'name="form_key" value="([0-9a-f-]+)"', drawn)
    assert key is not None
    sent = {"step": "pay", "form_key": key.group(1), "paid_on": today.isoformat(), "amount": "100"}
    sent["currency"] = "EUR"
    assert client.post(item_page, sent).status_code == 302
    again = client.post(item_page, sent, follow=True)
    assert "This form was already sent" in again.text
    assert Instalment.objects.count() == 1
    fresh = re.search(r'name="form_key" value="([0-9a-f-]+)"', again.text)
    assert fresh is not None and fresh.group(1) != key.group(1)
    assert client.post(item_page, {**sent, "form_key": fresh.group(1)}).status_code == 302
    assert Instalment.objects.count() == 2


def test_a_payment_recorded_meanwhile_by_a_colleague_is_said_before_a_second_is_recorded(
    client, world, case, ines, today
):
    """Two colleagues recording the same 20 EUR from pages opened before both had it twice:
    the second is told what is paid now, keeps what they typed, and records theirs only by
    sending it again."""
    import re

    from remis.assistance import actions

    version = approved_plan(world, case, ines)
    item = first_item(version)
    login(client, world.bob)
    item_page = reverse("plan_item", args=[case.uuid, item.pk])
    drawn = client.get(item_page).text
    fields = dict(re.findall(r'name="(form_key|seen_paid)" value="([^"]*)"', drawn))
    assert fields["seen_paid"] in ("0.00", "0")
    actions.record_instalment(world.bob, item, paid_on=today, amount="20", currency="EUR")  # the colleague
    sent = {"step": "pay", **fields, "paid_on": today.isoformat(), "amount": "20", "currency": "EUR"}
    refused = client.post(item_page, sent)
    assert refused.status_code == 200 and Instalment.objects.count() == 1
    text = refused.text
    assert "A payment was recorded on this item after you opened it: 20.00 EUR is paid now." in text
    amount = re.search(r'<input[^>]*id="pay-amount"[^>]*>', text)
    assert amount is not None and 'value="20"' in amount.group(0)  # what was typed stays
    again = dict(re.findall(r'name="(form_key|seen_paid)" value="([^"]*)"', text))
    assert again["seen_paid"] in ("20.00", "20")
    assert client.post(item_page, {**sent, **again}).status_code == 302  # sent knowingly: recorded
    assert Instalment.objects.count() == 2


def test_a_new_version_asked_from_an_outdated_page_says_why(client, world, case, ines):
    """Another tab opened version 2 already: the form (shown only while no version is
    open) is not on the page to carry the refusal, which came back silent."""
    from remis.assistance import actions

    first = approved_plan(world, case, ines)
    login(client, world.bob)
    page = reverse("plan_detail", args=[case.uuid])
    asked = {"step": "new_version", "number": first.number, "reason": "From the second tab"}
    actions.open_new_version(world.bob, first.plan, reason="From the first tab")
    answer = client.post(page, asked, follow=True)
    assert "is still open" in answer.text
    assert PlanVersion.objects.filter(plan=first.plan).count() == 2


def test_a_decision_refused_as_outdated_keeps_the_comment_and_can_be_sent_again(
    client, world, case, ines, manon
):
    from remis.assistance import actions

    version = draft_plan(world.bob, case)
    actions.submit_plan(world.bob, version)
    version.refresh_from_db()
    read = version.version
    PlanVersion.objects.filter(pk=version.pk).update(version=read + 1)  # another tab's save
    login(client, ines)
    page = reverse("plan_detail", args=[case.uuid])
    sent = {"step": "return", "number": 1, "expected_version": read, "comment": "Add the rent"}
    answer = client.post(page, sent)
    assert answer.status_code == 200 and "Someone else saved" in answer.text
    assert "Add the rent" in answer.text and f'name="expected_version" value="{read + 1}"' in answer.text


def test_a_return_sent_after_a_colleague_approved_says_so_and_quotes_the_comment(
    client, world, case, ines, manon
):
    """The page showed the approved plan and "Someone else saved this record… open the
    page again", and the approver's comment was gone, quoted nowhere."""
    from remis.assistance import actions

    version = draft_plan(world.bob, case)
    actions.submit_plan(world.bob, version)
    version.refresh_from_db()
    read = version.version
    actions.approve_plan(ines, version)
    login(client, manon)
    page = reverse("plan_detail", args=[case.uuid])
    comment = "Split the sewing machines into two instalments"
    answer = client.post(page, {"step": "return", "number": 1, "expected_version": read, "comment": comment})
    assert answer.status_code == 200
    assert "meanwhile the plan became “Approved”" in answer.text and "Decided by Ines" in answer.text
    assert comment in answer.text and "Open the page again" not in answer.text
    version.refresh_from_db()
    assert version.status == PlanStatus.APPROVED


def test_an_approval_sent_after_a_colleagues_first_of_two_says_so(client, world, case, ines, manon):
    """The second approver got "someone else saved this record… open the page again"."""
    from decimal import Decimal

    from remis.assistance import actions

    world.programme.settings_versions.update(grant_per_person=Decimal("0"))  # no package
    version = draft_plan(world.bob, case, ("3000", "2500"))  # above the second threshold: two approvals
    actions.submit_plan(world.bob, version)
    version.refresh_from_db()
    read = version.version
    actions.approve_plan(ines, version)
    login(client, manon)
    page = reverse("plan_detail", args=[case.uuid])
    answer = client.post(page, {"step": "approve", "number": 1, "expected_version": read, "comment": "Fine"})
    assert "meanwhile Ines" in answer.text and "waits for another approval" in answer.text
    assert "Open the page again" not in answer.text


def _item_edit(version: Any, item: Any, amount: str) -> dict[str, Any]:
    """The item page's edit form as sent, the item as it is but its amount."""
    return {
        "step": "edit",
        "expected_version": version.version,
        "goal": item.goal_id,
        "kind": item.kind.code,
        "level": item.level,
        "modality": item.modality,
        "route": item.route,
        "amount": amount,
        "currency": "EUR",
    }


def test_an_item_edit_sent_after_the_plan_was_submitted_says_nothing_was_saved(
    client, world, case, approvers
):
    """Another tab submitted the plan: the edit's refusal went with its form, off the page,
    and the edit was lost without a word."""
    from remis.assistance import actions

    version = draft_plan(world.bob, case)
    item = first_item(version)
    login(client, world.bob)
    page = reverse("plan_item", args=[case.uuid, item.pk])
    form = _item_edit(version, item, "300")
    actions.submit_plan(world.bob, version)
    answer = client.post(page, form, follow=True)
    assert "Version 1 of the plan is “Submitted for approval” now: nothing was saved." in answer.text
    # What can be done: a submitted plan is returned by an approver ("Open a new version"
    # is offered on an approved plan only).
    assert "Ask an approver to return it to change the item." in answer.text
    item.refresh_from_db()
    assert item.amount != 300


def test_an_item_edit_refused_as_outdated_shows_the_item_as_saved_and_what_was_typed(client, world, case):
    """Two tabs editing one item. The second was first sent back with the version it had
    read (refused again on every send); then with its typing over the newer version, so a
    second send undid the colleague's change (900 back over their 700) without a word. It
    now shows the item as saved, says what was typed otherwise, and a send of the form as
    shown keeps the colleague's change."""

    version = draft_plan(world.bob, case)
    item = first_item(version)
    login(client, world.bob)
    page = reverse("plan_item", args=[case.uuid, item.pk])
    form = _item_edit(version, item, "450")
    colleague = {**_item_edit(version, item, "700"), "description": "Sewing machines"}
    assert client.post(page, colleague).status_code == 302  # the other tab, first
    refused = client.post(page, form)
    assert refused.status_code == 200
    assert "Someone else saved this item after you opened it: the form shows it as saved now." in refused.text
    assert "You had typed otherwise: Description —, Budget “450”." in refused.text
    version.refresh_from_db()
    item.refresh_from_db()
    assert item.amount == 700  # nothing written by the refused send
    text = refused.text
    assert f'name="expected_version" value="{version.version}" id="item-expected_version"' in text
    assert 'value="700.00"' in text and "Sewing machines" in text
    # The form sent as shown: the colleague's change stands.
    as_shown = {**colleague, "amount": "700.00", "expected_version": version.version}
    assert client.post(page, as_shown).status_code == 302
    item.refresh_from_db()
    assert item.amount == 700 and item.description == "Sewing machines"
    # Applied again knowingly, from the page as it is now: saved.
    version.refresh_from_db()
    assert client.post(page, {**form, "expected_version": version.version}).status_code == 302
    item.refresh_from_db()
    assert item.amount == 450


def test_a_closed_cases_plan_offers_no_form_and_takes_no_payment(client, world, case, ines, today):
    """A payment form opened before another tab closed the case recorded the payment."""
    from remis.cases import actions as cases
    from remis.cases.tests.factories import only_cases_guards

    item = first_item(approved_plan(world, case, ines))
    login(client, world.bob)
    page = reverse("plan_item", args=[case.uuid, item.pk])
    assert 'name="step" value="pay"' in client.get(page).text
    with only_cases_guards():
        cases.close_case(world.bob, case, "remigrated")
    answer = client.post(
        page, {"step": "pay", "paid_on": today.isoformat(), "amount": "10", "currency": "EUR"}, follow=True
    )
    assert "The case is closed now: nothing was recorded." in answer.text
    assert not Instalment.objects.exists()
    text = client.get(page).text
    assert 'value="pay"' not in text and 'value="status"' not in text and "The case is closed" in text
    plan_page = client.get(reverse("plan_detail", args=[case.uuid])).text
    assert "nothing more is changed or paid" in plan_page and "Change the approved plan" not in plan_page


def test_the_budgets_are_filtered_by_payment_days_and_downloaded(client, world, case, ines, manon, today):
    """No filter and no download: a quarter's disbursements could not be produced, and
    nothing disbursed read as a blank cell."""
    import csv
    import datetime as dt
    import io

    from remis.assistance import actions

    version = approved_plan(world, case, ines)
    item = version.items.order_by("pk")[0]
    actions.record_instalment(world.bob, item, paid_on=today, amount="150", currency="EUR")
    login(client, manon)
    url = reverse("assistance_budget")
    assert "150.00 EUR" in client.get(url).text
    last_year = {"paid_from": f"{today.year - 1}-01-01", "paid_to": f"{today.year - 1}-12-31"}
    page = client.get(url, last_year).text
    assert "150.00 EUR" not in page and "0.00 EUR" in page  # nothing paid then: a zero, not a blank
    download = client.get(url, {**last_year, "format": "csv"})
    assert download["Content-Disposition"] == (
        f'attachment; filename="assistance-budgets-paid-{today.year - 1}-01-01-{today.year - 1}-12-31.csv"'
    )
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["Programme", "Country of origin", "Country code", "Plans", "Reporting currency"]
    assert rows[1][0] == "Belgian REAB" and rows[1][2] == "GN" and rows[1][-2] == "0.00"
    this_year = client.get(url, {"paid_from": today.isoformat(), "format": "csv"})
    assert list(csv.reader(io.StringIO(this_year.content.decode("utf-8-sig"))))[1][-2] == "150.00"
    backwards = {"paid_from": today.isoformat(), "paid_to": (today - dt.timedelta(days=1)).isoformat()}
    assert "The last day comes before the first." in client.get(url, backwards).text
    assert "Select a valid choice" in client.get(url, {"programme": "999999"}).text


def test_an_approver_who_approved_sees_it_waits_for_another_and_may_still_return_it(
    client, world, case, ines, manon
):
    """After approving a plan needing two approvers, the page still offered Approve, and each
    click was refused; Return stays (no second approver may come), and works."""
    from decimal import Decimal

    from remis.assistance import actions

    world.programme.settings_versions.update(grant_per_person=Decimal("0"))  # no package
    version = actions.submit_plan(world.bob, draft_plan(world.bob, case, ("3000", "2500")))
    actions.approve_plan(ines, version)
    login(client, ines)
    page = client.get(reverse("plan_detail", args=[case.uuid])).text
    assert "You approved this plan: it waits for another approver" in page
    assert 'name="step" value="approve"' not in page and 'value="return"' in page
    login(client, manon)  # the other approver decides
    page = client.get(reverse("plan_detail", args=[case.uuid])).text
    assert 'name="step" value="approve"' in page and "You approved this plan" not in page
    # The first approver returns it after all: their decision is now the return.
    returned = actions.return_plan(ines, version, comment="The second approver is away: split the grant")
    assert returned.status == "returned"
    decisions = list(version.decisions.filter(round=version.round).values_list("by_id", "decision"))
    assert decisions == [(ines.pk, "returned")]


def test_approve_is_refused_when_no_one_could_complete_the_approval(client, world, case, ines, manon):
    """A plan needing two approvers, one of whom left: the page warned, yet offered Approve;
    the approval took the plan out of every list, waiting for good."""
    from decimal import Decimal

    from remis.assistance import actions
    from remis.lib.errors import DomainError

    world.programme.settings_versions.update(grant_per_person=Decimal("0"))  # no package
    version = actions.submit_plan(world.bob, draft_plan(world.bob, case, ("3000", "2500")))
    from remis.assistance.actions.approvals import possible_approvers

    others, _managers = possible_approvers(version, {world.bob.pk, ines.pk})
    assert manon.pk in others
    type(manon).objects.filter(pk__in=others).update(is_active=False)  # the other approvers left
    login(client, ines)
    page = client.get(reverse("plan_detail", args=[case.uuid])).text
    assert "Not enough people may approve plans on this case" in page
    assert 'name="step" value="approve"' not in page and 'value="return"' in page
    with pytest.raises(DomainError, match="approver who does not exist"):
        actions.approve_plan(ines, version)
    version.refresh_from_db()
    assert version.status == "submitted" and not version.decisions.exists()  # nothing half-written
    assert actions.return_plan(ines, version, comment="Two approvers needed: split it").status == "returned"


def test_instalments_due_are_paged_beyond_the_first_rows(client, world, case, ines, monkeypatch):
    """The page showed the first 200 instalments due with nothing to say there were more."""
    from remis.assistance import views

    monkeypatch.setattr(views, "WORK_PER_PAGE", 2)
    approved_plan(world, case, ines, amounts=("100", "200", "300"))
    login(client, world.bob)
    url = reverse("plan_work", args=["instalments"])
    first = client.get(url).text
    assert first.count("100.00 EUR") + first.count("200.00 EUR") + first.count("300.00 EUR") == 2
    assert 'href="?page=2"' in first and "Page 1 of 2" in first
    second = client.get(url, {"page": 2}).text
    assert "300.00 EUR" in second and "Page 2 of 2" in second and 'href="?page=1"' in second
    # Longer than the count goes (1,000 in production; 2 here): "2+", not the 3 it counted,
    # and a page past the end shows the last one rather than "Nothing to do here".
    from remis.lib import paging

    monkeypatch.setattr(paging, "COUNT_CAP", 2)
    capped = client.get(url).text
    assert '<span class="badge">2+</span>' in capped and "Page 1</span>" in capped
    beyond = client.get(url, {"page": 500}).text
    assert "300.00 EUR" in beyond and "Nothing to do here" not in beyond


def test_the_home_card_lists_the_instalments_of_the_cases_i_follow_and_the_page_the_office(
    client, world, case, ines
):
    """IOM Belgium's manager had the partners' instalments of returnees in Iraq and Russia
    on their home page: the card is the reader's own cases (as the follow-ups card is), its
    page opens on them and shows the office's on asking, filtered by a reference too, the
    filters kept from page to page."""
    from remis.cases.tests.factories import assign, make_user

    approved_plan(world, case, ines, amounts=("100",))
    colleague = make_user("colleague.gn", world.gn_partner, "case_worker", ["GN"])
    login(client, colleague)
    # Nobody of Guinea holds the case yet: the colleague may pay it (the host counsellor who
    # registered it is not the partner's worker).
    assert "Instalments due" in home_page(client)
    assign(world.bob, case, [world.bob])
    assert "Instalments due" not in home_page(client)  # Bob's now
    url = reverse("plan_work", args=["instalments"])
    mine = client.get(url, {"mine": "on"}).text
    assert case.reference not in mine and "No instalment due matches these filters." in mine
    assert "Show every instalment due" in mine
    office = client.get(url).text
    assert case.reference in office  # the office's list: still theirs to pay if need be
    assert case.reference in client.get(url, {"reference": case.reference[:8].lower()}).text
    assert case.reference not in client.get(url, {"reference": "ZZZ"}).text
    login(client, world.bob)
    from remis.cases.extensions import work_for

    assert "Instalments due" in home_page(client)
    assert {w.name: w.url for w in work_for(world.bob)}["instalments_due"] == f"{url}?mine=on"
    assert case.reference in client.get(url, {"mine": "on"}).text


def test_the_instalments_filters_are_kept_from_page_to_page(client, world, case, ines, monkeypatch):
    from remis.assistance import views

    monkeypatch.setattr(views, "WORK_PER_PAGE", 1)
    approved_plan(world, case, ines, amounts=("100", "200"))
    login(client, world.bob)
    first = client.get(reverse("plan_work", args=["instalments"]), {"mine": "on", "reference": "GIN"}).text
    assert 'href="?reference=GIN&amp;mine=on&amp;page=2"' in first
    assert '<input type="checkbox" name="mine" id="id_mine" checked>' in first
    assert 'value="GIN"' in first


def test_bad_instalment_filters_are_said_and_list_nothing(client, world, case, ines):
    """A reference too long, or a NUL, showed the error above every instalment of the office
    with "Only the cases I follow" still ticked."""
    approved_plan(world, case, ines, amounts=("100",))
    login(client, world.bob)
    url = reverse("plan_work", args=["instalments"])
    for reference in ("G" * 41, "\x00"):
        page = client.get(url, {"mine": "on", "reference": reference}).text
        assert case.reference not in page, reference
        assert "at most 40 characters" in page or "Null characters are not allowed." in page, reference
        assert "No instalment due matches these filters." not in page
    assert 'autocomplete="off"' in client.get(url).text  # Back restores no ticked box over another list


def test_the_plans_work_lists_refuse_roles_they_are_not_the_work_of(client, world, case):
    """A donor's viewer, a counsellor or an M&E officer were shown an empty list with its
    filters, as if nothing were due."""
    for user in (world.victor, world.alice, world.carol):
        login(client, user)
        for kind in ("instalments", "approve"):
            answer = client.get(reverse("plan_work", args=[kind]))
            assert answer.status_code == 403, (user, kind)
    login(client, world.alice)
    refused = client.get(reverse("plan_work", args=["instalments"]), HTTP_ACCEPT_LANGUAGE="fr").text
    assert "Votre rôle n’enregistre pas de versements." in refused
    login(client, world.bob)
    assert client.get(reverse("plan_work", args=["instalments"])).status_code == 200
    assert client.get(reverse("plan_work", args=["returned"])).status_code == 200
    assert client.get(reverse("plan_work", args=["approve"])).status_code == 403  # Bob does not approve


def test_a_need_added_after_the_plan_was_submitted_is_said_with_what_was_typed(
    client, world, case, approvers
):
    """Another tab submitted the plan: the need's refusal went with its form, off the page;
    the page came back with no word and the typing lost."""
    from remis.assistance import actions

    version = draft_plan(world.bob, case)
    login(client, world.bob)
    actions.submit_plan(world.bob, version)  # the other tab
    answer = client.post(
        reverse("plan_detail", args=[case.uuid]),
        {
            "step": "need",
            "expected_version": version.version,
            "dimension": "social",
            "description": "Housing is overcrowded (typed in the other tab)",
        },
    )
    assert answer.status_code == 200
    assert "What you typed: Need “Housing is overcrowded (typed in the other tab)”." in answer.text
    assert not version.needs.filter(description__contains="other tab").exists()


def test_an_items_route_reads_as_a_way_of_delivering_in_french_not_a_journey(client, world, case, ines):
    """ "Route" was translated once, for the return journey: "Itinéraire : Direct"."""
    version = approved_plan(world, case, ines)
    item = first_item(version)
    world.bob.preferred_language = "fr"
    world.bob.save(update_fields=["preferred_language"])
    client.force_login(world.bob)
    for url in (reverse("plan_item", args=[case.uuid, item.pk]), reverse("plan_detail", args=[case.uuid])):
        text = client.get(url).text
        assert "Mode de prestation" in text and "Itinéraire" not in text
