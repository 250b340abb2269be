from __future__ import annotations

from django.urls import path

from remis.interop import export_views, views

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
    path("imports/<uuid:import_uuid>/delete/", views.import_delete, name="record_import_delete"),
    path("imports/<uuid:import_uuid>/report.csv", views.import_report, name="record_import_report"),
]

urlpatterns += [
    path("exports/", export_views.export_records, name="record_exports"),
    path("exports/new/<slug:kind_code>/", export_views.export_new, name="record_export_new"),
    path("exports/<uuid:export_uuid>/", export_views.export_detail, name="record_export_detail"),
    path("exports/<uuid:export_uuid>/file", export_views.export_file, name="record_export_file"),
    path("exports/<uuid:export_uuid>/delete/", export_views.export_delete, name="record_export_delete"),
]
