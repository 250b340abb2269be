"""Correcting a recorded response: a case worker who ticked the wrong choice or mistyped a
figure opens the answers from the round page, changes them with a reason, and the scores
are computed again; the day and round stay, the audit log says which questions changed and
why (not the answers), a stale form is refused, and so is a reader without the right."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from remis.accounts.tests.tokens import bearer_key
from remis.audit.models import AuditEntry
from remis.cases import actions as cases
from remis.cases.tests.factories import make_user, returned_case
from remis.lib.errors import PermissionDenied, ValidationFailed
from remis.monitoring import actions
from remis.monitoring.models import FollowUp, Response
from remis.monitoring.responses import current_instrument, record_response
from remis.monitoring.tests.test_instrument_scoring import answers


def _answered(world, case=None) -> Response:
    case = case or returned_case(world)
    cases.record_consent(
        world.alice, case, purpose="follow_up_contact", given=True, given_on=timezone.localdate()
    )
    instrument = current_instrument("reintegration-sustainability")
    assert instrument is not None
    return record_response(
        world.bob,
        instrument,
        answers=answers(),
        collected_on=timezone.localdate(),
        follow_up=FollowUp.objects.get(case=case, round=1),
        early=True,
    )


@pytest.fixture
def answered(world, django_capture_on_commit_callbacks) -> Response:
    with django_capture_on_commit_callbacks(execute=True):
        case = returned_case(world)  # its rounds are scheduled on commit
    return _answered(world, case)


def _fields(page: str) -> dict[str, object]:
    """The correction form as the browser would send it untouched: checked radios and
    boxes, typed values, the hidden version."""
    import re

    data: dict[str, object] = {}
    for tag in re.findall(r"<input[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if not name or name.group(1) == "csrfmiddlewaretoken":
            continue
        kind = re.search(r'type="([^"]+)"', tag)
        if kind and kind.group(1) in ("radio", "checkbox") and "checked" not in tag:
            continue
        key, text = name.group(1), value.group(1) if value else ""
        if kind and kind.group(1) == "checkbox":
            ticked = data.setdefault(key, [])
            assert isinstance(ticked, list)
            ticked.append(text)
        else:
            data[key] = text
    return data


@pytest.mark.django_db
def test_a_case_worker_corrects_a_mistyped_answer_and_the_scores_follow(client, world, answered):
    case = answered.case
    assert case is not None
    client.force_login(world.bob)
    round_page = reverse("follow_up_detail", args=[case.uuid, 1])
    correct = reverse("response_correct", args=[case.uuid, answered.uuid])
    assert correct in client.get(round_page).text
    page = client.get(correct).text
    assert 'name="q_income_covers_needs" value="always"' in page and "checked" in page
    data = _fields(page)
    assert data["q_income_covers_needs"] == "always" and data["version"] == "1"
    # Saved untouched: nothing to correct, said, and nothing written.
    untouched = client.post(correct, {**data, "reason": "checking"})
    assert "nothing to correct" in untouched.text
    assert Response.objects.get(pk=answered.pk).version == 1
    # Without a reason: refused on the reason.
    no_reason = client.post(correct, {**data, "q_income_covers_needs": "never"})
    assert no_reason.status_code == 200 and "This field is required." in no_reason.text
    saved = client.post(
        correct,
        {**data, "q_income_covers_needs": "never", "reason": "Never, not always: misheard"},
        follow=True,
    )
    assert "The corrected answers are saved and scored again." in saved.text
    assert saved.redirect_chain[-1][0] == round_page and "Answers corrected on" in saved.text
    corrected = Response.objects.get(pk=answered.pk)
    assert corrected.answers["income_covers_needs"] == "never" and corrected.version == 2
    assert corrected.composite is not None and answered.composite is not None
    assert corrected.composite < answered.composite and corrected.economic < answered.economic
    assert corrected.collected_on == answered.collected_on and corrected.follow_up_id == answered.follow_up_id
    entry = AuditEntry.objects.get(action="monitoring.response.correct", object_id=str(answered.pk))
    assert entry.case_uuid == case.uuid
    changes = entry.changes
    assert changes["composite"] == [f"{answered.composite:.4f}", f"{corrected.composite:.4f}"]  # "0.9048"
    assert changes["band"] == [answered.band, corrected.band]
    # The names of the questions (never the answers) and the reason, sealed with the case's
    # key like the answers: readable in the case's history until the returnee is erased.
    assert str(changes["correction_reason"][1]).startswith("sealed:")
    history = client.get(reverse("case_detail", args=[case.uuid]) + "?open=history").text
    assert "Why the answers were corrected" in history and "Never, not always: misheard" in history
    # By the indicator's name, not the question's code (the history printed "income_covers_needs").
    assert "Questions whose answers were corrected" in history and "Income sufficiency" in history
    assert "income_covers_needs" not in history
    french = client.get(
        reverse("case_detail", args=[case.uuid]) + "?open=history", HTTP_ACCEPT_LANGUAGE="fr"
    ).text
    assert "Suffisance des revenus" in french
    # The form read before the correction is stale now.
    stale = client.post(correct, {**data, "q_distress": "often", "reason": "another"})
    assert "Someone else corrected these answers" in stale.text
    assert Response.objects.get(pk=answered.pk).version == 2


@pytest.mark.django_db
def test_in_french_and_arabic_the_correction_page_reads_in_the_language(client, world, answered):
    case = answered.case
    assert case is not None
    client.force_login(world.bob)
    url = reverse("response_correct", args=[case.uuid, answered.uuid])
    assert "Corriger les réponses" in client.get(url, HTTP_ACCEPT_LANGUAGE="fr").text
    assert "تصحيح الإجابات" in client.get(url, HTTP_ACCEPT_LANGUAGE="ar").text


@pytest.mark.django_db
def test_a_bad_corrected_answer_is_refused_on_its_question(world, answered):
    with pytest.raises(ValidationFailed) as refused:
        actions.correct_response(
            world.bob, answered.pk, expected_version=1, answers=answers(days_reduced_meals=99), reason="typo"
        )
    assert "answers.days_reduced_meals" in [f for f, _m in refused.value.errors]
    assert Response.objects.get(pk=answered.pk).version == 1


@pytest.mark.django_db
def test_only_those_who_record_monitoring_on_the_case_correct(client, world, answered):
    case = answered.case
    assert case is not None
    with pytest.raises(PermissionDenied):
        actions.correct_response(
            world.alice, answered.pk, expected_version=1, answers=answers(distress="often"), reason="x"
        )
    with pytest.raises(PermissionDenied):  # another organisation's counsellor
        actions.correct_response(world.dave, answered.pk, expected_version=1, answers=answers(), reason="x")
    client.force_login(world.alice)
    page = client.get(reverse("response_correct", args=[case.uuid, answered.uuid]))
    assert page.status_code in (403, 404)
    client.force_login(world.bob)
    assert client.get(reverse("response_correct", args=[case.uuid, case.uuid])).status_code == 404


@pytest.mark.django_db
def test_the_api_corrects_with_the_version_it_read(world, answered):
    case = answered.case
    assert case is not None
    raw = bearer_key(world.bob, "api")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    listed = api.get(f"/api/v1/monitoring/cases/{case.uuid}/responses").json()
    assert listed[0]["version"] == 1 and listed[0]["corrected_at"] is None
    path = f"/api/v1/monitoring/cases/{case.uuid}/responses/{answered.uuid}"
    body = {"version": 1, "answers": answers(distress="often"), "reason": "Often, not never"}
    done = api.patch(path, body, content_type="application/json")
    assert done.status_code == 200, done.json()
    assert done.json()["version"] == 2 and done.json()["answers"]["distress"] == "often"
    assert done.json()["corrected_at"] is not None
    stale = api.patch(path, body, content_type="application/json")
    assert stale.status_code == 409
    bad = api.patch(
        path,
        {**body, "version": 2, "answers": answers(distress="sometimes?")},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "answers.distress" in str(bad.json())
    unknown = api.patch(
        f"/api/v1/monitoring/cases/{case.uuid}/responses/{case.uuid}", body, content_type="application/json"
    )
    assert unknown.status_code == 404


@pytest.mark.usefixtures("shipped_monitoring")
def test_two_corrections_from_one_read_never_both_land(parallel_db, world):
    fanta = make_user("fanta", world.gn_partner, "case_worker", ["GN"])
    for _ in range(3):
        response = _answered(world)
        case = response.case
        assert case is not None
        path = f"/api/v1/monitoring/cases/{case.uuid}/responses/{response.uuid}"

        def patch(user, distress: str, path: str = path):
            raw = bearer_key(user, "parallel")

            def call() -> int:
                body = {"version": 1, "answers": answers(distress=distress), "reason": distress}
                return (
                    Client()
                    .patch(path, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}")
                    .status_code
                )

            return call

        statuses = parallel_db(patch(world.bob, "often"), patch(fanta, "sometimes"))
        assert sorted(statuses) == [200, 409], statuses
        kept = Response.objects.get(pk=response.pk)
        assert kept.version == 2
        entries = AuditEntry.objects.filter(action="monitoring.response.correct", object_id=str(response.pk))
        assert entries.count() == 1 and kept.answers["distress"] in ("often", "sometimes")


def test_a_correction_in_the_history_keeps_the_scores_restricted_where_the_round_does(world, answered):
    """The history printed "Composite score: 75.3 → 75.2 · Band: Sustainable" to an M&E
    officer whose round page reads both "Restricted": they are computed from answers in the
    psychosocial, protection and identity groups."""
    from remis.audit.presentation import describe_entries

    actions.correct_response(
        world.bob,
        answered.pk,
        expected_version=answered.version,
        answers={**answered.answers, "income_covers_needs": "never"},
        reason="misheard",
    )
    entries = list(AuditEntry.objects.filter(object_type="monitoring.response").order_by("pk"))

    def read(groups: frozenset[str]) -> str:
        return " ".join(
            f"{c.label}: {c.before} → {c.after}"
            for v in describe_entries(entries, groups=groups)
            for c in v.changes
        )

    everything = read(frozenset({"health", "protection", "psychosocial", "identity"}))
    assert "Composite score" in everything and "Restricted" not in everything
    officer = read(frozenset())
    assert "Composite score" not in officer and "Band" not in officer and "Restricted" in officer
    partly = read(frozenset({"identity", "psychosocial"}))  # without protection: still hidden
    assert "Composite score" not in partly


def test_corrected_questions_read_in_the_questionnaires_order_with_the_languages_separator(world):
    """They were listed in the order of their codes ("Anything else…; Income sufficiency"),
    joined by a Latin semicolon in Arabic."""
    from django.utils import translation

    from remis.monitoring.audit_fields import _questions
    from remis.monitoring.responses import current_instrument, definition_of

    instrument = current_instrument("reintegration-sustainability")
    assert instrument is not None
    names = [q.name for q in definition_of(instrument).questions]
    first, last = names[0], names[-1]
    logged = ", ".join(sorted([last, first]))  # as the action logs them: by code
    shown = _questions({logged})[logged].text
    assert shown.index(_questions({first})[first].text) < shown.index(_questions({last})[last].text)
    with translation.override("ar"):
        assert "؛ " in _questions({logged})[logged].text
