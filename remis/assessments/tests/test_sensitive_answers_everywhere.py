"""Every answer of a sensitive group, on every surface of its case and its assessment,
generated from the shipped instruments: a question added to a group there is checked
without a line written here.

For each question in a sensitive group, two returnees' cases are assessed alike but for that
question's answer (yes on one, no on the other; the first choice against the second…). A
case worker holding every right of the role but that group reads every page and API GET of
each case (`surfaces.read_everything`) and of each assessment: the answer given on the
first case (its code as the API writes it, its label in every language) must appear no more
often there than on the twin, where it was not given, nor may the vulnerabilities the
instrument's rules propose from it (code or name): "Restricted" must not itself tell which
answer is behind it, nor may a need or flag counted from it. Its holder finds it more
often on the first case, so the test can fail."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from remis.accounts.models import Role
from remis.accounts.permissions import SensitiveGroup
from remis.assessments import actions
from remis.assessments.tests.factories import COMPLETE
from remis.cases.tests.factories import make_user, returned_case
from remis.cases.tests.surfaces import read_everything
from remis.lib.defaults import load

pytestmark = pytest.mark.django_db

YES_NO: list[dict[str, Any]] = [
    {"code": "yes", "label": "Yes", "labels": {"fr": "Oui", "ar": "نعم"}},
    {"code": "no", "label": "No", "labels": {"fr": "Non", "ar": "لا"}},
]


def _sensitive_questions() -> list[tuple[str, int, str]]:
    """(instrument, version, question) for every question in a sensitive group."""
    return [
        (instrument["code"], instrument["version"], question["code"])
        for instrument in load("assessments", "instruments.yaml")
        if instrument.get("status") == "active"
        for question in instrument["questions"]
        if question.get("sensitive_group")
    ]


def _question(code: str, version: int, name: str) -> dict[str, Any]:
    instrument = next(
        i for i in load("assessments", "instruments.yaml") if (i["code"], i["version"]) == (code, version)
    )
    return next(q for q in instrument["questions"] if q["code"] == name)


def _flags_from(code: str, version: int, name: str, answer: Any) -> list[str]:
    """The codes and names of the vulnerabilities the instrument's rules propose from this
    answer: derived from it, they tell it as well as the answer does."""
    from remis.programmes.models import Vulnerability

    instrument = next(
        i for i in load("assessments", "instruments.yaml") if (i["code"], i["version"]) == (code, version)
    )
    given = set(answer) if isinstance(answer, list) else {answer}
    flags = [
        r["flag"]
        for r in instrument.get("rules", [])
        if r["question"] == name and given & set(r.get("any_of", []))
    ]
    texts = []
    for vulnerability in Vulnerability.objects.filter(code__in=flags):
        texts += [vulnerability.code, vulnerability.name, *vulnerability.names.values()]
    return texts


def _two_answers(question: dict[str, Any]) -> tuple[Any, Any, list[str]]:
    """Two different answers, and the texts that would show the first one."""
    kind = question["type"]
    if kind in ("yes_no", "select_one", "select_multiple"):
        first, second = (question.get("choices") or YES_NO)[:2]
        texts = [first["label"], *first.get("labels", {}).values()]
        wrap = (lambda c: [c]) if kind == "select_multiple" else (lambda c: c)
        return wrap(first["code"]), wrap(second["code"]), texts
    if kind in ("integer", "decimal"):
        return 7341, 2, ["7341", "7,341", "7 341"]
    if kind == "date":
        return "2021-07-19", "2020-01-02", ["2021-07-19", "19/07/2021", "19 Jul"]
    return "QZXANSWER", "plain", ["QZXANSWER"]


def test_there_are_sensitive_questions() -> None:
    groups = {_question(*q)["sensitive_group"] for q in _sensitive_questions()}
    assert {"health", "protection", "psychosocial", "identity"} <= groups


def _reader_without(world: Any, group: str) -> Any:
    worker = Role.objects.get(code="case_worker")
    permission = str(SensitiveGroup(group).permission)
    Role.objects.create(
        code=f"no_{group}",
        name=f"Case worker without {group}",
        permissions=[p for p in worker.permissions if p != permission],
    )
    return make_user("nadia", world.gn_partner, f"no_{group}", ["GN"])


@pytest.mark.parametrize(("code", "version", "name"), _sensitive_questions())
def test_a_sensitive_answer_surfaces_nowhere_for_a_reader_without_its_group(
    code: str, version: int, name: str, world: Any, client: Any, api_client: Any, signed_in: Any
) -> None:
    question = _question(code, version, name)
    given, other, texts = _two_answers(question)
    needles = [re.escape(f'"{name}": {json.dumps(given, ensure_ascii=False)}')]
    texts += _flags_from(code, version, name, given)
    needles += [rf"(?<![\w]){re.escape(text)}(?![\w])" for text in dict.fromkeys(texts)]
    assessed = []
    for answer in (given, other):
        case = returned_case(world)
        done = actions.record_assessment(world.bob, case, {**COMPLETE, name: answer}, complete=True)
        assessed.append((case, done))

    def counts(user: Any) -> list[dict[str, int]]:
        found = []
        for case, done in assessed:
            page, api = signed_in(user), api_client.as_(user)
            seen = read_everything(page, api, case)
            seen["assessment page"] = page.get(f"/assessments/{done.uuid}/").content.decode()
            seen["assessment API"] = json.dumps(
                api.get(f"/assessments/{done.uuid}").json(), ensure_ascii=False
            )
            found.append(
                {f"{where} {n}": len(re.findall(n, text)) for where, text in seen.items() for n in needles}
            )
        return found

    reader = _reader_without(world, question["sensitive_group"])
    on_case, on_twin = counts(reader)
    leaks = {k: (n, on_twin.get(k, 0)) for k, n in on_case.items() if n > on_twin.get(k, 0)}
    assert not leaks, f"{name} ({question['sensitive_group']}) shown to a reader without the group: {leaks}"
    client.logout()
    on_case, on_twin = counts(world.bob)
    assert any(n > on_twin.get(k, 0) for k, n in on_case.items()), (
        f"the holder does not see the answer to {name}: this test would not see a leak"
    )
