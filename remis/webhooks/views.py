"""Webhook pages: the organisation's subscriptions, one subscription with its deliveries
log, the create and edit forms, and pause / resume / rotate / delete. Managing needs
`webhooks.manage` in the owning organisation (`queries.get_subscription_for`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from remis.lib.errors import DomainError, NotFound, PermissionDenied
from remis.lib.forms import show_refusal
from remis.lib.pages import forbidden
from remis.lib.paging import page_links, page_number, paginate
from remis.webhooks import actions
from remis.webhooks.catalogue import event_label
from remis.webhooks.forms import SubscriptionForm, VersionForm
from remis.webhooks.models import DeliveryStatus, Subscription, SubscriptionStatus
from remis.webhooks.queries import deliveries_of, filter_subscriptions, get_subscription_for, may_manage

NO_RIGHT = "Your role cannot manage webhooks."
OPERATIONS = ("pause", "resume", "rotate", "delete")


def _more_errors(form: Any) -> None:
    """The domain's verdict on the fields the form accepted, beside the form's own errors,
    so one round trip names every bad field."""
    accepted = {k: v for k, v in getattr(form, "cleaned_data", {}).items() if k in actions.EDITABLE}
    try:
        actions.validate_subscription(accepted)
    except DomainError as error:
        show_refusal(form, error)


def _subscription(request: HttpRequest, subscription_uuid: Any) -> Subscription:
    try:
        return get_subscription_for(request.user, subscription_uuid)
    except NotFound:
        raise Http404 from None


@login_required
def subscription_list(request: HttpRequest) -> HttpResponse:
    if not may_manage(request.user):
        return forbidden(request, _(NO_RIGHT))
    status = request.GET.get("status", "")
    status = status if status in SubscriptionStatus.values else ""
    page = paginate(filter_subscriptions(request.user, status), page_number(request))
    rows = [(s, [event_label(c) for c in s.events]) for s in page.object_list]
    return render(
        request,
        "webhooks/subscription_list.html",
        {
            "page": page,
            "rows": rows,
            "status": status,
            "statuses": SubscriptionStatus.choices,
            **page_links(page, {"status": status} if status else {}),
        },
    )


def _secret_key(subscription: Subscription) -> str:
    return f"webhook-secret:{subscription.uuid}"


def _secret_page(request: HttpRequest, subscription: Subscription, secret: str) -> HttpResponse:
    """Keep the new secret for one showing and go to it: reloading the page that shows it
    must not send the form again (a second subscription, or a second rotation)."""
    request.session[_secret_key(subscription)] = secret
    return redirect("webhook_secret", subscription_uuid=subscription.uuid)


@login_required
@never_cache
def subscription_secret(request: HttpRequest, subscription_uuid: Any) -> HttpResponse:
    """The secret, this once; never cached by the browser or a proxy."""
    try:
        subscription = _subscription(request, subscription_uuid)
    except PermissionDenied as error:
        return forbidden(request, error.message)
    secret = request.session.pop(_secret_key(subscription), None)
    if secret is None:
        messages.info(request, _("The secret is shown only once. Rotate it to get a new one."))
        return redirect("webhook_detail", subscription_uuid=subscription.uuid)
    response = render(request, "webhooks/secret.html", {"subscription": subscription, "secret": secret})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@never_cache
def subscription_create(request: HttpRequest) -> HttpResponse:
    if not may_manage(request.user):
        return forbidden(request, _(NO_RIGHT))
    form = SubscriptionForm(request.POST or None)
    if request.method == "POST" and not form.is_valid():
        _more_errors(form)
    elif request.method == "POST":
        try:
            subscription, secret = actions.create_subscription(request.user, form.cleaned_data)
        except PermissionDenied as error:
            return forbidden(request, error.message)
        except DomainError as error:
            show_refusal(form, error)
        else:
            return _secret_page(request, subscription, secret)
    return render(request, "webhooks/subscription_form.html", {"form": form, "subscription": None})


@login_required
def subscription_detail(request: HttpRequest, subscription_uuid: Any) -> HttpResponse:
    try:
        subscription = _subscription(request, subscription_uuid)
    except PermissionDenied as error:
        return forbidden(request, error.message)
    status = request.GET.get("status", "")
    status = status if status in DeliveryStatus.values else ""
    page = paginate(deliveries_of(subscription, status), page_number(request))
    return render(
        request,
        "webhooks/subscription_detail.html",
        {
            "subscription": subscription,
            "events": [event_label(c) for c in subscription.events],
            "page": page,
            "status": status,
            "statuses": DeliveryStatus.choices,
            **page_links(page, {"status": status} if status else {}),
        },
    )


@login_required
@never_cache
def subscription_edit(request: HttpRequest, subscription_uuid: Any) -> HttpResponse:
    try:
        subscription = _subscription(request, subscription_uuid)
    except PermissionDenied as error:
        return forbidden(request, error.message)
    initial = {k: getattr(subscription, k) for k in ("url", "description", "events", "version")}
    form = SubscriptionForm(request.POST or None, initial=initial)
    if request.method == "POST" and not form.is_valid():
        _more_errors(form)
    elif request.method == "POST":
        try:
            values = {k: form.cleaned_data[k] for k in actions.EDITABLE}
            before = subscription.version
            saved = actions.update_subscription(
                request.user, subscription, values, form.cleaned_data["version"]
            )
        except DomainError as error:
            show_refusal(form, error)
        else:
            changed = saved.version != before  # an untouched form writes nothing: say so
            messages.success(
                request, _("The subscription is saved.") if changed else _("Nothing was changed.")
            )
            return redirect("webhook_detail", subscription_uuid=subscription.uuid)
    return render(request, "webhooks/subscription_form.html", {"form": form, "subscription": subscription})


@login_required
@never_cache
def subscription_operation(request: HttpRequest, subscription_uuid: Any, operation: str) -> HttpResponse:
    if operation not in OPERATIONS:
        raise Http404
    try:
        subscription = _subscription(request, subscription_uuid)
    except PermissionDenied as error:
        return forbidden(request, error.message)
    if request.method != "POST":
        if operation != "delete":
            return redirect("webhook_detail", subscription_uuid=subscription.uuid)
        return render(request, "webhooks/confirm_delete.html", {"subscription": subscription})
    form = VersionForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else None
    try:
        if operation == "pause":
            actions.pause_subscription(request.user, subscription, version)
            messages.success(request, _("The subscription is paused: events wait until you resume it."))
        elif operation == "resume":
            actions.resume_subscription(request.user, subscription, version)
            messages.success(request, _("The subscription is active again: waiting events are being sent."))
        elif operation == "rotate":
            subscription, secret = actions.rotate_secret(request.user, subscription, version)
            return _secret_page(request, subscription, secret)
        else:
            actions.delete_subscription(request.user, subscription, version)
            messages.success(request, _("The subscription is deleted."))
            return redirect("webhook_list")
    except PermissionDenied as error:
        return forbidden(request, error.message)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("webhook_detail", subscription_uuid=subscription.uuid)
