"""The shared configuration pages (platform.manage): migrant categories and vulnerabilities
with their translations, sensitive group, status and place in the list."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from remis.lib.errors import DomainError, NotFound, PermissionDenied
from remis.lib.pages import forbidden
from remis.lib.paging import paginate
from remis.programmes import actions
from remis.programmes.forms import ConfigurationItemForm
from remis.programmes.models import ConfigurationItem
from remis.programmes.queries import (
    CONFIGURATION_KINDS,
    configuration_items,
    get_configuration_item_for,
    manages_configuration,
)
from remis.programmes.views.common import page_number, show_errors

PER_PAGE = 50
TITLES = {
    "categories": gettext_lazy("Migrant categories"),
    "vulnerabilities": gettext_lazy("Vulnerabilities"),
}
REFUSED = gettext_lazy("Only the platform operator can change the shared configuration.")


class ItemFilters(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Search"), required=False, help_text=gettext_lazy("Code or name, in any language")
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[
            ("", gettext_lazy("All")),
            ("active", gettext_lazy("In use")),
            ("retired", gettext_lazy("Retired")),
        ],
    )


def _kind(request: HttpRequest, kind: str) -> HttpResponse | None:
    """A refusal page when the kind is unknown or the user may not manage it; else None."""
    if kind not in CONFIGURATION_KINDS:
        raise Http404
    if not manages_configuration(request.user):
        return forbidden(request, str(REFUSED))
    return None


def _item(request: HttpRequest, kind: str, code: str) -> ConfigurationItem:
    try:
        return get_configuration_item_for(request.user, kind, code)
    except NotFound:
        raise Http404 from None


@login_required
def configuration_list(request: HttpRequest, kind: str) -> HttpResponse:
    if refused := _kind(request, kind):
        return refused
    filters = ItemFilters(request.GET or None, auto_id="filter-%s")
    criteria = filters.cleaned_data if filters.is_valid() else {}
    items = configuration_items(
        request.user, kind, q=criteria.get("q", ""), status=criteria.get("status", "")
    )
    page = paginate(items, page_number(request), per_page=PER_PAGE)
    query = request.GET.copy()
    query.pop("page", None)
    filtered = bool(criteria.get("q") or criteria.get("status"))
    return render(
        request,
        "programmes/configuration_list.html",
        {
            "kind": kind,
            "title": TITLES[kind],
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            "filtered": filtered,
        },
    )


@login_required
def configuration_new(request: HttpRequest, kind: str) -> HttpResponse:
    if refused := _kind(request, kind):
        return refused
    form = ConfigurationItemForm(request.POST or None, auto_id="item-%s")
    if request.method == "POST" and form.is_valid():
        try:
            item = actions.create_configuration_item(
                request.user, CONFIGURATION_KINDS[kind], code=form.cleaned_data["code"], **form.values()
            )
        except PermissionDenied:
            return forbidden(request, str(REFUSED))
        except DomainError as error:
            show_errors(form, error)
        else:
            messages.success(request, _("“%(name)s” is added at the end of the list.") % {"name": item.label})
            return redirect("configuration_list", kind=kind)
    return render(
        request,
        "programmes/configuration_form.html",
        {"form": form, "kind": kind, "title": TITLES[kind], "item": None},
    )


@login_required
def configuration_edit(request: HttpRequest, kind: str, code: str) -> HttpResponse:
    if refused := _kind(request, kind):
        return refused
    item = _item(request, kind, code)
    form = ConfigurationItemForm(request.POST or None, item=item, auto_id="item-%s")
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_configuration_item(
                request.user, item, **form.values(), read=form.cleaned_data.get("version") or None
            )
        except PermissionDenied:
            return forbidden(request, str(REFUSED))
        except DomainError as error:
            show_errors(form, error)
        else:
            messages.success(request, _("“%(name)s” is saved.") % {"name": item.label})
            return redirect("configuration_list", kind=kind)
    return render(
        request,
        "programmes/configuration_form.html",
        {"form": form, "kind": kind, "title": TITLES[kind], "item": item},
    )


def _back(request: HttpRequest, kind: str) -> HttpResponse:
    """To the list as it was filtered and paged (`next` holds its query string)."""
    query = request.POST.get("next", "")
    response = redirect("configuration_list", kind=kind)
    if query and not query.startswith(("/", "http")):
        response["Location"] += f"?{query}"
    return response


@login_required
@require_POST
def configuration_set_active(request: HttpRequest, kind: str, code: str) -> HttpResponse:
    if refused := _kind(request, kind):
        return refused
    item = _item(request, kind, code)
    active = request.POST.get("active") == "1"
    try:
        actions.set_configuration_item_active(request.user, item, active)
    except PermissionDenied:
        return forbidden(request, str(REFUSED))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        message = _("“%(name)s” is in use again.") if active else _("“%(name)s” is retired.")
        messages.success(request, message % {"name": item.label})
    return _back(request, kind)


@login_required
@require_POST
def configuration_move(request: HttpRequest, kind: str, code: str) -> HttpResponse:
    if refused := _kind(request, kind):
        return refused
    item = _item(request, kind, code)
    try:
        actions.move_configuration_item(
            request.user, item, -1 if request.POST.get("direction") == "up" else 1
        )
    except PermissionDenied:
        return forbidden(request, str(REFUSED))
    except DomainError as error:
        messages.error(request, error.message)
    return _back(request, kind)
