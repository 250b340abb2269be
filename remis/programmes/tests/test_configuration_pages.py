"""The shared configuration pages: the platform operator's only; an item edited there
survives sync_defaults; translations shown in the reader's language."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from remis.audit.models import AuditEntry
from remis.cases.tests.factories import make_user
from remis.programmes.models import MigrantCategory, Vulnerability

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(world):
    return make_user("olga", world.be_office, "platform_operator", [])


def test_only_the_operator_sees_the_link_and_the_pages(signed_in, world, operator):
    client = signed_in(operator)
    assert "Shared configuration" in client.get("/programmes/").content.decode()
    assert client.get("/platform/categories/").status_code == 200
    manager = make_user("maria", world.be_office, "programme_manager", ["BE"])
    client.logout()
    client = signed_in(manager)
    assert "Shared configuration" not in client.get("/programmes/").content.decode()
    assert client.get("/platform/categories/").status_code == 403
    assert client.post("/platform/categories/other/", {"name": "Hacked"}).status_code == 403
    assert MigrantCategory.objects.get(code="other").name == "Other"


def test_an_item_is_created_with_its_translations_and_audited(signed_in, world, operator):
    answer = signed_in(operator).post(
        "/platform/vulnerabilities/new/",
        {
            "code": "elderly_alone",
            "name": "Elderly person alone",
            "name_fr": "Personne âgée",
            "name_ar": "مسن",
            "sensitive_group": "",
        },
    )
    assert answer.status_code == 302
    item = Vulnerability.objects.get(code="elderly_alone")
    assert item.names == {"fr": "Personne âgée", "ar": "مسن"}
    assert item.position == Vulnerability.objects.exclude(pk=item.pk).order_by("-position")[0].position + 1
    entry = AuditEntry.objects.get(action="config.create_item", object_id=str(item.pk))
    assert entry.actor == operator and entry.object_type == "programmes.vulnerability"


def test_a_taken_code_and_an_unknown_group_are_refused_naming_the_fields(signed_in, world, operator):
    page = signed_in(operator).post(
        "/platform/categories/new/", {"code": "other", "name": "Again", "sensitive_group": "secret"}
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert 'id="item-sensitive_group_error"' in text  # the form refuses a group it does not offer
    page = signed_in(operator).post("/platform/categories/new/", {"code": "other", "name": "Again"})
    assert 'id="item-code_error"' in page.content.decode()
    assert MigrantCategory.objects.filter(code="other").count() == 1


def test_an_item_edited_on_the_page_survives_sync_defaults(signed_in, world, operator):
    client = signed_in(operator)
    answer = client.post(
        "/platform/categories/other/",
        {
            "name": "Other situation",
            "name_fr": "Autre situation",
            "name_ar": "",
            "sensitive_group": "protection",
        },
    )
    assert answer.status_code == 302
    out = io.StringIO()
    call_command("sync_defaults", stdout=out)
    item = MigrantCategory.objects.get(code="other")
    assert (item.name, item.names, item.sensitive_group) == (
        "Other situation",
        {"fr": "Autre situation"},
        "protection",
    )
    assert "Kept as changed here: programmes.migrantcategory:other" in out.getvalue()


def test_retire_restore_and_move_keep_the_list_in_order(signed_in, world, operator):
    client = signed_in(operator)
    first, second = list(MigrantCategory.objects.order_by("position")[:2])
    client.post(f"/platform/categories/{second.code}/move/", {"direction": "up"})
    assert list(MigrantCategory.objects.order_by("position")[:2]) == [second, first]
    page = client.get("/platform/categories/").content.decode()
    assert "Retire" in page and "data-confirm=" in page
    client.post(f"/platform/categories/{first.code}/active/", {"active": "0"})
    assert MigrantCategory.objects.get(pk=first.pk).active is False
    assert [i.code for i in MigrantCategory.objects.filter(active=False)] == [first.code]
    retired = client.get("/platform/categories/", {"status": "retired"}).content.decode()
    assert first.name in retired and "Restore" in retired
    client.post(f"/platform/categories/{first.code}/active/", {"active": "1"})
    assert MigrantCategory.objects.get(pk=first.pk).active is True
    assert (
        AuditEntry.objects.filter(
            action__in=["config.move_item", "config.retire_item", "config.restore_item"]
        ).count()
        == 3
    )


def test_a_french_page_shows_the_french_names(signed_in, world, operator):
    MigrantCategory.objects.filter(code="other").update(names={"fr": "Autre cas", "ar": "حالة أخرى"})
    client = signed_in(operator)
    page = client.get("/platform/categories/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<html lang="fr"' in page
    assert "Autre cas" in page and "حالة أخرى" in page
    assert "Catégories de migrants" in page  # the page itself in French


def test_an_order_changed_on_the_page_survives_sync_defaults(signed_in, world, operator):
    first, second = list(Vulnerability.objects.order_by("position")[:2])
    signed_in(operator).post(f"/platform/vulnerabilities/{second.code}/move/", {"direction": "up"})
    call_command("sync_defaults", stdout=io.StringIO())
    assert list(Vulnerability.objects.order_by("position")[:2]) == [second, first]
    untouched = Vulnerability.objects.order_by("position")[2]
    assert untouched.position == 2  # the others keep following the shipped files


def test_two_operators_editing_one_item_the_second_is_told_and_the_first_kept(signed_in, world, operator):
    import re

    other = make_user("omar", world.be_office, "platform_operator", [])
    first, second = signed_in(operator), signed_in(other)
    url = "/platform/categories/other/"

    def form_of(client) -> dict[str, str]:
        page = client.get(url).content.decode()
        read = re.search(r'name="version" value="([^"]+)"', page)
        assert read is not None
        return {
            "name": "Other",
            "name_fr": "",
            "name_ar": "",
            "sensitive_group": "",
            "version": read.group(1),
        }

    mine, theirs = form_of(first), form_of(second)
    assert first.post(url, {**mine, "name_fr": "Autre situation"}).status_code == 302
    refused = second.post(url, {**theirs, "name_ar": "وضع آخر"})
    assert refused.status_code == 200 and "Someone else saved this record" in refused.content.decode()
    item = MigrantCategory.objects.get(code="other")
    assert item.names.get("fr") == "Autre situation" and not item.names.get("ar")
    assert AuditEntry.objects.filter(action="config.update_item").count() == 1
    # Opened again, the second operator's edit goes through, the first one's name kept.
    again = form_of(second)
    assert second.post(url, {**again, "name_fr": "Autre situation", "name_ar": "وضع آخر"}).status_code == 302
    assert MigrantCategory.objects.get(code="other").names == {"fr": "Autre situation", "ar": "وضع آخر"}


def test_a_code_in_other_letters_case_and_a_name_with_direction_overrides_are_refused(
    signed_in, world, operator
):
    client = signed_in(operator)
    base = {"name": "Climate", "name_fr": "", "name_ar": "", "sensitive_group": ""}
    taken = client.post("/platform/categories/new/", {**base, "code": "OTHER"})
    assert taken.status_code == 200 and "The code “other” is taken." in taken.content.decode()
    hidden = client.post(
        "/platform/vulnerabilities/new/", {**base, "code": "climate", "name_fr": "abc\u202edef"}
    )
    from django.utils import timezone
    from django.utils.html import escape

    from remis.lib.fields import Text

    said = Text(120, name=True).problem("abc\u202edef", timezone.localdate())
    assert said and hidden.status_code == 200 and escape(said) in hidden.content.decode()
    assert not MigrantCategory.objects.filter(code="OTHER").exists()
    assert not Vulnerability.objects.filter(code="climate").exists()
