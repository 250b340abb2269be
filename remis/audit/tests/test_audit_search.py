from __future__ import annotations

import pytest
from django.urls import reverse

from remis.accounts.system import system_actor
from remis.audit.queries import search_entries
from remis.cases import actions
from remis.cases.tests.factories import PASSWORD, register

pytestmark = pytest.mark.django_db


def test_administrator_finds_entries_by_case_reference_and_action(client, world, alice):
    case = register(world)
    actions.transition_case(alice, case, "counselling")
    register(world)
    client.login(username="admin", password=PASSWORD)
    page = client.post(
        reverse("audit_search"), {"case_reference": case.reference, "action": "case.transition"}
    )
    body = page.content.decode()
    assert page.status_code == 200
    assert body.count("<code>case.transition</code>") == 1
    assert '<bdi>Registered</bdi> <span class="arrow"' in body  # labels, not codes
    assert "<bdi>Counselling</bdi>" in body
    # The help says what the field takes: the whole reference, in any case, not a part of it
    # (it promised "part of one", and a part found nothing).
    assert "whole reference" in body and "part of one (its number)" not in body
    lower = client.post(reverse("audit_search"), {"case_reference": case.reference.lower()})
    assert lower.content.decode().count("<code>case.transition</code>") >= 1


def test_search_is_limited_to_the_administrators_organisations(world, alice, dave):
    from remis.accounts import actions as accounts

    nl_admin = accounts.create_user(system_actor(), username="nladmin", password=PASSWORD)
    accounts.add_membership(
        system_actor(), user=nl_admin, organisation=world.nl_office, role="administrator", countries=["NL"]
    )
    case = register(world)  # by alice, at the Belgian office
    assert not search_entries(nl_admin, case_uuid=case.uuid).exists()
    assert search_entries(world.admin, case_uuid=case.uuid).exists()


def test_non_administrators_cannot_search_the_audit_log(client, world, alice):
    client.login(username="alice", password=PASSWORD)
    assert client.get(reverse("audit_search")).status_code == 403


def test_a_backwards_period_is_named_and_lists_nothing(client, world, alice):
    """The error showed above the whole unfiltered log, as if it were the answer."""
    case = register(world)
    actions.transition_case(alice, case, "counselling")
    client.login(username="admin", password=PASSWORD)
    client.get(reverse("case_detail", args=[case.uuid]))  # a read for the read log
    assert case.reference in client.post(reverse("read_log"), {}).content.decode()
    for name in ("audit_search", "read_log"):
        page = client.post(reverse(name), {"since": "2026-12-05", "until": "2026-12-01"})
        body = page.content.decode()
        assert page.status_code == 400, name
        assert "<code>case.transition</code>" not in body and case.reference not in body, name


def test_what_remis_did_itself_is_said_in_the_readers_language(client, world):
    from remis.audit.actions import record

    record(system_actor(), "organisation.update", world.be_office, changes={"name": ["A", "B"]})
    client.login(username="admin", password=PASSWORD)
    page = client.post(reverse("audit_search"), {"action": "organisation.update"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert "REMIS (système)" in page.content.decode() and "<td>system</td>" not in page.content.decode()


def test_actions_are_found_by_the_words_of_their_name_in_the_readers_language(client, world, alice):
    """The log shows "Moved the case" ("A déplacé le dossier"), but only the code was searched."""
    from django.utils import translation

    from remis.audit.labels import ACTION_LABELS

    case = register(world)
    actions.transition_case(alice, case, "counselling")
    assert search_entries(world.admin, action="moved the case").filter(action="case.transition").exists()
    assert not search_entries(world.admin, action="moved the case").exclude(action="case.transition").exists()
    with translation.override("fr"):
        label = str(ACTION_LABELS["case.transition"])
        assert search_entries(world.admin, action=label.upper()).filter(action="case.transition").exists()
    assert search_entries(world.admin, action="case.trans").exists()  # the code's start still works
    with translation.override("ar"):  # English words find it in every language ("token" found nothing)
        assert search_entries(world.admin, action="moved the case").filter(action="case.transition").exists()
    # A user name or part of one, as the field says ("counsellor" found nothing).
    assert set(search_entries(world.admin, username="LIC").values_list("actor__username", flat=True)) == {
        "alice"
    }
    assert not search_entries(world.admin, username="nobody-at-all").exists()


def test_membership_and_account_entries_read_as_words_not_codes(client, world, alice):
    """Members' entries read "accounts.membership #1026", "role: counsellor → case_worker",
    "is_active", user ids and ISO timestamps, in English inside Arabic rows too."""
    from remis.accounts import actions as accounts
    from remis.accounts.models import Membership

    membership = Membership.objects.get(user=alice, organisation=world.be_office)
    accounts.update_membership(
        world.admin, membership, version=membership.version, role="case_worker", countries=["BE", "GN"]
    )
    invited, _raw = accounts.invite_user(
        world.admin,
        world.be_office,
        username="fatou",
        first_name="Fatou",
        last_name="Diallo",
        role="counsellor",
        countries=["BE"],
    )
    client.login(username="admin", password=PASSWORD)
    for language, words in (
        (
            "en",
            ["Membership", "Case worker", "Counsellor", "Belgium", "Guinea", "fatou · IOM Belgium"],
        ),
        ("ar", ["مسؤول الحالة", "بلجيكا", "غينيا"]),
    ):
        body = client.post(reverse("audit_search"), {}, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        table = body.split("<tbody>")[1]
        for word in words:
            assert word in table, (language, word)
        for code in ("accounts.membership #", "case_worker</bdi>", ">all_countries", ">BE, GN<", "+00:00"):
            assert code not in table, (language, code)
    assert invited.status == "invited"


def test_report_and_job_entries_read_as_words_not_codes(client, world):
    """They read "jobs.job #7", "Kind: reports.research_extract", "origin: GN" and
    "params: {'extract': …}"."""
    from remis.audit.actions import record
    from remis.jobs.models import Job

    job = Job.objects.create(kind="reports.research_extract", owner=world.admin, params={"extract": "e-1"})
    record(world.admin, "job.start", job, changes={"kind": [None, job.kind], "params": [None, job.params]})
    record(
        world.admin,
        "reports.package",
        world.be_office,
        changes={"kind": [None, "annual"], "origin": [None, "GN"]},
    )
    client.login(username="admin", password=PASSWORD)
    table = client.post(reverse("audit_search"), {}).content.decode().split("<tbody>")[1]
    assert "Background job" in table and "jobs.job #" not in table
    assert "Build a research extract" in table and ">reports.research_extract<" not in table
    assert "extract: e-1" in table and "{&#x27;extract" not in table
    assert "<bdi>Guinea</bdi>" in table and "<bdi>Annual</bdi>" in table


def test_an_action_typed_with_a_keyboard_apostrophe_is_found():
    """The French labels write the typographic apostrophe (d’invitation): typed with the
    keyboard's, "lien d'invitation" found nothing."""
    from django.utils import translation

    from remis.audit.queries import actions_named

    with translation.override("fr"):
        assert set(actions_named("lien d'invitation")) == set(actions_named("lien d’invitation")) != set()


def test_the_entries_found_download_as_csv_read_as_the_page_reads_them(client, world, alice, carol):
    """Only paging: an investigation had to copy fifty entries at a time."""
    import csv
    import io

    from remis.audit.models import AuditEntry

    case = register(world)
    actions.transition_case(alice, case, "counselling")
    client.login(username="admin", password=PASSWORD)
    download = client.post(reverse("audit_search"), {"case_reference": case.reference, "csv": "1"})
    assert download["Content-Disposition"].startswith('attachment; filename="remis-audit-log-')
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    page = client.post(reverse("audit_search"), {"case_reference": case.reference}).text
    assert len(rows) == page.count("<code>") and rows  # every entry the search finds
    moved = next(r for r in rows if r["Action code"] == "case.transition")
    assert moved["Who"] == "alice" and moved["Case"] == case.reference
    assert "Registered → Counselling" in moved["Changes"]  # labels, not codes
    assert {r["Case"] for r in rows} == {case.reference}  # the filter holds
    exported = AuditEntry.objects.get(action="audit.export")
    assert exported.actor == world.admin and case.reference in str(exported.changes)
    # In the reader's language, though the lines are written while the response streams.
    french = client.post(
        reverse("audit_search"), {"case_reference": case.reference, "csv": "1"}, HTTP_ACCEPT_LANGUAGE="fr"
    )
    lines = b"".join(french.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Quand,") and any("Enregistré → Conseil" in line for line in lines)
    # Refused filters download nothing but the page saying what to change; others may not.
    refused = client.post(reverse("audit_search"), {"since": "2026-12-05", "until": "2026-12-01", "csv": "1"})
    assert refused.status_code == 400 and "Content-Disposition" not in refused
    client.login(username="carol", password=PASSWORD)
    assert client.post(reverse("audit_search"), {"csv": "1"}).status_code == 403
