from __future__ import annotations

from django.urls import path

from remis.referrals import views

urlpatterns = [
    path("cases/<uuid:case_uuid>/referrals/new/", views.referral_create, name="referral_create"),
    path("cases/<uuid:case_uuid>/referrals/providers/", views.referral_providers, name="referral_providers"),
    path("referrals/", views.referral_inbox, name="referral_inbox"),
    path("referrals/overdue/", views.referral_overdue, name="referral_overdue"),
    path("referrals/declined/", views.referral_declined, name="referral_declined"),
    path("referrals/completed/", views.referral_completed, name="referral_completed"),
    path("referrals/funnel/", views.referral_funnel, name="referral_funnel"),
    path("referrals/programmes/<slug:code>/rules/", views.referral_rules, name="referral_rules"),
    path("referrals/<uuid:referral_uuid>/", views.referral_detail, name="referral_detail"),
]
