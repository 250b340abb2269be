from __future__ import annotations

from django.urls import path

from remis.assessments import views

urlpatterns = [
    path("cases/<uuid:case_uuid>/assessments/", views.case_assessments, name="case_assessments"),
    path("cases/<uuid:case_uuid>/assessments/new/", views.record_assessment, name="assessment_record"),
    path("assessments/<uuid:assessment_uuid>/", views.assessment_detail, name="assessment_detail"),
    path("assessments/<uuid:assessment_uuid>/edit/", views.edit_assessment, name="assessment_edit"),
    path("assessments/<uuid:assessment_uuid>/confirm/", views.confirm_flags, name="assessment_confirm"),
    path("assessments/<uuid:assessment_uuid>/revise/", views.revise_assessment, name="assessment_revise"),
]
