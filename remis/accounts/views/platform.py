"""Platform operators' pages: organisations and roles."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from remis.accounts import actions
from remis.accounts.actions.common import organisation_managers
from remis.accounts.forms import FirstAdministratorForm, OrganisationFilterForm, OrganisationForm, RoleForm
from remis.accounts.permissions import permission_labels
from remis.accounts.queries import (
    OrganisationFilters,
    get_organisation,
    get_role,
    invited_administrators,
    manages_platform,
    organisation_list,
    role_list,
)
from remis.accounts.views.common import add_errors, filter_values, filters_refused, page_query
from remis.lib.countries import country_name
from remis.lib.errors import DomainError, NotFound
from remis.lib.pages import forbidden
from remis.lib.paging import paginate
from remis.lib.posted import posted_id
from remis.lib.text import fold, list_separator

FIRST_ADMIN_LINK_SESSION_KEY = "remis_first_admin_link"  # the link just made, shown once


def _refused(request: HttpRequest) -> HttpResponse:
    return forbidden(request, _("Only platform operators manage organisations and roles."))


@login_required
def organisation_list_page(request: HttpRequest) -> HttpResponse:
    if not manages_platform(request.user):
        return _refused(request)
    form = OrganisationFilterForm(request.GET or None)
    values = filter_values(form)
    active = {"yes": True, "no": False}.get(values.get("active") or "")
    filters = OrganisationFilters(
        q=values.get("q") or "",
        kind=values.get("kind") or "",
        active=active,
        sort=values.get("sort") or "name",
    )
    organisations = organisation_list(request.user, filters)
    page = paginate(organisations.none() if filters_refused(form) else organisations, values.get("page") or 1)
    return render(
        request,
        "accounts/platform/organisation_list.html",
        {
            "form": form,
            "page": page,
            "rows": [(org, country_name(org.country)) for org in page.object_list],
            "filtered": filters_refused(form) or any(values.get(k) for k in ("q", "kind", "active")),
            "previous_query": page_query(request.GET, page.number - 1),
            "next_query": page_query(request.GET, page.number + 1),
        },
    )


@login_required
def organisation_create(request: HttpRequest) -> HttpResponse:
    if not manages_platform(request.user):
        return _refused(request)
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            org = actions.create_organisation(
                request.user, name=data["name"], kind=data["kind"], country=data["country"]
            )
        except DomainError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Organisation “%(name)s” created.") % {"name": org.name})
            # Its page: where its first administrator is invited.
            return redirect("organisation_edit", organisation_id=org.pk)
    return render(
        request,
        "accounts/platform/organisation_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
def organisation_edit(request: HttpRequest, organisation_id: int) -> HttpResponse:
    if not manages_platform(request.user):
        return _refused(request)
    try:
        org = get_organisation(request.user, organisation_id)
    except NotFound:
        raise Http404 from None
    initial = {"name": org.name, "kind": org.kind, "country": org.country, "version": org.version}
    form = OrganisationForm(initial=initial)
    if request.method == "POST":
        try:
            if "activate" in request.POST or "deactivate" in request.POST:
                active = "activate" in request.POST
                version = request.POST.get("version", "")
                actions.set_organisation_active(request.user, org, active=active, version=posted_id(version))
                messages.success(
                    request,
                    (_("“%(name)s” is active again.") if active else _("“%(name)s” is deactivated."))
                    % {"name": org.name},
                )
                return redirect("organisation_edit", organisation_id=org.pk)
            form = OrganisationForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                changes = actions.update_organisation(
                    request.user,
                    org,
                    version=data["version"] or 0,
                    name=data["name"],
                    kind=data["kind"],
                    country=data["country"],
                )
                messages.success(request, _("Saved.") if changes else _("Nothing was changed."))
                return redirect("organisation_edit", organisation_id=org.pk)
        except DomainError as error:
            if error.field in form.fields:
                add_errors(form, error)
            else:
                messages.error(request, error.message)
                return redirect("organisation_edit", organisation_id=org.pk)
    return render(
        request,
        "accounts/platform/organisation_form.html",
        {
            "form": form,
            "organisation": org,
            "members": org.memberships.filter(status="active").count(),
            "administrators": organisation_managers(org.pk),
            "invited": list_separator().join(invited_administrators(org.pk)),
            "first_admin_link": request.session.pop(FIRST_ADMIN_LINK_SESSION_KEY, None),
            "days": actions.INVITATION_DAYS,
        },
        status=400 if form.errors else 200,
    )


@login_required
def organisation_first_admin(request: HttpRequest, organisation_id: int) -> HttpResponse:
    """The platform operator invites the administrator of an organisation that has no
    active one; the one-time link is shown once, on the organisation's page."""
    if not manages_platform(request.user):
        return _refused(request)
    try:
        org = get_organisation(request.user, organisation_id)
    except NotFound:
        raise Http404 from None
    form = FirstAdministratorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            membership, raw = actions.invite_first_administrator(
                request.user,
                org,
                username=data["username"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
            )
        except DomainError as error:
            if error.field in form.fields:
                add_errors(form, error)
            else:
                messages.error(request, error.message)
                return redirect("organisation_edit", organisation_id=org.pk)
        else:
            request.session[FIRST_ADMIN_LINK_SESSION_KEY] = request.build_absolute_uri(
                reverse("invitation_accept", args=[raw])
            )
            messages.success(
                request,
                _("%(name)s is invited as the administrator of %(organisation)s.")
                % {"name": membership.user.get_full_name(), "organisation": org.name},
            )
            return redirect("organisation_edit", organisation_id=org.pk)
    return render(
        request,
        "accounts/platform/first_admin.html",
        {"form": form, "organisation": org, "days": actions.INVITATION_DAYS},
        status=400 if form.errors else 200,
    )


@login_required
def role_list_page(request: HttpRequest) -> HttpResponse:
    if not manages_platform(request.user):
        return _refused(request)
    labels = permission_labels()
    # In the order of the names the reader reads (the query orders by the English name).
    ordered = sorted(role_list(request.user), key=lambda role: fold(role.label))
    roles = [(role, [labels.get(p, p) for p in role.permissions]) for role in ordered]
    return render(request, "accounts/platform/role_list.html", {"roles": roles})


@login_required
def role_create(request: HttpRequest) -> HttpResponse:
    if not manages_platform(request.user):
        return _refused(request)
    form = RoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            role = actions.create_role(
                request.user,
                code=form.cleaned_data["code"],
                name=form.cleaned_data["name"],
                permissions=form.permissions(),
            )
        except DomainError as error:
            add_errors(form, error, {"permissions": ""})
        else:
            messages.success(request, _("Role “%(name)s” created.") % {"name": role.name})
            return redirect("role_list")
    return render(
        request, "accounts/platform/role_form.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
def role_edit(request: HttpRequest, code: str) -> HttpResponse:
    if not manages_platform(request.user):
        return _refused(request)
    try:
        role = get_role(request.user, code)
    except NotFound:
        raise Http404 from None
    form = RoleForm(request.POST or None, role=role)
    if request.method == "POST" and form.is_valid():
        try:
            changes = actions.update_role(
                request.user,
                role,
                version=form.cleaned_data["version"] or 0,
                name=form.cleaned_data["name"],
                permissions=form.permissions(),
            )
        except DomainError as error:
            add_errors(form, error, {"permissions": ""})
        else:
            messages.success(request, _("Saved.") if changes else _("Nothing was changed."))
            return redirect("role_list")
    return render(
        request,
        "accounts/platform/role_form.html",
        {"form": form, "role": role, "members": role.membership_set.filter(status="active").count()},
        status=400 if form.errors else 200,
    )
