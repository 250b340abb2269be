from __future__ import annotations

from django.urls import path

from remis.communities import views

urlpatterns = [
    path("community-projects/", views.project_list, name="project_list"),
    path("community-projects/new/", views.project_create, name="project_create"),
    path("community-projects/<uuid:project_uuid>/", views.project_detail, name="project_detail"),
    path("community-projects/<uuid:project_uuid>/edit/", views.project_edit, name="project_edit"),
    path(
        "community-projects/<uuid:project_uuid>/participants/<int:case_id>/remove/",
        views.participant_remove,
        name="participant_remove",
    ),
]
