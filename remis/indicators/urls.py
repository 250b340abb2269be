from __future__ import annotations

from django.urls import path

from remis.indicators import views

urlpatterns = [
    path("indicators/", views.framework_list, name="framework_list"),
    path("indicators/new/", views.framework_create, name="framework_create"),
    path("indicators/<uuid:framework_uuid>/", views.framework_detail, name="framework_detail"),
    path("indicators/<uuid:framework_uuid>/edit/", views.framework_edit, name="framework_edit"),
    path("indicators/<uuid:framework_uuid>/results/", views.framework_results, name="framework_results"),
    path(
        "indicators/<uuid:framework_uuid>/<slug:step>/",
        views.framework_step,
        name="framework_step",
    ),
    path("indicators/<uuid:framework_uuid>/indicators/new/", views.indicator_create, name="indicator_create"),
    path(
        "indicators/<uuid:framework_uuid>/indicators/<int:indicator_id>/",
        views.indicator_edit,
        name="indicator_edit",
    ),
    path(
        "indicators/<uuid:framework_uuid>/indicators/<int:indicator_id>/remove/",
        views.indicator_remove,
        name="indicator_remove",
    ),
]
