from __future__ import annotations

from django.urls import path

from remis.reports import views

urlpatterns = [
    path("reports/returns/", views.return_statistics, name="return_statistics"),
    path("reports/annual/", views.annual_report_page, name="annual_report"),
    path("reports/outcomes/", views.outcome_analytics, name="outcome_analytics"),
    path("reports/community-projects/", views.project_summary_page, name="project_summary"),
    path("reports/packages/", views.package_list, name="package_list"),
    path("reports/packages/<uuid:package_uuid>/", views.package_detail, name="package_detail"),
    path("reports/packages/<uuid:package_uuid>/<str:kind>/", views.package_file, name="package_file"),
    path("reports/research/", views.research_extract_list, name="research_extract_list"),
    path(
        "reports/research/<uuid:extract_uuid>/", views.research_extract_detail, name="research_extract_detail"
    ),
    path(
        "reports/research/<uuid:extract_uuid>/<str:kind>/",
        views.research_extract_file,
        name="research_extract_file",
    ),
]
