"""Every registered sensitive field, on every surface a case's values reach (issue 13).

Generated twice over: the fields come from the policy's registry (`register_sensitive_field`
for the case records: travel, reception, counselling, identity documents), and the surfaces
from the URL configuration (every page that takes only a case's uuid) and the OpenAPI schema
(every GET operation that takes only a case's uuid), plus the case list searched for the
value. For each field, a case is given a distinctive value in it; a reader who holds every
right of a counsellor except that field's group then reads every surface, and the value
must not appear anywhere (nor be found by a search); the counsellor who holds the group
reads the same surfaces and finds it at least once, so the test can fail.

A newly registered case field fails `test_every_registered_case_field_has_a_writer` until
it gets a writer below: then it is checked everywhere without writing a test for it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from remis.accounts.models import Role
from remis.accounts.permissions import SensitiveGroup
from remis.cases import actions
from remis.cases.actions import IdentityDocumentData
from remis.cases.policy import sensitive_fields
from remis.cases.tests.factories import make_person, make_user, register
from remis.cases.tests.surfaces import read_everything

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Writer:
    """Gives a case a distinctive value in the field, and what reveals it: `needles` in a
    page's HTML or an API answer's text, `search` text whose search must not find the case."""

    write: Callable[[Any, Any], Any]
    needles: tuple[str, ...]
    search: str = ""
    # False for a value kept but shown on no surface today (kept for the record and erased
    # with the person): checked for absence only, as nothing shows it to holders either.
    shown: bool = True


def _travel(world: Any, case: Any, **values: Any) -> None:
    actions.save_travel(
        world.alice,
        case,
        expected_version=None,
        departure_date=dt.date(2026, 3, 1),
        arrival_date=dt.date(2026, 3, 2),
        **values,
    )


def _reception(world: Any, case: Any) -> None:
    """Reception is recorded in the country of origin: the Guinean partner accepts the case
    first (consent to share, counselling, submission)."""
    today = dt.date(2026, 2, 1)
    actions.record_consent(world.alice, case, purpose="data_processing", given=True, given_on=today)
    actions.record_consent(world.alice, case, purpose="sharing_with_partners", given=True, given_on=today)
    actions.respond_to_submission(
        world.bob, actions.submit_case(world.alice, case, world.gn_partner), accept=True
    )
    _travel(world, case)
    case.refresh_from_db()
    actions.save_reception(
        world.bob, case, expected_version=None, received_on=dt.date(2026, 3, 2), urgent_medical_care=True
    )


def _counselling(world: Any, case: Any) -> None:
    actions.record_counselling(
        world.alice, case, held_on=dt.date(2026, 2, 1), notes="Confided QZXNOTE7 about the journey"
    )


DOCUMENT = IdentityDocumentData(
    kind="passport", number="QZ9981234", issuing_country="MR", expires_on=dt.date(2031, 7, 19)
)

WRITERS: dict[str, Writer] = {
    "cases.returntravel.medical_fitness": Writer(
        lambda world, case: _travel(world, case, medical_fitness="conditions"),
        ("Fit to travel with conditions", '"medical_fitness": "conditions"'),
    ),
    "cases.returntravel.escort": Writer(
        lambda world, case: _travel(world, case, escort="medical"),
        ("Medical escort", '"escort": "medical"'),
    ),
    "cases.reception.urgent_medical_care": Writer(
        _reception, (r"Urgent medical care</dt><dd>yes", '"urgent_medical_care": true')
    ),
    "cases.counsellingsession.notes": Writer(_counselling, ("QZXNOTE7",), search="QZXNOTE7"),
    # The identity document's four fields: one document, registered with the returnee.
    "cases.identitydocument.number": Writer(lambda world, case: None, ("QZ9981234",), search="QZ9981234"),
    "cases.identitydocument.kind": Writer(lambda world, case: None, ("Passport", '"kind": "passport"')),
    # Country pickers list every country by code and name: only the API's field says it.
    "cases.identitydocument.issuing_country": Writer(
        lambda world, case: None, ('"issuing_country": "MR"',), shown=False
    ),
    "cases.identitydocument.expires_on": Writer(
        lambda world, case: None, ("2031-07-19", "19/07/2031", "19 Jul 2031", "19 July 2031"), shown=False
    ),
}


def test_every_registered_case_field_has_a_writer() -> None:
    registered = {name for name in sensitive_fields() if name.startswith("cases.")}
    assert registered == set(WRITERS), "give each sensitive case field a writer in this module"


def _without(group: str) -> list[str]:
    counsellor = Role.objects.get(code="counsellor")
    return [p for p in counsellor.permissions if p != str(SensitiveGroup(group).permission)]


@pytest.mark.parametrize("field", sorted(WRITERS))
def test_a_sensitive_value_surfaces_nowhere_for_a_reader_without_its_group(
    field: str, world: Any, client: Any, api_client: Any, signed_in: Any
) -> None:
    writer = WRITERS[field]
    group = str(sensitive_fields()[field])
    Role.objects.create(code=f"no_{group}", name=f"Counsellor without {group}", permissions=_without(group))
    reader = make_user("rita", world.be_office, f"no_{group}", ["BE"])
    case = register(world, person=make_person(documents=[DOCUMENT]))
    writer.write(world, case)
    case.refresh_from_db()
    actions.add_note(world.alice, case, "A plain note, in no group")  # something that does show

    seen = read_everything(signed_in(reader), api_client.as_(reader), case)
    assert any(name.startswith("page ") for name in seen) and any(name.startswith("API ") for name in seen)
    leaks = {
        name: needle for name, text in seen.items() for needle in writer.needles if re.search(needle, text)
    }
    assert not leaks, f"{field} ({group}) shown to a reader without the group: {leaks}"
    assert any("Restricted" in text or '"restricted"' in text for text in seen.values())
    if writer.search:
        assert not _found(signed_in(reader), api_client.as_(reader), case, writer.search), f"found by {field}"

    if not writer.shown:
        return
    client.logout()
    shown = read_everything(signed_in(world.alice), api_client.as_(world.alice), case)
    assert any(re.search(needle, text) for text in shown.values() for needle in writer.needles), (
        f"the holder of {group} does not see {field} anywhere: this test would not see a leak"
    )
    if writer.search and field.endswith(".number"):  # searching by document number is a feature
        assert _found(signed_in(world.alice), api_client.as_(world.alice), case, writer.search)


def _found(client: Any, api: Any, case: Any, text: str) -> bool:
    """Whether searching for the text lists the case, on the page or through the API."""
    listed = client.post(reverse("case_list"), {"q": text}).content.decode()
    answered = api.post("/cases/search", {"q": text}).json()["items"]
    return case.reference in listed or str(case.uuid) in {item["uuid"] for item in answered}


def _sensitive_items() -> list[tuple[str, str]]:
    """Every shipped category and vulnerability in a sensitive group, as (kind, code): the
    configuration as data, so an item added there is checked without a row written here."""
    from remis.lib.defaults import load

    found = [
        ("category", item["code"])
        for item in load("programmes", "migrant_categories.yaml")
        if item.get("sensitive_group")
    ]
    found += [
        ("vulnerability", item["code"])
        for item in load("programmes", "vulnerabilities.yaml")
        if item.get("sensitive_group")
    ]
    return found


def test_there_are_sensitive_items_to_check() -> None:
    kinds = {kind for kind, _code in _sensitive_items()}
    assert kinds == {"category", "vulnerability"}


@pytest.mark.parametrize(("kind", "code"), _sensitive_items())
def test_a_sensitive_category_or_vulnerability_surfaces_nowhere_for_a_reader_without_its_group(
    kind: str, code: str, world: Any, client: Any, api_client: Any, signed_in: Any
) -> None:
    """A case given the item, beside a twin without it: a reader without the item's group
    reads every surface of both, and finds the item's name (in every language) and code no
    more often on the one than on the other (pickers list names for any case), and the
    case list filtered by the category, page or API, does not list the case. The holder of
    the group finds it more often on the case than on its twin, so the test can fail."""
    from remis.programmes.models import MigrantCategory, Vulnerability

    model = MigrantCategory if kind == "category" else Vulnerability
    item = model.objects.get(code=code)
    group = str(item.sensitive_group)
    Role.objects.create(code=f"no_{group}", name=f"Counsellor without {group}", permissions=_without(group))
    reader = make_user("rita", world.be_office, f"no_{group}", ["BE"])
    if kind == "category":
        case = register(world, category=code)
    else:
        case = register(world)
        actions.update_case_details(
            world.alice, case, expected_version=case.version, category=None,
            vulnerabilities=[Vulnerability.objects.get(code=code)],
            intended_return_date=None, assigned_workers=[],
        )  # fmt: skip
    twin = register(world)
    needles = [
        re.escape(f'"{code}"'),
        *(re.escape(name) for name in {item.name, *item.names.values()} if name),
    ]

    def counts(user: Any, which: Any) -> dict[str, int]:
        seen = read_everything(signed_in(user), api_client.as_(user), which)
        return {
            f"{surface} {needle}": len(re.findall(needle, text))
            for surface, text in seen.items()
            for needle in needles
        }

    with_item, without = counts(reader, case), counts(reader, twin)
    leaks = {k: (n, without.get(k, 0)) for k, n in with_item.items() if n > without.get(k, 0)}
    assert not leaks, f"{kind} {code} ({group}) shown to a reader without the group: {leaks}"
    if kind == "category":  # the lists filter by category (not by vulnerability)
        listed = signed_in(reader).post(reverse("case_list"), {"category": code}).content.decode()
        answered = api_client.as_(reader).get("/cases", category=code).json()["items"]
        assert case.reference not in listed and str(case.uuid) not in {i["uuid"] for i in answered}
    client.logout()
    held, plain = counts(world.alice, case), counts(world.alice, twin)
    assert any(n > plain.get(k, 0) for k, n in held.items()), (
        f"the holder of {group} does not see {code}: this test would not see a leak"
    )
