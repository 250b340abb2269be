"""In each language, every form of the assistance stage that opens filled in (an assessment
draft, a plan's needs, goals and items, the proposed types, a provider, a stakeholder), saved
untouched, changes nothing: no value, no row version, no plan version, no audit entry; the
page says nothing was changed, never that something was saved. The forms that record
something new (an agreement, an instalment, a payment's voiding, a quality assessment, a
status, an answer, the thresholds) refuse an untouched save with a message in the page's
language, and record nothing: an untouched save used to rate a provider "excellent", move an
item to "in progress" and accept a referral, because their first choice was taken as the
answer."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

LOCALES = {"en": "en-GB", "fr": "fr-FR", "ar": "ar"}


def _translated(language: str, text: str) -> str:
    from django.utils import translation

    with translation.override(language):
        return translation.gettext(text)


def _state(ids: dict[str, object]) -> dict[str, object]:
    """Everything an untouched save could change, read fresh from the database."""
    from remis.assessments.models import Assessment
    from remis.assistance.models import (
        ApprovalThresholds,
        AssistanceItem,
        Goal,
        Instalment,
        Need,
        PlanVersion,
        ProposalRules,
    )
    from remis.audit.models import AuditEntry
    from remis.referrals.models import Referral
    from remis.services.models import Provider, QualityAssessment, Stakeholder

    assessment = Assessment.objects.get(pk=ids["assessment"])
    return {
        "audit": AuditEntry.objects.count(),
        "assessment": (assessment.version, assessment.answers, assessment.assessed_on, assessment.status),
        "plan_versions": sorted(
            PlanVersion.objects.values_list("pk", "version", "status", "agreed_on", "agreement_file")
        ),
        "needs": sorted(Need.objects.values_list("pk", "dimension", "description")),
        "goals": sorted(Goal.objects.values_list("pk", "description")),
        "items": sorted(
            AssistanceItem.objects.values_list(
                "pk",
                "kind_id",
                "description",
                "level",
                "modality",
                "route",
                "amount",
                "currency",
                "starts_on",
                "ends_on",
                "status",
            )
        ),
        "instalments": Instalment.objects.count(),
        "thresholds": ApprovalThresholds.objects.count(),
        "rules": sorted(ProposalRules.objects.values_list("pk", "always", "by_vulnerability")),
        "providers": sorted(Provider.objects.values_list("pk", "version", "name", "last_verified_on")),
        "quality": QualityAssessment.objects.count(),
        "stakeholders": sorted(Stakeholder.objects.values_list("pk", "version", "name")),
        "referrals": sorted(Referral.objects.values_list("pk", "version", "status")),
    }


def _said_unchanged(page, language: str) -> None:
    message = _translated(language, "Nothing was changed.")
    if language != "en":
        assert message != "Nothing was changed.", f"not translated into {language}"
    expect(page.locator(".messages [role=status]")).to_have_text(message)
    assert page.locator(".messages [role=alert], .error, .form-errors").count() == 0, page.url


def _refused(page, form_selector: str, language: str) -> None:
    """Sent untouched, the form is refused: by the browser, before sending, when a required
    field is empty (its own message), else by the server with an error by a field, in the
    page's language."""
    form = page.locator(form_selector)
    invalid = form.locator(":invalid")
    if invalid.count():
        form.locator("button.primary").click()
        assert invalid.first.evaluate("e => e.validationMessage"), page.url
        return
    form.locator("button.primary").click()
    error = page.locator("main .has-error .error").first
    expect(error).to_be_visible()
    if language != "en":
        assert error.inner_text() != "This field is required.", f"untranslated error on {page.url}"
    assert page.locator(".messages [role=status]").count() == 0, page.url


def _open(page, summary: str) -> None:
    page.locator("summary", has_text=summary).first.click()


@pytest.mark.parametrize("language", list(LOCALES))
def test_every_assistance_form_saved_untouched_changes_nothing(world, login, language):
    from remis.assessments import actions as assessments
    from remis.assessments.tests.factories import answers
    from remis.assistance import actions as plans
    from remis.assistance.models import ProposalRules
    from remis.assistance.tests.factories import case_at_plan, draft_plan, first_item
    from remis.referrals.tests.factories import consent, refer, setting
    from remis.services.tests.factories import make_provider, make_stakeholder

    call_command("sync_assistance_defaults", stdout=io.StringIO())
    # An approved plan with an item referred to a provider without accounts (Bob answers
    # for it); the first Guinean programme manager, Manon, approved it.
    s = setting(world)
    consent(world, s.case)
    referral = refer(s, s.offline)
    manon = s.world.gn_partner.memberships.get(user__username="manon").user
    approved_item = s.item
    plans.record_instalment(
        world.bob, approved_item, paid_on=dt.date.today(), amount="1", currency=approved_item.currency
    )
    # A plan being written, with an assessment draft beside it.
    case = case_at_plan(world)
    version = draft_plan(world.bob, case, amounts=("650.50",))
    item = first_item(version)
    plans.update_item(
        world.bob,
        item,
        plans.ItemData(
            kind=item.kind.code,
            modality=item.modality,
            amount="650.50",
            currency="EUR",
            description="Sewing machine and fabric",
            starts_on=dt.date.today(),  # the plan starts after the case was registered (today)
            ends_on=dt.date.today() + dt.timedelta(days=180),
        ),
        expected_version=None,
    )
    need = version.needs.get()
    goal = need.goals.get()
    assessment = assessments.record_assessment(
        world.bob, case, answers(debt_amount="1200.50"), assessed_on=dt.date(2026, 11, 2), complete=False
    )
    ProposalRules.objects.create(
        programme=world.programme,
        effective_from=dt.date(2024, 1, 1),
        always=["psychosocial_counselling", "business_setup"],  # not in the list's order
        by_vulnerability={},
        created_by=manon,
    )
    provider = make_provider(world.bob, name="Atelier Couture Dixinn (synthetic)")
    stakeholder = make_stakeholder(world.bob)
    from remis.cases.tests.factories import make_user

    # The programme's own rules (proposed types) are its host coordinator's managers' to set.
    lead = make_user("hugo", world.be_office, "programme_manager", ["BE"])
    for user in (world.bob, manon, lead):
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
    ids = {"assessment": assessment.pk}
    before = _state(ids)

    bob = login(world.bob, LOCALES[language])
    expect(bob.locator("html")).to_have_attribute("lang", language)
    boss = login(manon, LOCALES[language])

    # Forms that open filled in: saved untouched, nothing changes, and the page says so.
    bob.goto(f"/assessments/{assessment.uuid}/edit/")
    bob.locator("main form button[name=draft]").click()
    _said_unchanged(bob, language)

    plan_url = f"/cases/{case.uuid}/plan/"
    bob.goto(plan_url)
    bob.locator(f"#need-{need.pk}-description").locator("xpath=ancestor::details").locator("summary").click()
    bob.locator(f"#need-{need.pk}-description").locator("xpath=ancestor::form").locator("button").click()
    _said_unchanged(bob, language)
    bob.locator(f"#goal-{goal.pk}-description").locator("xpath=ancestor::details").locator("summary").click()
    bob.locator(f"#goal-{goal.pk}-description").locator("xpath=ancestor::form").locator("button").click()
    _said_unchanged(bob, language)

    bob.goto(f"{plan_url}items/{item.pk}/")
    bob.locator("#edit form button.primary").click()
    _said_unchanged(bob, language)

    chief = login(lead, LOCALES[language])
    chief.goto(f"/plans/programmes/{world.programme.code}/proposed-types/")
    chief.locator("main form button.primary").click()
    _said_unchanged(chief, language)

    bob.goto(f"/services/providers/{provider.uuid}/edit/")
    bob.locator("main form button.primary").click()
    _said_unchanged(bob, language)
    bob.goto(f"/services/stakeholders/{stakeholder.pk}/")
    bob.locator("main form button.primary").click()
    _said_unchanged(bob, language)

    # Forms that record something new: an untouched save is refused, in the page's language.
    bob.goto(plan_url)
    _open(bob, _translated(language, "Record the returnee's agreement"))
    _refused(bob, "details#agreement form", language)

    bob.goto(f"/cases/{s.case.uuid}/plan/items/{approved_item.pk}/")
    _refused(bob, "#status form", language)
    bob.goto(f"/cases/{s.case.uuid}/plan/items/{approved_item.pk}/")
    _refused(bob, "#instalments form:has(button.primary)", language)
    # A column of figures keeps its header and its figures on one side, the page's end
    # (each cell takes its own direction: "end" put an Arabic header left, figures right).
    sides = bob.locator("#instalments th.num, #instalments td.num").evaluate_all(
        "cells => cells.map(c => getComputedStyle(c).textAlign)"
    )
    assert len(sides) >= 2 and set(sides) == {"left" if language == "ar" else "right"}, sides
    # Voiding the payment without a reason: the browser asks for it, nothing is voided.
    bob.goto(f"/cases/{s.case.uuid}/plan/items/{approved_item.pk}/")
    _open(bob, _translated(language, "Void this payment"))
    void = bob.locator("#instalments details form")
    void.locator("button.danger").click()
    assert void.locator("textarea:invalid").evaluate("e => e.validationMessage"), language

    bob.goto(f"/services/providers/{provider.uuid}/")
    _refused(bob, "main form:has(button.primary)", language)

    bob.goto(f"/referrals/{referral.uuid}/")
    _refused(bob, "#answer form", language)

    boss.goto(f"/plans/programmes/{world.programme.code}/thresholds/")
    _refused(boss, "main form:has(button.primary)", language)

    assert _state(ids) == before
