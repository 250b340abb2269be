from __future__ import annotations

from django.urls import path

from remis.monitoring import import_views, instrument_views, views

urlpatterns = [
    path("monitoring/imports/", import_views.import_list, name="import_list"),
    path("monitoring/imports/<uuid:upload_uuid>/", import_views.import_detail, name="import_detail"),
    path("monitoring/imports/<uuid:upload_uuid>/delete/", import_views.import_delete, name="import_delete"),
    path(
        "monitoring/imports/<uuid:upload_uuid>/report.csv", import_views.import_report, name="import_report"
    ),
    path("monitoring/instruments/", instrument_views.instrument_list, name="instrument_list"),
    path(
        "monitoring/instruments/<slug:code>/v<int:version>/scoring/",
        instrument_views.instrument_scoring,
        name="instrument_scoring",
    ),
    path(
        "monitoring/instruments/<slug:code>/v<int:version>/xlsform-<str:respondent>.xlsx",
        instrument_views.instrument_xlsform,
        name="instrument_xlsform",
    ),
    path("monitoring/follow-ups/", views.follow_up_list, name="follow_up_list"),
    path("monitoring/offices/", views.follow_up_offices, name="follow_up_offices"),
    path("monitoring/low-scores/", views.low_scores_page, name="low_scores"),
    path("monitoring/programmes/<slug:code>/schedule/", views.schedule_rules, name="schedule_rules"),
    path(
        "cases/<uuid:case_uuid>/follow-ups/<int:round_number>/",
        views.follow_up_detail,
        name="follow_up_detail",
    ),
    path(
        "cases/<uuid:case_uuid>/responses/<uuid:response_uuid>/correct/",
        views.response_correct,
        name="response_correct",
    ),
]
