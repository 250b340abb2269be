"""The administration pages the HTML check renders (tests/test_pages_are_valid_html.py),
with forms showing errors: (name, user, url, data posted or None)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from remis.accounts import actions


def administration_visits(world: Any) -> list[tuple[str, Any, str, dict[str, Any] | None]]:
    admin, be = world.admin, world.be_office  # a superuser and an administrator of the office
    invited, raw = actions.invite_user(
        admin,
        be,
        username="fatou",
        first_name="Fatou",
        last_name="Ndiaye",
        role="counsellor",
        countries=["BE"],
    )
    actions.add_existing_member(admin, be, username="dave", role="viewer", countries=["BE"])
    member = reverse("member_detail", args=[be.pk, world.alice.pk])
    return [
        ("your-organisations", world.dave, reverse("your_organisations"), None),
        ("member-account-holder-invited", admin, reverse("member_detail", args=[be.pk, world.dave.pk]), None),
        ("organisations", admin, reverse("organisation_list"), None),
        ("organisation-new-errors", admin, reverse("organisation_create"), {"name": "", "country": "ZZ"}),
        ("organisation-edit", admin, reverse("organisation_edit", args=[world.nl_office.pk]), None),
        ("roles", admin, reverse("role_list"), None),
        ("role-edit", admin, reverse("role_edit", args=["case_worker"]), None),
        ("role-new-errors", admin, reverse("role_create"), {"code": "Bad Code", "name": ""}),
        ("members", admin, reverse("member_list", args=[be.pk]), None),
        ("members-empty", admin, reverse("member_list", args=[be.pk]) + "?status=invited&role=viewer", None),
        ("add-existing-errors", admin, reverse("member_add_existing", args=[be.pk]), {"username": ""}),
        ("invite-errors", admin, reverse("member_invite", args=[be.pk]), {"username": "a b"}),
        ("member", admin, member, None),
        ("member-errors", admin, member, {"role": "", "version": "1"}),
        ("member-invited", admin, reverse("member_detail", args=[be.pk, invited.user_id]), None),
        ("invitation", None, reverse("invitation_accept", args=[raw]), None),
        (
            "invitation-errors",
            None,
            reverse("invitation_accept", args=[raw]),
            {"password": "1", "repeat": "2"},
        ),
        ("invitation-invalid", None, reverse("invitation_accept", args=["nope"]), None),
    ]
