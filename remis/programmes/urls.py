"""Pages administering programmes, their partners and the shared configuration."""

from __future__ import annotations

from django.urls import path

from remis.programmes import views

urlpatterns = [
    path("programmes/new/", views.programme_new, name="programme_new"),
    path("programmes/<slug:code>/", views.programme_detail, name="programme_detail"),
    path("programmes/<slug:code>/edit/", views.programme_edit, name="programme_edit"),
    path("programmes/<slug:code>/active/", views.programme_set_active, name="programme_set_active"),
    path("programmes/<slug:code>/partners/new/", views.partner_add, name="partner_add"),
    path("programmes/<slug:code>/partners/<int:partner_id>/", views.partner_edit, name="partner_edit"),
    path(
        "programmes/<slug:code>/partners/<int:partner_id>/remove/",
        views.partner_remove,
        name="partner_remove",
    ),
    path("platform/<slug:kind>/", views.configuration_list, name="configuration_list"),
    path("platform/<slug:kind>/new/", views.configuration_new, name="configuration_new"),
    path("platform/<slug:kind>/<slug:code>/", views.configuration_edit, name="configuration_edit"),
    path(
        "platform/<slug:kind>/<slug:code>/active/",
        views.configuration_set_active,
        name="configuration_set_active",
    ),
    path("platform/<slug:kind>/<slug:code>/move/", views.configuration_move, name="configuration_move"),
]
