from __future__ import annotations

from django.urls import path

from remis.webhooks import views

urlpatterns = [
    path("webhooks/", views.subscription_list, name="webhook_list"),
    path("webhooks/new/", views.subscription_create, name="webhook_create"),
    path("webhooks/<uuid:subscription_uuid>/", views.subscription_detail, name="webhook_detail"),
    path("webhooks/<uuid:subscription_uuid>/secret/", views.subscription_secret, name="webhook_secret"),
    path("webhooks/<uuid:subscription_uuid>/edit/", views.subscription_edit, name="webhook_edit"),
    path(
        "webhooks/<uuid:subscription_uuid>/<slug:operation>/",
        views.subscription_operation,
        name="webhook_operation",
    ),
]
