"""Answers to questions of a sensitive group read "Restricted" to readers without it: on
the pages, in the API and in the history; their form leaves those questions out and their
save keeps the stored answers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from remis.assessments import actions
from remis.assessments.models import Assessment
from remis.assessments.tests.factories import answers, worker_without_health
from remis.cases.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_the_page_shows_restricted_for_a_health_answer(world, bob, case, client):
    done = actions.record_assessment(bob, case, answers(chronic_illness="yes"), complete=True)
    nina = worker_without_health(world)
    assert client.login(username=nina.username, password=PASSWORD)
    page = client.get(reverse("assessment_detail", args=[done.uuid])).content.decode()
    assert "Has a chronic illness" in page and "Restricted" in page
    assert "Medical condition" not in page  # the proposed flag is of the health group too
    case_page = client.get(reverse("case_detail", args=[case.uuid])).content.decode()
    assert "Medical condition" not in case_page and "1 restricted" in case_page
    client.logout()
    assert client.login(username=bob.username, password=PASSWORD)
    page = client.get(reverse("assessment_detail", args=[done.uuid])).content.decode()
    assert "Medical condition" in page


def test_the_api_sends_null_for_a_withheld_answer(world, bob, case, api_client):
    done = actions.record_assessment(bob, case, answers(chronic_illness="yes"), complete=True)
    nina = worker_without_health(world)
    body = api_client.as_(nina).get(f"/assessments/{done.uuid}").json()
    assert body["answers"]["chronic_illness"] is None and "chronic_illness" in body["restricted"]
    assert body["answers"]["housing"] == "with_family"
    assert [f["vulnerability"] for f in body["flags"]] == [None]


def test_a_draft_saved_by_a_reader_without_the_group_keeps_the_withheld_answers(world, bob, case):
    draft = actions.record_assessment(bob, case, {"chronic_illness": "yes", "housing": "owned"})
    nina = worker_without_health(world)
    actions.save_assessment(nina, draft, {"housing": "rented"}, expected_version=draft.version)
    assert Assessment.objects.get(pk=draft.pk).answers == {"chronic_illness": "yes", "housing": "rented"}


def test_a_reader_without_the_group_cannot_answer_its_questions(world, case):
    from remis.lib.errors import ValidationFailed

    nina = worker_without_health(world)
    with pytest.raises(ValidationFailed) as raised:
        actions.record_assessment(nina, case, {"pregnant": "yes"})
    assert raised.value.field == "answers.pregnant"


def test_the_form_leaves_out_the_questions_of_groups_not_held(world, case, client):
    nina = worker_without_health(world)
    assert client.login(username=nina.username, password=PASSWORD)
    page = client.get(reverse("assessment_record", args=[case.uuid])).content.decode()
    assert "Housing" in page and "chronic illness" not in page


def test_the_history_masks_health_answers(world, bob, case):
    from remis.audit.models import AuditEntry
    from remis.audit.presentation import describe_entries

    actions.record_assessment(bob, case, answers(chronic_illness="yes"), complete=True)
    entries = AuditEntry.objects.filter(action="assessment.create")
    shown = describe_entries(entries, groups=frozenset({"protection", "psychosocial", "identity"}))
    text = str([(c.field, c.before, c.after) for e in shown for c in e.changes])
    assert "chronic_illness" not in text and "Restricted" in text
    assert shown[0].action_label == "Recorded an assessment"
    # The hidden answers stand as one line naming no field nor group.
    labels = [c.label for c in shown[0].changes]
    assert "Details in a restricted group" in labels and "Answers · Health" not in labels
