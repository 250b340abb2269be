"""A case's history reads as people speak: labels for fields, names for ids, and sensitive
values masked for readers without the right to see them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from remis.cases import actions
from remis.cases.policy import ALL_GROUPS
from remis.cases.tests.factories import make_person, register
from remis.cases.tests.test_case_pages import login
from remis.programmes.models import MigrantCategory, Vulnerability

pytestmark = pytest.mark.django_db


@pytest.fixture
def sensitive_case(world, alice, today):
    trafficking = MigrantCategory.objects.exclude(sensitive_group="").first()
    pregnant = Vulnerability.objects.exclude(sensitive_group="").first()
    elderly = Vulnerability.objects.get(code="elderly")
    assert trafficking and pregnant and elderly
    case = register(world, person=make_person(given_name="Mariama", family_name="Diallo"))
    actions.update_case_details(
        alice,
        case,
        expected_version=case.version,
        category=trafficking,
        vulnerabilities=[pregnant, elderly],
        intended_return_date=None,
        assigned_workers=[alice],
    )
    actions.record_consent(alice, case, purpose="sharing_with_partners", given=True, given_on=today)
    actions.submit_case(alice, case, world.gn_partner, "Urgent: please call before arrival")
    return case, trafficking, pregnant, elderly


def _history(client, user, case):
    login(client, user)
    html = client.get(reverse("case_detail", args=[case.uuid])).content.decode()
    return html[html.index('id="history"') :]


def test_reader_without_the_right_sees_restricted_not_ids_in_history(client, world, carol, sensitive_case):
    case, trafficking, pregnant, elderly = sensitive_case
    history = _history(client, carol, case)
    assert "Restricted" in history  # the vulnerabilities hidden
    assert "Other" in history  # the category, read as the one standing in for it
    assert trafficking.label not in history and pregnant.label not in history
    assert f"→ <bdi>{trafficking.pk}</bdi>" not in history
    assert f"[{pregnant.pk}" not in history and f"{pregnant.pk}, " not in history
    assert elderly.label in history  # what the reader may see stays readable


def test_reader_with_the_right_sees_labels_not_ids(client, world, alice, sensitive_case):
    case, trafficking, pregnant, _elderly = sensitive_case
    history = _history(client, alice, case)
    assert trafficking.label in history and pregnant.label in history
    assert "Migrant category" in history and "Vulnerabilities" in history
    assert world.gn_partner.name in history  # the partner by name, not "to_organisation: 7"
    assert "to_organisation" not in history.replace('title="to_organisation"', "")
    assert alice.display_name in history  # assigned case worker by name


def test_audit_search_names_objects_and_values(client, world, sensitive_case):
    from remis.cases.tests.factories import make_user

    case, trafficking, _pregnant, _elderly = sensitive_case
    auditor = make_user("erin", world.be_office, "administrator", ["BE"])
    login(client, auditor)
    html = client.post(reverse("audit_search"), {"case_reference": case.reference}).content.decode()
    assert f"Case {case.reference}" in html  # not "cases.case #12"
    assert "cases.case #" not in html
    assert trafficking.label in html  # an administrator holds the sensitive right


def test_audit_entries_read_restricted_without_the_right(world, sensitive_case):
    from remis.audit.models import AuditEntry
    from remis.audit.presentation import describe_entries

    case, trafficking, _pregnant, elderly = sensitive_case
    entries = AuditEntry.objects.filter(case_uuid=case.uuid, action="case.update")
    masked = [c for view in describe_entries(entries, groups=frozenset()) for c in view.changes]
    shown = {c.field: c.after for c in masked}
    assert shown["category"] == "Other"  # as the case page reads it; "Restricted" was trafficking
    assert shown["vulnerabilities"] in (f"Restricted, {elderly.label}", f"{elderly.label}, Restricted")
    full = [c for view in describe_entries(entries, groups=ALL_GROUPS) for c in view.changes]
    assert {c.field: c.after for c in full}["category"] == trafficking.label


def test_the_submission_message_is_shown_to_both_sides(client, world, alice, bob, sensitive_case):
    case = sensitive_case[0]
    for user in (alice, bob):
        login(client, user)
        html = client.get(reverse("case_detail", args=[case.uuid])).content.decode()
        sharing = html[html.index('id="sharing"') : html.index('id="travel"')]
        assert "Urgent: please call before arrival" in sharing, user.username


def test_logged_dates_read_as_dates_in_the_readers_language(world, alice, today):
    from django.utils import formats, translation

    from remis.audit.models import AuditEntry
    from remis.audit.presentation import describe_entries
    from remis.cases.tests.factories import returned_case

    case = returned_case(world)
    entries = AuditEntry.objects.filter(case_uuid=case.uuid, action="case.travel")
    with translation.override("fr"):
        lines = {c.field: c.after for v in describe_entries(entries, groups=ALL_GROUPS) for c in v.changes}
        expected = formats.date_format(today, "SHORT_DATE_FORMAT")
    assert lines["arrival_date"] == expected != today.isoformat()


def test_a_phone_number_keeps_its_plus_in_front_on_right_to_left_pages(world):
    """In an Arabic page the "+" of "+224 620 …" would move to the number's end: the value
    starts with a left-to-right mark, which holds the number's order."""
    from remis.audit.models import AuditEntry
    from remis.audit.presentation import describe_entries
    from remis.lib.bidi import LRM

    case = register(world, person=make_person(phone="+224 620 12 34 56"))
    entries = AuditEntry.objects.filter(case_uuid=case.uuid)
    phones = [
        c.after for v in describe_entries(entries, groups=ALL_GROUPS) for c in v.changes if c.field == "phone"
    ]
    assert phones == [LRM + "+224 620 12 34 56"]
