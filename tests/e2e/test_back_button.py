"""Back, then the button again: Chromium fetches the page anew (it is never cached) and puts
the typed values back into its forms. The record is kept once and the second send is told
so — a note, and a contact attempt, whose repeat made a returnee lost to follow-up after one
unanswered call."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.test_case_journey import open_step

ALREADY = "The same was recorded a moment ago"


def test_a_note_and_a_contact_attempt_sent_again_after_back_are_kept_once(world, login):
    from django.utils import timezone

    from remis.cases import actions as cases
    from remis.cases.models import Note
    from remis.cases.tests.factories import returned_case
    from remis.monitoring.configuration import seed_instruments, seed_rules
    from remis.monitoring.models import ContactAttempt, FollowUp, Instrument, ScheduleRules

    seed_rules(ScheduleRules)  # flushed by the previous live-server test (see test_monitoring)
    seed_instruments(Instrument)
    case = returned_case(world)
    cases.record_consent(
        world.alice, case, purpose="follow_up_contact", given=True, given_on=timezone.localdate()
    )
    page = login(world.bob)

    page.goto(f"/cases/{case.uuid}/")
    note = open_step(page, "note").locator(f"form[action='/cases/{case.uuid}/do/note/']")
    note.locator("textarea[name=body]").fill("Met at the airport")
    note.locator("button[type=submit]").click()
    expect(page.locator(".messages, [role=status]").first).to_be_visible()
    page.go_back()
    note = open_step(page, "note").locator(f"form[action='/cases/{case.uuid}/do/note/']")
    if not note.locator("textarea[name=body]").input_value():  # restored by Chromium, or typed again
        note.locator("textarea[name=body]").fill("Met at the airport")
    note.locator("button[type=submit]").click()
    expect(page.locator("body")).to_contain_text(ALREADY)
    assert Note.objects.filter(case=case).count() == 1

    page.goto(f"/cases/{case.uuid}/follow-ups/1/")
    attempt = page.locator("form:has(input[name=step][value=attempt])")
    attempt.locator("select[name=channel]").select_option("phone")
    attempt.locator("select[name=outcome]").select_option("no_answer")
    attempt.locator("input[name=note]").fill("No answer at 9:00")
    attempt.locator("button[type=submit]").click()
    expect(page.locator(".messages, [role=status]").first).to_be_visible()
    page.go_back()
    attempt = page.locator("form:has(input[name=step][value=attempt])")
    if attempt.locator("input[name=note]").input_value() != "No answer at 9:00":
        attempt.locator("select[name=channel]").select_option("phone")
        attempt.locator("select[name=outcome]").select_option("no_answer")
        attempt.locator("input[name=note]").fill("No answer at 9:00")
    attempt.locator("button[type=submit]").click()
    expect(page.locator("body")).to_contain_text(ALREADY)
    assert ContactAttempt.objects.filter(case=case).count() == 1
    assert FollowUp.objects.get(case=case, round=1).status == "scheduled"
