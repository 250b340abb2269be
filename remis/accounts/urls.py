"""Administration pages: organisations and roles (platform operators), an organisation's
users (its administrators), and accepting an invitation (no sign-in)."""

from __future__ import annotations

from django.urls import path

from remis.accounts.views import members, platform

urlpatterns = [
    path("platform/organisations/", platform.organisation_list_page, name="organisation_list"),
    path("platform/organisations/new/", platform.organisation_create, name="organisation_create"),
    path(
        "platform/organisations/<int:organisation_id>/", platform.organisation_edit, name="organisation_edit"
    ),
    path(
        "platform/organisations/<int:organisation_id>/first-administrator/",
        platform.organisation_first_admin,
        name="organisation_first_admin",
    ),
    path("platform/roles/", platform.role_list_page, name="role_list"),
    path("platform/roles/new/", platform.role_create, name="role_create"),
    path("platform/roles/<slug:code>/", platform.role_edit, name="role_edit"),
    path("organisation/", members.my_organisation, name="my_organisation"),
    path("accounts/organisations/", members.your_organisations, name="your_organisations"),
    path("organisation/<int:organisation_id>/users/", members.member_list_page, name="member_list"),
    path("organisation/<int:organisation_id>/users/invite/", members.member_invite, name="member_invite"),
    path(
        "organisation/<int:organisation_id>/users/add/",
        members.member_add_existing,
        name="member_add_existing",
    ),
    path(
        "organisation/<int:organisation_id>/users/<int:user_id>/", members.member_detail, name="member_detail"
    ),
    path("invitation/<str:token>/", members.invitation_accept, name="invitation_accept"),
    path("password-link/<str:token>/", members.password_link, name="password_link"),
]
