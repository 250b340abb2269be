"""In each language, a case worker opens a follow-up round, records a failed contact attempt,
then the returnee's answers (radio buttons, checkboxes, numbers, text), sees the scores on the
round's page, and on the case page the round's score and the trend chart drawn by vega-embed
from REMIS's own scripts, with its table. The conftest fails the test on any CSP violation
(the chart must run without eval or inline style) and on what axe-core finds."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

LOCALES = {"en": "en-GB", "fr": "fr-FR", "ar": "ar"}


def _translated(language: str, text: str) -> str:
    from django.utils import translation

    with translation.override(language):
        return translation.gettext(text)


def _score(language: str, text: str) -> str:
    """A score as the language writes decimals ("90.5", "90,5")."""
    from django.utils import translation
    from django.utils.formats import number_format

    with translation.override(language):
        return number_format(float(text), 1)


def _month(language: str, month: int) -> str:
    """The month's short name the chart's axis writes in `language`."""
    from django.utils import translation

    from remis.lib.vega import time_locale

    with translation.override(language):
        return str(time_locale()["shortMonths"][month - 1])


@pytest.mark.parametrize("language", list(LOCALES))
def test_a_case_worker_records_an_attempt_and_the_answers_and_sees_the_scores(world, login, language):
    from django.utils import timezone

    from remis.cases import actions as cases
    from remis.cases.tests.factories import returned_case
    from remis.monitoring.configuration import seed_instruments, seed_rules
    from remis.monitoring.models import ContactAttempt, Instrument, Response, ScheduleRules
    from remis.monitoring.tests.test_instrument_scoring import answers

    # A live-server test flushes the database after it: the rows the monitoring migrations
    # seeded are gone for the next one, so they are put back (both are idempotent).
    seed_rules(ScheduleRules)
    seed_instruments(Instrument)
    case = returned_case(world)
    cases.record_consent(
        world.alice, case, purpose="follow_up_contact", given=True, given_on=timezone.localdate()
    )
    page = login(world.bob, LOCALES[language])
    page.goto(f"/cases/{case.uuid}/follow-ups/1/")

    attempt = page.locator("form:has(input[name=step][value=attempt])")
    attempt.locator("select[name=channel]").select_option("phone")
    attempt.locator("select[name=outcome]").select_option("no_answer")
    attempt.locator("button[type=submit]").click()
    expect(page.locator(".messages, [role=status]").first).to_contain_text(
        _translated(language, "The contact attempt is recorded.")
    )
    assert ContactAttempt.objects.filter(case=case).count() == 1

    form = page.locator("form.response-form")
    # relevance.js hides a question until an earlier answer calls for it.
    expect(form.locator("input[name=q_credit_source]")).to_be_hidden()
    for name, value in answers(income_covers_needs="never").items():
        values = value if isinstance(value, list) else [value]
        for one in values:
            choice = form.locator(f"input[name=q_{name}][value='{one}']")
            if choice.count():
                choice.check()
            else:
                form.locator(f"input[name=q_{name}]").fill(str(one))
    expect(form.locator("input[name=q_credit_source]")).to_be_visible()
    # A count typed on an Arabic keyboard (٣) reads as 3, as the server reads it: the question
    # that depends on it shows (it stayed hidden, then was asked for after sending).
    children = form.locator("input[name=q_school_age_children]")
    children.fill("0")
    expect(form.locator("input[name=q_children_in_school]").first).to_be_hidden()
    children.fill("٣")
    expect(form.locator("input[name=q_children_in_school]").first).to_be_visible()
    form.locator("input[name=q_children_in_school][value=all]").check()
    # The case arrived today: round 1's window opens in weeks. Closing it now is said and
    # asked for on the form (the answers were saved as the round's without a word).
    early = form.locator("input[name=early]")
    expect(early).to_be_visible()
    early.check()
    form.locator("button[type=submit]").click()
    expect(page.locator(".messages, [role=status]").first).to_contain_text(
        _translated(language, "The answers are recorded and scored.")
    )
    expect(page.locator("#answers")).to_contain_text(_score(language, "90.5"))
    expect(page.locator("#answers")).to_contain_text(_translated(language, "Score (0–100)"))
    response = Response.objects.get(case=case)
    assert str(response.composite) == "0.9048" and response.band == "sustainable"

    page.goto(f"/cases/{case.uuid}/")
    panel = page.locator("#monitoring")
    expect(panel.locator(".trend-table")).to_contain_text(_score(language, "71.4"))
    expect(panel.locator(".chart svg, .chart canvas").first).to_be_visible()
    # Read out by its container's label (the page's language), not by Vega's English ones.
    expect(panel.locator(".chart svg").first).to_have_attribute("aria-hidden", "true")
    chart = panel.locator(".chart")
    expect(chart).to_have_attribute(
        "aria-label", _translated(language, "Scores over the rounds: the table below gives the same numbers.")
    )
    expect(chart).to_have_attribute("role", "img")
    assert chart.get_attribute("aria-roledescription") is None
    # The day on the axis as the page writes days, month names in the page's language.
    short_month = _month(language, response.collected_on.month)
    day_labels = page.locator("#monitoring .chart svg .role-axis-label text")
    expect(day_labels.filter(has_text=short_month).first).to_be_visible()

    # Once anonymised, the axis says months: one label per month answered, drawn (a tick
    # list Vega's expression interpreter could not read once drew none at all).
    from remis.cases.models import Case

    Case.objects.filter(pk=case.pk).update(anonymised_at=timezone.now())
    page.goto(f"/cases/{case.uuid}/")
    month = f"{short_month} {response.collected_on.year}"
    labels = page.locator("#monitoring .chart svg .role-axis-label text")
    expect(labels.filter(has_text=month)).to_have_count(1)
