"""Two people on the same plan, referral or provider at once, each in their own browser: both
open the page, both send; one is recorded, the other is told, in the page's language, that
someone saved first, and nothing of theirs overwrites the first (the plan's version, the
referral's and the provider's are optimistic locks)."""

from __future__ import annotations

import datetime as dt
import io

from django.core.management import call_command
from playwright.sync_api import expect


def _translated(language: str, text: str) -> str:
    from django.utils import translation

    with translation.override(language):
        return translation.gettext(text)


CONFLICT = (
    "Someone else saved this record after you opened it. Open the page again from its link to see their "
    "changes (reloading sends your form again), then apply yours again."
)


# What the item and plan pages say when they can tell more (the item as saved now; the
# plan shown as it is, with what was typed).
ITEM_AS_SAVED = "Someone else saved this item after you opened it: the form shows it as saved now."
PLAN_CHANGED = (
    "Someone else changed this plan after you opened it: nothing was saved. It is shown as it is now."
)
DECIDED_MEANWHILE = "Nothing was recorded: meanwhile the plan became “%(status)s”."


def _at_once(*clicks) -> None:
    """Both buttons pressed before either answer comes back: the two requests race."""
    for button in clicks:
        button.click(no_wait_after=True)
    for button in clicks:
        button.page.wait_for_load_state("load")


def _told(page, language: str, *, conflict: bool, or_: tuple[str, ...] = ()) -> bool:
    """Whether the page tells of a conflict (in the page's language) rather than a success:
    the general words, or one of `or_` (what a page says when it can tell what changed)."""
    alert = page.locator("main [role=alert]")
    status = page.locator(".messages [role=status]")
    expect(alert.or_(status).first).to_be_visible()
    if alert.count():
        text = alert.first.inner_text()
        if conflict:
            # A sentence naming what changed ("… became “%(status)s”") is read up to its first value.
            told = [_translated(language, words).split("%(")[0] for words in (CONFLICT, *or_)]
            assert any(words in text for words in told), text
        assert "version:" not in text, f"a field's code name shown: {text}"
        return True
    return False


def test_two_managers_decide_the_same_plan_and_two_workers_change_the_same_item(world, login):
    from remis.assistance import actions as plans
    from remis.assistance.models import Approval, AssistanceItem, Need, PlanStatus, PlanVersion
    from remis.assistance.tests.factories import case_at_plan, draft_plan, first_item, make_approvers
    from remis.cases.tests.factories import make_user

    call_command("sync_assistance_defaults", stdout=io.StringIO())
    manon, paul, _ines = make_approvers(world)
    gina = make_user("gina", world.gn_partner, "case_worker", ["GN"])
    submitted = draft_plan(world.bob, case_at_plan(world))
    plans.submit_plan(world.bob, submitted)
    draft = draft_plan(world.bob, case_at_plan(world))
    item = first_item(draft)
    need = draft.needs.get()
    language = "ar"
    for user in (manon, paul, world.bob, gina):
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])

    # Manon approves while Paul returns the same submitted plan.
    url = f"/cases/{submitted.plan.case.uuid}/plan/"
    one, two = login(manon, "ar"), login(paul, "ar")
    for page in (one, two):
        page.goto(url)
        page.locator("#decision-comment").fill("Checked with the returnee")
    _at_once(
        one.locator("#approval button[value=approve]"),
        two.locator("#approval button[value=return]"),
    )
    refused = [_told(page, language, conflict=True, or_=(DECIDED_MEANWHILE,)) for page in (one, two)]
    assert sorted(refused) == [False, True], "one decision recorded, the other refused"
    assert Approval.objects.filter(version=submitted).count() == 1
    decided = PlanVersion.objects.get(pk=submitted.pk)
    assert decided.status == (PlanStatus.RETURNED if refused[0] else PlanStatus.APPROVED)

    # Bob and Gina change the same item of a draft: the one who sends second is refused.
    item_url = f"/cases/{draft.plan.case.uuid}/plan/items/{item.pk}/"
    bob, gina_page = login(world.bob, "ar"), login(gina, "ar")
    for page in (bob, gina_page):
        page.goto(item_url)
    bob.locator("#item-amount").fill("700")
    gina_page.locator("#item-description").fill("Two sewing machines")
    bob.locator("#edit form button.primary").click()
    assert not _told(bob, language, conflict=False)
    gina_page.locator("#edit form button.primary").click()
    assert _told(gina_page, language, conflict=True, or_=(ITEM_AS_SAVED,))
    # The form shows the item as saved (Bob's 700 stands, a second send keeps it); what she
    # typed is listed in the message, to apply again.
    expect(gina_page.locator("#item-description")).to_have_value(item.description)
    expect(gina_page.locator("main [role=alert]").first).to_contain_text("Two sewing machines")
    saved = AssistanceItem.objects.get(pk=item.pk)
    assert (saved.amount, saved.description) == (700, item.description)

    # And the same need: the second rewording is refused, the first stays.
    for page in (bob, gina_page):
        page.goto(f"/cases/{draft.plan.case.uuid}/plan/")
        page.locator(f"#need-{need.pk}-description").locator("xpath=ancestor::details/summary").click()
    bob.locator(f"#need-{need.pk}-description").fill("No income, two children")
    gina_page.locator(f"#need-{need.pk}-description").fill("No income, debts")
    for page in (bob, gina_page):
        page.locator(f"#need-{need.pk}-description").locator("xpath=ancestor::form//button").click()
    assert not _told(bob, language, conflict=False)
    assert _told(gina_page, language, conflict=True, or_=(PLAN_CHANGED,))
    expect(gina_page.locator("main [role=alert]").first).to_contain_text("No income, debts")  # to copy
    assert Need.objects.get(pk=need.pk).description == "No income, two children"


def test_a_provider_answers_while_the_case_worker_cancels_and_two_edit_one_provider(world, login):
    from remis.cases.tests.factories import make_user
    from remis.referrals.models import Referral, Status
    from remis.referrals.tests.factories import consent, refer, setting
    from remis.services.models import Provider

    call_command("sync_assistance_defaults", stdout=io.StringIO())
    s = setting(world)
    consent(world, s.case)
    referral = refer(s)
    gina = make_user("gina", world.gn_partner, "case_worker", ["GN"])
    language = "fr"
    for user in (s.pia, world.bob, gina):
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])

    # Pia accepts the referral in her inbox as Bob cancels it from the case.
    pia, bob = login(s.pia, "fr-FR"), login(world.bob, "fr-FR")
    for page in (pia, bob):
        page.goto(f"/referrals/{referral.uuid}/")
    pia.locator("#answer-status").select_option("accepted")
    bob.locator("#cancel-reason").fill("The returnee moved to Kindia")
    bob.once("dialog", lambda dialog: dialog.accept())  # cancelling asks first
    _at_once(pia.locator("#answer form button.primary"), bob.locator("#cancel form button"))
    # The one refused is told the referral changed: in general words when its save found a
    # newer version, or naming the status when its action read the other's answer first.
    lost = ("Your answer was not recorded", "Your cancellation was not recorded")
    refused = [_told(page, language, conflict=True, or_=lost) for page in (pia, bob)]
    assert sorted(refused) == [False, True], "one answer recorded, the other refused"
    stored = Referral.objects.get(pk=referral.pk)
    assert stored.version == referral.version + 1
    assert stored.status == (Status.CANCELLED if refused[0] else Status.ACCEPTED)

    # Bob and Gina edit the same provider: the second is refused, the first's change stays.
    gina_page = login(gina, "fr-FR")
    edit = f"/services/providers/{s.offline.uuid}/edit/"
    for page in (bob, gina_page):
        page.goto(edit)
    bob.locator("#id_phone").fill("+224 611 11 11 11")
    gina_page.locator("#id_last_verified_on").fill(dt.date.today().isoformat())
    bob.locator("main form button.primary").click()
    assert not _told(bob, language, conflict=False)
    gina_page.locator("main form button.primary").click()
    assert _told(gina_page, language, conflict=True)
    provider = Provider.objects.get(pk=s.offline.pk)
    assert provider.phone == "+224 611 11 11 11"
    assert provider.last_verified_on == s.offline.last_verified_on

    # And the same assessment draft.
    from remis.assessments import actions as assessments
    from remis.assessments.actions import age_on
    from remis.assessments.models import Assessment
    from remis.assessments.tests.factories import BORN, answers

    then = age_on(BORN, dt.date(2026, 11, 2))  # the age the case gives on the assessment's day
    draft = assessments.record_assessment(
        world.bob, s.case, answers(age=then), assessed_on=dt.date(2026, 11, 2)
    )
    for page in (bob, gina_page):
        page.goto(f"/assessments/{draft.uuid}/edit/")
    bob.locator("#id_q_age").fill(str(then + 1))
    gina_page.locator("#id_q_age").fill(str(then - 1))
    for page in (bob, gina_page):
        page.locator("main form button[name=draft]").click()
    assert not _told(bob, language, conflict=False)
    assert _told(gina_page, language, conflict=True)
    assert Assessment.objects.get(pk=draft.pk).answers["age"] == then + 1
