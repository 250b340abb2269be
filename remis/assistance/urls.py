from __future__ import annotations

from django.urls import path

from remis.assistance import configuration_views, views

urlpatterns = [
    path("cases/<uuid:case_uuid>/plan/", views.plan_detail, name="plan_detail"),
    path("cases/<uuid:case_uuid>/plan/compare/", views.plan_compare, name="plan_compare"),
    path("cases/<uuid:case_uuid>/plan/items/<int:item_id>/", views.plan_item, name="plan_item"),
    path(
        "cases/<uuid:case_uuid>/plan/v<int:number>/agreement/",
        views.agreement_download,
        name="plan_agreement_download",
    ),
    path(
        "cases/<uuid:case_uuid>/plan/receipts/<int:instalment_id>/",
        views.receipt_download,
        name="plan_receipt_download",
    ),
    path("plans/work/<slug:kind>/", views.plan_work, name="plan_work"),
    path("plans/budget/", views.budget_page, name="assistance_budget"),
    path("plans/exchange-rates/", views.exchange_rates, name="exchange_rates"),
    path(
        "plans/programmes/<slug:code>/thresholds/",
        configuration_views.approval_thresholds,
        name="approval_thresholds",
    ),
    path(
        "plans/programmes/<slug:code>/proposed-types/",
        configuration_views.proposal_rules,
        name="proposal_rules",
    ),
]
