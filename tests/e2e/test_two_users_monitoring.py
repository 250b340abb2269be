"""Two case workers on the same follow-up round at once, each in their own browser (French):
both fill in the returnee's answers and send; one set is recorded and scored, the other
worker is told in French that the round has its answers, and keeps what they typed. Then
both record the round's visit from pages opened before: one is recorded, the other is told
someone recorded the round first, which is now done (the round's version is an optimistic
lock)."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import expect


def _translated(language: str, text: str) -> str:
    from django.utils import translation

    with translation.override(language):
        return translation.gettext(text)


ROUND_TAKEN = (
    "Someone else recorded this round after you opened it: it is now %(status)s. "
    "Open the page again to see what was recorded."
)


def _at_once(*clicks) -> None:
    """Both buttons pressed before either answer comes back; then each page's answer: a
    message that the work is recorded, or an alert saying why not."""
    for button in clicks:
        button.click(no_wait_after=True)
    for button in clicks:
        expect(button.page.locator(".messages [role=status], main [role=alert]").first).to_be_visible()


def _fill(form, answers: dict) -> None:
    for name, value in answers.items():
        for one in value if isinstance(value, list) else [value]:
            choice = form.locator(f"input[name=q_{name}][value='{one}']")
            if choice.count():
                choice.check()
            else:
                form.locator(f"input[name=q_{name}]").fill(str(one))


def test_two_workers_answer_the_same_round_then_record_its_visit(world, login):
    from django.utils import timezone

    from remis.cases import actions as cases
    from remis.cases.tests.factories import make_user, returned_case
    from remis.monitoring.configuration import seed_instruments, seed_rules
    from remis.monitoring.models import FollowUp, Instrument, Response, ScheduleRules, Visit
    from remis.monitoring.tests.test_instrument_scoring import answers

    seed_rules(ScheduleRules)  # put back after an earlier live-server test's flush
    seed_instruments(Instrument)
    gina = make_user("gina", world.gn_partner, "case_worker", ["GN"])
    first, second = returned_case(world), returned_case(world)
    for case in (first, second):
        cases.record_consent(
            world.alice, case, purpose="follow_up_contact", given=True, given_on=timezone.localdate()
        )
    one, two = login(world.bob, "fr-FR"), login(gina, "fr-FR")

    # The answers: both send, one is kept. The round's window is open (answers before it
    # ask for the early close to be ticked).
    FollowUp.objects.filter(case=first, round=1).update(
        window_start=timezone.localdate() - dt.timedelta(days=5)
    )
    url = f"/cases/{first.uuid}/follow-ups/1/"
    for page, level in ((one, "always"), (two, "never")):
        page.goto(url)
        _fill(page.locator("form.response-form"), answers(income_covers_needs=level))
    _at_once(*(page.locator("form.response-form button[type=submit]") for page in (one, two)))
    assert Response.objects.filter(case=first).count() == 1
    kept = Response.objects.get(case=first)
    loser = two if kept.recorded_by_id == world.bob.pk else one
    alert = loser.locator("main [role=alert]").first
    expect(alert).to_be_visible()
    told = alert.inner_text()
    assert any(
        _translated("fr", text).split(" :")[0].split("%")[0] in told
        for text in (
            "Round %(round)s has its answers already: a round is answered once.",
            "This round has just been answered by someone else.",
        )
    ), told
    # What the second worker typed is still in their form, not lost.
    expect(loser.locator("form.response-form input[name=q_income_covers_needs]:checked")).to_have_count(1)

    # The visit of another round, from two pages opened before either saved; its window is
    # open (a visit before it is refused until the early close is ticked).
    FollowUp.objects.filter(case=second, round=1).update(
        window_start=timezone.localdate() - dt.timedelta(days=5)
    )
    url = f"/cases/{second.uuid}/follow-ups/1/"
    for page in (one, two):
        page.goto(url)
        page.once("dialog", lambda dialog: dialog.accept())  # "It completes the round": yes
    _at_once(
        *(page.locator("form:has(input[name=step][value=visit]) button[type=submit]") for page in (one, two))
    )
    assert Visit.objects.filter(case=second).count() == 1
    assert FollowUp.objects.get(case=second, round=1).status == "done"
    messages = [p.locator("main [role=alert]").count() for p in (one, two)]
    assert sorted(messages) == [0, 1], "one visit recorded, the other refused and told"
    refused = (one, two)[messages.index(1)]
    # Told that the round is done now (reloading shows no visit form to try again on).
    expect(refused.locator("main [role=alert]").first).to_contain_text(
        _translated("fr", ROUND_TAKEN) % {"status": _translated("fr", "Done").lower()}
    )
