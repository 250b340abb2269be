"""Follow-up answers in a sensitive field group — the returnee's distress (psychosocial), the
unfair treatment they met (protection), their identity documents (identity), in the same
groups as the needs assessment's same questions — are read only by holders of the group:
on the round page, in the API (with the indicator scoring them), in the monitoring export,
and the correction form neither shows them to others nor lets them be changed by them."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.utils import timezone

from remis.lib.errors import ValidationFailed
from remis.monitoring import actions
from remis.monitoring.instruments.definition import DefinitionError, load_definition
from remis.monitoring.models import Response
from remis.monitoring.responses import current_instrument, definition_of
from remis.monitoring.tests.test_corrections import _answered

pytestmark = pytest.mark.django_db

DISTRESS_OFTEN = "often"


@pytest.fixture
def answered(world, django_capture_on_commit_callbacks) -> Response:
    from remis.cases.tests.factories import returned_case

    with django_capture_on_commit_callbacks(execute=True):
        case = returned_case(world)
    response = _answered(world, case)
    Response.objects.filter(pk=response.pk).update(answers={**response.answers, "distress": DISTRESS_OFTEN})
    response.refresh_from_db()
    return response


def _exported(client, user, capture) -> list[dict[str, str]]:
    """The monitoring export `user` asks for (codes for headers), read back as rows."""
    from remis.interop.models import RecordExport

    with capture(execute=True):
        client.post("/exports/new/monitoring/", {"format": "csv", "headers": "codes"})
    kept = RecordExport.objects.filter(requested_by=user).order_by("-id").first()
    assert kept is not None
    text = b"".join(client.get(f"/exports/{kept.uuid}/file").streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_shipped_instrument_puts_the_assessments_sensitive_questions_in_their_groups():
    instrument = current_instrument("reintegration-sustainability")
    assert instrument is not None
    groups = {q.name: q.sensitive_group for q in definition_of(instrument).questions if q.sensitive_group}
    assert groups == {
        "distress": "psychosocial",
        "discrimination": "protection",
        "identity_documents": "identity",
    }
    data = definition_of(instrument).to_dict()
    data["questions"][0]["sensitive_group"] = "secrets"
    with pytest.raises(DefinitionError, match="sensitive_group"):
        load_definition(data)


def test_the_round_page_reads_restricted_to_a_reader_without_the_group(answered, world, signed_in):
    url = f"/cases/{answered.case.uuid}/follow-ups/1/"
    page = signed_in(world.carol).get(url).content.decode()  # M&E officer, no sensitive group
    answers = page.split("Answers", 1)[1]
    assert "Often" not in answers and "Restricted" in answers
    holder = signed_in(world.bob).get(url).content.decode()
    assert "Often" in holder.split("Answers", 1)[1]
    # The scores that would give them back read "Restricted" too, here and on the case page.
    scores = page.split("Score (0–100)", 1)[1].split("Answers", 1)[0]
    assert (
        re.search(r'<dd class="num">Restricted</dd>', scores) and "Restricted" in scores.split("Band", 1)[1]
    )
    case_page = signed_in(world.carol).get(f"/cases/{answered.case.uuid}/").content.decode()
    panel = case_page.split('id="monitoring"', 1)[1]
    assert "Restricted" in panel
    assert '"series": "Social"' not in panel and '"series":"Social"' not in panel


def test_the_api_leaves_the_answer_and_its_indicator_out(answered, world, api_client):
    path = f"/monitoring/cases/{answered.case.uuid}/responses"
    rows = api_client.as_(world.carol).get(path).json()
    assert "distress" not in rows[0]["answers"] and "distress" in rows[0]["restricted"]
    assert rows[0]["indicators"]["low_distress"] is None
    assert rows[0]["answers"]["income_covers_needs"] == "always"  # the others stay
    # Nor the scores that would give them back: a dimension less its shown indicators is the
    # hidden one (identity documents in the social score), and the composite their mean.
    assert rows[0]["dimensions"]["social"] is None and rows[0]["dimensions"]["psychosocial"] is None
    assert rows[0]["dimensions"]["economic"] is not None
    assert rows[0]["composite"] is None and rows[0]["band"] == ""
    rows = api_client.as_(world.bob).get(path).json()
    assert rows[0]["answers"]["distress"] == DISTRESS_OFTEN and rows[0]["restricted"] == []
    assert rows[0]["composite"] is not None and rows[0]["dimensions"]["social"] is not None


def test_the_export_writes_no_row_of_the_answer_for_a_requester_without_the_group(
    answered, world, signed_in, settings, django_capture_on_commit_callbacks
):
    from remis.cases.tests.factories import make_user

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

    def exported(user) -> list[dict[str, str]]:
        return _exported(signed_in(user), user, django_capture_on_commit_callbacks)

    rows = exported(world.carol)
    assert rows and "distress" not in {row["question"] for row in rows}
    assert "income_covers_needs" in {row["question"] for row in rows}
    assert {(r["social"], r["psychosocial"], r["composite"], r["band"]) for r in rows} == {("", "", "", "")}
    assert all(r["economic"] for r in rows)
    manager = make_user("pablo", world.be_office, "programme_manager", ["BE"])  # holds the group
    assert "distress" in {row["question"] for row in exported(manager)}


def test_a_correction_by_a_reader_without_the_group_keeps_the_answer(answered, world, signed_in):
    url = f"/cases/{answered.case.uuid}/responses/{answered.uuid}/correct/"
    page = signed_in(world.carol).get(url).content.decode()
    assert 'name="q_distress"' not in page and "Restricted" in page  # not offered, nor read back
    given = {k: v for k, v in answered.answers.items() if k != "distress"}
    actions.correct_response(
        world.carol,
        answered.pk,
        expected_version=answered.version,
        answers={**given, "debt_months": 2},
        reason="Typo",
    )
    answered.refresh_from_db()
    assert answered.answers["distress"] == DISTRESS_OFTEN and answered.answers["debt_months"] == 2
    with pytest.raises(ValidationFailed) as refused:
        actions.correct_response(
            world.carol,
            answered.pk,
            expected_version=answered.version,
            answers={**given, "distress": "never"},
            reason="Changed",
        )
    assert refused.value.field == "answers.distress"
    assert Response.objects.get(pk=answered.pk).answers["distress"] == DISTRESS_OFTEN


def test_satisfaction_with_an_item_of_a_restricted_type_is_not_read_by_others(
    world, signed_in, api_client, django_capture_on_commit_callbacks, settings
):
    """What the returnee said of their psychosocial counselling tells of it: a reader without
    the group reads "Restricted" for every answer, is not offered the item to record answers
    about, cannot correct them, and an item key sent for it is refused as one not in the plan."""
    from remis.assistance.models import AssistanceType
    from remis.assistance.tests.factories import approved_plan, case_at_plan, first_item, make_approvers
    from remis.cases import actions as cases
    from remis.monitoring.responses import record_response

    with django_capture_on_commit_callbacks(execute=True):
        case = case_at_plan(world)
    cases.record_consent(
        world.alice, case, purpose="follow_up_contact", given=True, given_on=timezone.localdate()
    )
    item = first_item(approved_plan(world, case, make_approvers(world)[0]))
    AssistanceType.objects.filter(pk=item.kind_id).update(sensitive_group="psychosocial")
    satisfaction = current_instrument("assistance-satisfaction")
    assert satisfaction is not None
    said = {"on_time": "agree", "fits_needs": "disagree", "good_quality": "agree"}
    response = record_response(
        world.bob, satisfaction, answers=said, collected_on=timezone.localdate(), case=case, item_key=item.key
    )
    page = signed_in(world.carol).get(f"/cases/{case.uuid}/follow-ups/1/").content.decode()
    section = page.split('id="satisfaction"', 1)[1]
    assert "Disagree" not in section and "Restricted" in section
    assert str(item.key) not in page  # not offered to record answers about
    holder = signed_in(world.bob).get(f"/cases/{case.uuid}/follow-ups/1/").content.decode()
    assert "Disagree" in holder.split('id="satisfaction"', 1)[1]
    rows = api_client.as_(world.carol).get(f"/monitoring/cases/{case.uuid}/responses").json()
    assert rows[0]["answers"] == {} and set(rows[0]["restricted"]) >= set(said)
    # Nor its score: a satisfaction score of 0 or 100 gives every answer back.
    assert (
        rows[0]["composite"] is None
        and rows[0]["band"] == ""
        and set(rows[0]["dimensions"].values()) == {None}
    )
    assert "Correct the answers" not in section
    correct = signed_in(world.carol).get(f"/cases/{case.uuid}/responses/{response.uuid}/correct/")
    assert correct.status_code == 403 and "Disagree" not in correct.content.decode()
    with pytest.raises(ValidationFailed) as refused:
        record_response(
            world.carol,
            satisfaction,
            answers=said,
            collected_on=timezone.localdate(),
            case=case,
            item_key=item.key,
        )
    assert refused.value.field == "item_key" and "Choose an item" in refused.value.message
    # The export: the holder's rows name the item and its type; the others' have none.
    from remis.cases.tests.factories import make_user

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

    def exported(user) -> list[dict[str, str]]:
        rows = _exported(signed_in(user), user, django_capture_on_commit_callbacks)
        return [r for r in rows if r["instrument"] == "assistance-satisfaction"]

    held = exported(make_user("pablo", world.be_office, "programme_manager", ["BE"]))
    assert {(r["assistance_item"], r["assistance_type"]) for r in held} == {(str(item.key), item.kind.code)}
    assert exported(world.carol) == []
