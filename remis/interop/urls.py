from __future__ import annotations

from django.urls import path

from remis.interop import views

urlpatterns = [
    path("imports/", views.import_records, name="record_imports"),
    path(
        "imports/templates/<slug:entity_code>.<str:kind>",
        views.import_template,
        name="record_import_template",
    ),
    path("imports/<uuid:import_uuid>/", views.import_detail, name="record_import_detail"),
    path("imports/<uuid:import_uuid>/map/", views.import_map, name="record_import_map"),
    path("imports/<uuid:import_uuid>/again/", views.import_run_again, name="record_import_again"),
    path("imports/<uuid:import_uuid>/report.csv", views.import_report, name="record_import_report"),
]
