"""The read log: every opening of a case, on its page or through the API, is logged (who,
when, which case, through which organisation, which sensitive groups were shown), and the
organisation's data-protection focal point reviews and exports it; nobody else does."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from remis.accounts.permissions import SensitiveGroup
from remis.audit.models import AuditEntry, CaseRead
from remis.audit.reads import search_reads
from remis.cases.tests.factories import accepted_case, make_user, register

pytestmark = pytest.mark.django_db

ALL_GROUPS = ["health", "identity", "protection", "psychosocial"]


@pytest.fixture
def focal_point(world):
    return make_user("dpo", world.be_office, "data_protection_focal_point", ["BE"])


def test_opening_a_case_page_is_logged_with_the_groups_shown(client, world, carol):
    case = register(world)
    client.force_login(world.alice)
    assert client.get(reverse("case_detail", args=[case.uuid])).status_code == 200
    read = CaseRead.objects.get()
    assert (read.actor, read.organisation, read.case_uuid) == (world.alice, world.be_office, case.uuid)
    assert read.case_reference == case.reference and read.channel == "page"
    assert read.groups == ALL_GROUPS  # a counsellor holds every sensitive group
    client.force_login(carol)  # an M&E officer: reads the case, no sensitive group
    client.get(reverse("case_detail", args=[case.uuid]))
    assert CaseRead.objects.get(actor=carol).groups == []


def test_a_case_one_cannot_see_is_not_opened_and_not_logged(client, world):
    case = register(world)
    client.force_login(world.dave)  # the Dutch office
    assert client.get(reverse("case_detail", args=[case.uuid])).status_code == 404
    assert not CaseRead.objects.exists()


def test_reading_a_case_through_the_api_is_logged(api_client, world):
    case = accepted_case(world)
    assert api_client.as_(world.bob).get(f"/cases/{case.uuid}").status_code == 200
    read = CaseRead.objects.get(actor=world.bob)
    assert read.channel == "api" and read.organisation == world.gn_partner
    assert api_client.get("/cases").status_code == 200  # a list opens no case
    assert CaseRead.objects.count() == 1


def test_reading_a_cases_records_through_the_api_is_logged(api_client, world):
    """Its person, notes, counselling and consents were read through the API unlogged."""
    case = accepted_case(world)
    api = api_client.as_(world.bob)
    paths = [f"/cases/{case.uuid}/{part}" for part in ("consents", "counselling", "notes")]
    for path in [*paths, f"/persons/{case.principal.uuid}"]:
        assert api.get(path).status_code == 200, path
    assert CaseRead.objects.filter(case_uuid=case.uuid, actor=world.bob, channel="api").count() == 4


def test_the_focal_point_reviews_their_organisations_reads_only(client, world, focal_point):
    mine = register(world)
    theirs = accepted_case(world)
    client.force_login(world.alice)
    client.get(reverse("case_detail", args=[mine.uuid]))
    client.force_login(world.bob)  # the Guinean partner's case worker
    client.get(reverse("case_detail", args=[theirs.uuid]))
    assert {r.actor.username for r in search_reads(focal_point)} == {"alice"}

    client.force_login(focal_point)
    page = client.get(reverse("read_log"))
    html = page.content.decode()
    assert page.status_code == 200 and mine.reference in html and "bob" not in html
    assert mine.principal.given_name not in html  # a reference, never a name
    found = client.post(reverse("read_log"), {"username": "ALICE", "case_reference": mine.reference.lower()})
    assert mine.reference in found.content.decode()
    none = client.post(reverse("read_log"), {"case_reference": "XX-0000"}).content.decode()
    assert "No opening of a case matches." in none
    # Part of a name or a reference finds it ("adm" and "000096" read as "nobody opened it").
    number = mine.reference.rsplit("-", 1)[1]
    part = client.post(reverse("read_log"), {"username": "lic", "case_reference": number}).content.decode()
    assert mine.reference in part
    arabic = number.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))  # typed on an Arabic keyboard
    assert mine.reference in client.post(reverse("read_log"), {"case_reference": arabic}).content.decode()
    # A whole username is that user alone: "alice" listed alice2's openings with alice's.
    alice2 = make_user("alice2", world.be_office, "counsellor", ["BE"])
    client.force_login(alice2)
    client.get(reverse("case_detail", args=[mine.uuid]))
    assert {r.actor.username for r in search_reads(focal_point, username="Alice")} == {"alice"}
    assert {r.actor.username for r in search_reads(focal_point, username="lic")} == {"alice", "alice2"}


def test_filtering_by_group_and_exporting_is_audited(client, world, carol, focal_point):
    case = register(world)
    for user in (world.alice, carol):
        client.force_login(user)
        client.get(reverse("case_detail", args=[case.uuid]))
    client.force_login(focal_point)
    health = client.post(reverse("read_log"), {"group": "health"}).content.decode()
    assert "<td>alice</td>" in health and "<td>carol</td>" not in health
    bad = client.post(reverse("read_log"), {"group": "gossip", "since": "2026-02-30"})
    assert bad.status_code == 400 and 'id="id_group_error"' in bad.content.decode()
    backwards = client.post(reverse("read_log"), {"since": "2026-03-01", "until": "2026-02-01"})
    assert (
        backwards.status_code == 400
        and "The end date is before the start date." in backwards.content.decode()
    )

    # By channel: the files downloaded alone, say (none here: the case pages only).
    assert "<td>alice</td>" in client.post(reverse("read_log"), {"channel": "page"}).content.decode()
    assert "<td>alice</td>" not in client.post(reverse("read_log"), {"channel": "document"}).content.decode()
    assert client.post(reverse("read_log"), {"channel": "gossip"}).status_code == 400
    download = client.post(reverse("read_log"), {"csv": "1", "group": ""})
    assert download["Content-Disposition"].startswith('attachment; filename="remis-read-log-')
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sorted(r["Username"] for r in rows) == ["alice", "carol"]
    assert {r["Case reference"] for r in rows} == {case.reference}
    alice_row = next(r for r in rows if r["Username"] == "alice")
    assert alice_row["Sensitive groups shown"] == "; ".join(SensitiveGroup(g).label for g in ALL_GROUPS)
    assert alice_row["Channel"] == "Case page"
    assert AuditEntry.objects.filter(action="read_log.export", actor=focal_point).count() == 1
    # In the reader's language, though the lines are written while the response streams
    # (it was English codes whatever the page's language).
    french = client.post(reverse("read_log"), {"csv": "1", "group": ""}, HTTP_ACCEPT_LANGUAGE="fr")
    header = b"".join(french.streaming_content).decode("utf-8-sig").splitlines()[0]
    assert header.startswith("Quand,") and "Page du dossier" not in header
    arabic = client.post(reverse("read_log"), {"csv": "1", "group": ""}, HTTP_ACCEPT_LANGUAGE="ar")
    lines = b"".join(arabic.streaming_content).decode("utf-8-sig").splitlines()
    alices = next(line for line in lines if ",alice," in line)
    assert "؛ " in alices and "; " not in alices  # the groups, as an Arabic list reads


def test_only_holders_of_the_right_see_the_read_log(client, world):
    client.force_login(world.alice)
    assert client.get(reverse("read_log")).status_code == 403
    assert 'href="/audit/reads/"' not in client.get(reverse("dashboard")).content.decode()
    assert client.post(reverse("read_log"), {"csv": "1"}).status_code == 403


def test_a_period_ending_before_it_starts_is_refused_without_saying_nothing_matches(
    client, world, focal_point
):
    """From 8 December until 1 December read "No opening of a case matches.", as if the
    search had been run and found nothing."""
    client.force_login(focal_point)
    page = client.post(reverse("read_log"), {"since": "2026-12-08", "until": "2026-12-01"})
    text = page.content.decode()
    assert page.status_code == 400 and "The end date is before the start date." in text
    assert "No opening of a case matches." not in text
