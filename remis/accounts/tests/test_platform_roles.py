"""Platform operators edit what each role may do (global to the deployment) and add
roles; a change that would leave nobody able to run the platform is refused."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from remis.accounts.models import Role, User
from remis.accounts.permissions import Perm
from remis.accounts.scope import has_perm
from remis.accounts.tests.conftest import fields_of
from remis.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def _form(role: Role, permissions: list[str], **extra: str) -> dict[str, object]:
    """The role form as the page sends it: every chosen permission in its group."""
    from remis.accounts.forms import RoleForm

    data: dict[str, object] = {"name": role.name, "version": str(role.version), **extra}
    data.update(RoleForm.split(permissions))
    return data


def test_the_role_form_describes_each_permission_and_groups_the_sensitive_ones(signed_in, world, paul):
    page = signed_in(paul).get(reverse("role_edit", args=["case_worker"])).content.decode()
    assert "<legend>Sensitive field groups</legend>" in page
    assert "Sensitive: protection and trafficking details" in page
    assert page.count('type="checkbox"') == len(Perm)


def test_an_operator_takes_a_sensitive_group_away_from_a_role(signed_in, world, paul, bob):
    role = Role.objects.get(code="case_worker")
    kept = [p for p in role.permissions if p != Perm.SENSITIVE_HEALTH]
    response = signed_in(paul).post(reverse("role_edit", args=["case_worker"]), _form(role, kept))
    assert response.status_code == 302
    assert not has_perm(User.objects.get(pk=bob.pk), Perm.SENSITIVE_HEALTH)
    entry = AuditEntry.objects.get(action="role.update")
    assert entry.actor == paul and Perm.SENSITIVE_HEALTH in entry.changes["permissions"][0]
    assert Role.objects.get(code="case_worker").version == role.version + 1


def test_the_last_platform_permission_cannot_be_taken_away(signed_in, api, world, paul):
    role = Role.objects.get(code="platform_operator")
    page = signed_in(paul).post(reverse("role_edit", args=["platform_operator"]), _form(role, []))
    assert page.status_code == 400 and "no active user who can run the platform" in page.content.decode()
    response = api.as_(paul).patch(
        "/platform/roles/platform_operator", {"version": role.version, "permissions": []}
    )
    assert response.status_code == 422 and fields_of(response) == ["permissions"]
    assert Role.objects.get(code="platform_operator").permissions == ["platform.manage"]
    assert not AuditEntry.objects.filter(action="role.update").exists()


def test_the_platform_permission_moves_once_another_role_holds_it(api, world, paul):
    api.as_(paul)
    administrator = api.get("/platform/roles/administrator").json()
    moved = api.patch(
        "/platform/roles/administrator",
        {
            "version": administrator["version"],
            "permissions": [*administrator["permissions"], "platform.manage"],
        },
    )
    assert moved.status_code == 200
    emptied = api.patch("/platform/roles/platform_operator", {"version": 1, "permissions": []})
    assert emptied.status_code == 200 and emptied.json()["permissions"] == []


def test_two_operators_editing_the_same_role_do_not_overwrite_each_other(api, world, paul):
    api.as_(paul)
    first = api.patch("/platform/roles/viewer", {"version": 1, "name": "Donor viewer"})
    second = api.patch("/platform/roles/viewer", {"version": 1, "permissions": []})
    assert first.status_code == 200 and second.status_code == 409 and fields_of(second) == ["version"]
    assert Role.objects.get(code="viewer").permissions == ["stats.view"]


def test_an_operator_creates_a_role(signed_in, api, world, paul):
    role_form = {"code": "data_clerk", "name": "Data clerk", "permissions_0": ["case.view", "case.note"]}
    assert signed_in(paul).post(reverse("role_create"), role_form).status_code == 302
    assert Role.objects.get(code="data_clerk").permissions == ["case.view", "case.note"]
    assert AuditEntry.objects.filter(action="role.create", object_id="data_clerk").exists()
    taken = api.as_(paul).post("/platform/roles", {"code": "data_clerk", "name": "Again"})
    assert taken.status_code == 409 and fields_of(taken) == ["code"]
    bad = api.post("/platform/roles", {"code": "Data Clerk", "name": "x", "permissions": ["case.fly"]})
    assert bad.status_code == 422 and set(fields_of(bad)) == {"code", "permissions.0"}


def test_the_role_list_shows_each_roles_permissions(signed_in, world, paul):
    page = signed_in(paul).get(reverse("role_list")).content.decode()
    assert "Run the platform: organisations, roles, shared configuration (no case data)" in page
    assert "Manage the organisation&#x27;s users and memberships" in page


def test_an_organisation_administrator_cannot_edit_roles(signed_in, api, world, olga):
    assert signed_in(olga).get(reverse("role_list")).status_code == 403
    response = api.as_(olga).patch(
        "/platform/roles/administrator", {"version": 1, "permissions": ["platform.manage"]}
    )
    assert response.status_code == 403
    assert "platform.manage" not in Role.objects.get(code="administrator").permissions


def test_the_role_form_starts_from_the_roles_name_and_permissions(signed_in, world, paul):
    page = signed_in(paul).get(reverse("role_edit", args=["viewer"])).content.decode()
    assert 'value="Viewer (aggregates only)"' in page
    checked = re.findall(r'<input type="checkbox" name="permissions_\d" value="([\w.]+)"[^>]*checked', page)
    assert checked == ["stats.view"]


def test_a_role_change_cannot_leave_organisations_without_an_administrator(api, world, paul):
    administrator = api.as_(paul).get("/platform/roles/administrator").json()
    kept = [p for p in administrator["permissions"] if p != "organisation.manage"]
    response = api.patch(
        "/platform/roles/administrator", {"version": administrator["version"], "permissions": kept}
    )
    assert response.status_code == 422 and "without an active administrator" in response.json()["detail"]
    assert "organisation.manage" in Role.objects.get(code="administrator").permissions


def test_shipped_role_names_read_in_the_users_language_until_a_role_is_renamed(signed_in, world, paul):
    import io

    from django.core.management import call_command

    client = signed_in(paul)
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    listed = client.get(reverse("role_list")).content.decode()
    assert "Gestionnaire de cas" in listed and "Conseiller" in listed
    assert "Responsable de programme" in listed
    role = Role.objects.get(code="case_worker")
    assert (
        client.post(
            reverse("role_edit", args=["case_worker"]), _form(role, role.permissions, name="Field officer")
        ).status_code
        == 302
    )
    renamed = Role.objects.get(code="case_worker")
    assert renamed.name == "Field officer" and renamed.names == {}  # the old name's translations go
    call_command("sync_defaults", stdout=io.StringIO())  # nor does sync bring them back
    assert Role.objects.get(code="case_worker").names == {}
    assert "Field officer" in client.get(reverse("role_list")).content.decode()


@pytest.mark.parametrize("code", ["counsellor", "case_worker", "programme_manager", "viewer"])
def test_a_shipped_role_saved_untouched_writes_nothing(signed_in, world, paul, code):
    role = Role.objects.get(code=code)
    entries = AuditEntry.objects.count()
    response = signed_in(paul).post(
        reverse("role_edit", args=[code]), _form(role, role.permissions), follow=True
    )
    assert "Nothing was changed" in response.content.decode()
    after = Role.objects.get(code=code)
    assert (after.version, after.permissions) == (role.version, role.permissions)
    assert AuditEntry.objects.count() == entries


def test_the_roles_list_is_in_the_order_of_the_readers_names(signed_in, world, paul):
    import re

    page = signed_in(paul).get(reverse("role_list"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    names = re.findall(r"<a href=\"/platform/roles/[^\"]+/\">([^<]+)</a>", page)
    names = [n for n in names if n != "Ajouter un rôle"]  # the link to add one
    assert len(names) > 5 and names == sorted(names, key=str.casefold), names
