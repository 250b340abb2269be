"""The programmes list and each programme's page with its partners: created, edited,
deactivated and given partners by those who manage it (the actions decide who)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from remis.lib.countries import country_choices, named_countries
from remis.lib.errors import DomainError, NotFound, PermissionDenied
from remis.lib.pages import forbidden
from remis.lib.paging import paginate
from remis.lib.posted import posted_id
from remis.programmes import actions
from remis.programmes.forms import PartnerCountriesForm, PartnerForm, ProgrammeForm
from remis.programmes.models import Programme
from remis.programmes.pages import programme_pages
from remis.programmes.queries import (
    get_partner_for,
    get_programme_for,
    manages_programme,
    may_create_programmes,
    partners_of,
    search_programmes,
    visible_programmes,
)
from remis.programmes.views.common import page_number, show_errors

PER_PAGE = 25
REFUSED = gettext_lazy("Only a manager of an organisation running this programme can change it.")


class ProgrammeFilters(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, help_text=gettext_lazy("Code or name"))
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[
            ("active", gettext_lazy("Active")),
            ("inactive", gettext_lazy("Inactive")),
            ("", gettext_lazy("All")),
        ],
    )
    country = forms.ChoiceField(label=gettext_lazy("Country"), required=False)
    sort = forms.ChoiceField(
        label=gettext_lazy("Sort by"),
        required=False,
        choices=[
            ("name", gettext_lazy("Name")),
            ("code", gettext_lazy("Code")),
            ("starts_on", gettext_lazy("Latest start")),
            ("ends_on", gettext_lazy("Earliest end")),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("Any country")), *country_choices()]  # type: ignore[attr-defined]


def _programme(request: HttpRequest, code: str) -> Programme:
    try:
        return get_programme_for(request.user, code)
    except NotFound:
        raise Http404 from None


@login_required
def programme_list(request: HttpRequest) -> HttpResponse:
    # Active programmes unless a status is chosen ("" for any): page 2 of the default list,
    # asked with no status, listed the inactive ones too.
    data = request.GET.copy()
    data.setdefault("status", "active")
    filters = ProgrammeFilters(data, auto_id="filter-%s")
    criteria = filters.cleaned_data if filters.is_valid() else {"status": "active"}
    programmes = search_programmes(
        request.user,
        q=criteria.get("q", ""),
        status=criteria.get("status", ""),
        country=criteria.get("country", ""),
        sort=criteria.get("sort") or "name",
    )
    if not filters.is_valid():
        programmes = programmes.none()  # a refused filter lists nothing, not every programme
    page = paginate(programmes, page_number(request), per_page=PER_PAGE)
    query = data.copy()
    query.pop("page", None)
    return render(
        request,
        "programmes/programme_list.html",
        {
            "filters": filters,
            "page": page,
            "programmes": page.object_list,
            "query": query.urlencode(),
            "any_programme": bool(page.object_list) or visible_programmes(request.user).exists(),
            "can_create": may_create_programmes(request.user),
        },
    )


@login_required
def programme_new(request: HttpRequest) -> HttpResponse:
    if not may_create_programmes(request.user):
        return forbidden(request, _("Your role cannot create programmes."))
    form = ProgrammeForm(request.POST or None, actor=request.user, auto_id="programme-%s")
    if request.method == "POST" and form.is_valid():
        try:
            programme = actions.create_programme(request.user, **form.values())
        except PermissionDenied:
            return forbidden(request, _("Your role cannot create programmes."))
        except DomainError as error:
            show_errors(form, error)
        else:
            messages.success(request, _("The programme is created."))
            return redirect("programme_detail", code=programme.code)
    return render(request, "programmes/programme_form.html", {"form": form, "programme": None})


@login_required
def programme_detail(request: HttpRequest, code: str) -> HttpResponse:
    programme = _programme(request, code)
    can_manage = manages_programme(request.user, programme)
    partners = partners_of(programme)
    return render(
        request,
        "programmes/programme_detail.html",
        {
            "programme": programme,
            "rule_pages": programme_pages(programme),
            "hosts": named_countries(programme.host_countries),
            "origins": named_countries(programme.origin_countries),
            "categories": list(programme.eligible_categories.all()),
            "partners": [(p, named_countries(p.countries)) for p in partners],
            "can_manage": can_manage,
            "partner_form": PartnerForm(programme=programme, auto_id="partner-%s") if can_manage else None,
        },
    )


@login_required
def programme_edit(request: HttpRequest, code: str) -> HttpResponse:
    programme = _programme(request, code)
    if not manages_programme(request.user, programme):
        return forbidden(request, str(REFUSED))
    form = ProgrammeForm(
        request.POST or None, actor=request.user, programme=programme, auto_id="programme-%s"
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_programme(
                request.user, programme, expected_version=form.cleaned_data["version"], **form.values()
            )
        except PermissionDenied:
            return forbidden(request, str(REFUSED))
        except DomainError as error:
            show_errors(form, error)
        else:
            messages.success(request, _("The programme is saved."))
            return redirect("programme_detail", code=programme.code)
    return render(request, "programmes/programme_form.html", {"form": form, "programme": programme})


def _version(request: HttpRequest) -> int | None:
    raw = request.POST.get("version", "")
    return posted_id(raw)


@login_required
@require_POST
def programme_set_active(request: HttpRequest, code: str) -> HttpResponse:
    programme = _programme(request, code)
    active = request.POST.get("active") == "1"
    try:
        actions.set_programme_active(request.user, programme, active, expected_version=_version(request))
    except PermissionDenied:
        return forbidden(request, str(REFUSED))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("The programme is active again.") if active else _("The programme is deactivated.")
        )
    return redirect("programme_detail", code=programme.code)


@login_required
def partner_add(request: HttpRequest, code: str) -> HttpResponse:
    programme = _programme(request, code)
    if not manages_programme(request.user, programme):
        return forbidden(request, str(REFUSED))
    form = PartnerForm(request.POST or None, programme=programme, auto_id="partner-%s")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.add_partner(
                request.user,
                programme,
                data["organisation"],
                data["role"],
                data["countries"],
                expected_version=data["version"],
            )
        except PermissionDenied:
            return forbidden(request, str(REFUSED))
        except DomainError as error:
            show_errors(form, error)
        else:
            messages.success(
                request, _("%(organisation)s is a partner now.") % {"organisation": data["organisation"].name}
            )
            return redirect("programme_detail", code=programme.code)
    return render(
        request, "programmes/partner_form.html", {"form": form, "programme": programme, "partner": None}
    )


@login_required
def partner_edit(request: HttpRequest, code: str, partner_id: int) -> HttpResponse:
    programme = _programme(request, code)
    if not manages_programme(request.user, programme):
        return forbidden(request, str(REFUSED))
    try:
        partner = get_partner_for(request.user, programme, partner_id)
    except NotFound:
        raise Http404 from None
    form = PartnerCountriesForm(request.POST or None, partner=partner, auto_id="partner-%s")
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_partner_countries(
                request.user,
                partner,
                form.cleaned_data["countries"],
                expected_version=form.cleaned_data["version"],
            )
        except PermissionDenied:
            return forbidden(request, str(REFUSED))
        except DomainError as error:
            show_errors(form, error)
        else:
            messages.success(request, _("The partner's countries are saved."))
            return redirect("programme_detail", code=programme.code)
    return render(
        request, "programmes/partner_form.html", {"form": form, "programme": programme, "partner": partner}
    )


@login_required
@require_POST
def partner_remove(request: HttpRequest, code: str, partner_id: int) -> HttpResponse:
    programme = _programme(request, code)
    try:
        partner = get_partner_for(request.user, programme, partner_id)
    except NotFound:
        raise Http404 from None
    try:
        actions.remove_partner(request.user, partner, expected_version=_version(request))
    except PermissionDenied:
        return forbidden(request, str(REFUSED))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(organisation)s is no longer a partner.") % {"organisation": partner.organisation.name},
        )
    return redirect("programme_detail", code=programme.code)
