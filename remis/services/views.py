"""Service map pages: the provider list (search, filters, sort, paging), a provider with its
quality history, create and edit forms, stakeholders, the GeoJSON export and the country
information sheets (page and PDF). Searches are GET: the map holds no personal data of
returnees, so filters may sit in URLs and be shared."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _

from remis.lib.countries import is_country
from remis.lib.errors import Conflict, DomainError, Duplicate, NotFound, PermissionDenied
from remis.lib.forms import name_other_problems, read_fields, show_refusal
from remis.lib.pages import forbidden
from remis.lib.paging import page_links, page_number, paginate
from remis.services import actions
from remis.services.forms import (
    ProviderFilterForm,
    ProviderForm,
    QualityForm,
    StakeholderFilterForm,
    StakeholderForm,
)
from remis.services.models import Provider, Stakeholder
from remis.services.queries import (
    can_manage_country,
    countries_in_use,
    countries_on_the_map,
    filter_providers,
    geojson,
    get_provider_for,
    get_stakeholder_for,
    information_sheet,
    may_manage_somewhere,
    may_read_map,
    stakeholders,
    with_coordinates,
    with_sectors,
)
from remis.services.sheet_pdf import PdfUnavailable, render_pdf


def _refuse_outsider(request: HttpRequest) -> HttpResponse | None:
    if not may_read_map(request.user):
        return forbidden(request, _("The service map is for members of an organisation."))
    return None


@login_required
def provider_list(request: HttpRequest) -> HttpResponse:
    if refused := _refuse_outsider(request):
        return refused
    form = ProviderFilterForm(request.GET or None, countries=countries_in_use(request.user, "provider"))
    filters = form.filters()
    matching = filter_providers(request.user, filters)
    if form.is_bound and not form.is_valid():
        # Never the whole map under "one field to correct": a filter that cannot be read
        # (an old bookmark's sector) listed every provider of every country.
        matching = matching.none()
    page = paginate(
        with_sectors(matching),
        page_number(request),  # not a form field: a new search starts at page 1
    )
    params = filters.as_params()
    # Said beside the download: the file holds those with coordinates only (11 found, 8 in
    # the file, nothing said).
    unplaced = matching.count() - with_coordinates(matching).count() if page.object_list else 0

    return render(
        request,
        "services/provider_list.html",
        {
            "form": form,
            "page": page,
            **page_links(page, params),
            "geojson_query": urlencode(params),
            "unplaced": unplaced,
            "can_manage": may_manage_somewhere(request.user),
            "countries": countries_on_the_map(request.user),
        },
    )


@login_required
def provider_geojson(request: HttpRequest) -> HttpResponse:
    """The providers of the current filters that have coordinates, as GeoJSON."""
    if refused := _refuse_outsider(request):
        return refused
    form = ProviderFilterForm(request.GET or None)
    rows = with_sectors(with_coordinates(filter_providers(request.user, form.filters())))
    if form.is_bound and not form.is_valid():
        rows = rows.none()  # as the list: not every provider for a filter it cannot read
    response = HttpResponse(
        json.dumps(geojson(rows), ensure_ascii=False), content_type="application/geo+json"
    )
    response["Content-Disposition"] = 'attachment; filename="providers.geojson"'
    return response


def _provider(request: HttpRequest, provider_uuid: Any) -> Provider:
    try:
        return get_provider_for(request.user, provider_uuid)
    except NotFound:
        raise Http404 from None


@login_required
def provider_detail(request: HttpRequest, provider_uuid: Any) -> HttpResponse:
    if refused := _refuse_outsider(request):
        return refused
    provider = _provider(request, provider_uuid)
    can_manage = can_manage_country(request.user, provider.country)
    quality_form = QualityForm(initial={"assessed_on": timezone.localdate()}, auto_id="quality-%s")
    if request.method == "POST":
        if not can_manage:
            return forbidden(request, _("Your role cannot change the service map in this country."))
        quality_form = QualityForm(request.POST, auto_id="quality-%s")
        if not quality_form.is_valid():
            name_other_problems(quality_form, read_fields(quality_form), actions.quality_problems)
        else:
            try:
                actions.record_quality_assessment(
                    request.user,
                    provider,
                    assessed_on=quality_form.cleaned_data["assessed_on"],
                    score=quality_form.cleaned_data["score"],
                    notes=quality_form.cleaned_data["notes"],
                    form_key=quality_form.cleaned_data["form_key"],
                )
            except Duplicate as error:  # the same form sent again: its message, over a new form
                messages.error(request, error.message)
                return redirect("provider_detail", provider_uuid=provider.uuid)
            except DomainError as error:
                show_refusal(quality_form, error)
            else:
                messages.success(request, _("The quality assessment is recorded."))
                return redirect("provider_detail", provider_uuid=provider.uuid)
    return render(
        request,
        "services/provider_detail.html",
        {
            "provider": provider,
            "sectors": list(provider.sectors.all()),
            "quality": list(provider.quality.select_related("recorded_by")),
            "can_manage": can_manage,
            "quality_form": quality_form if can_manage else None,
        },
    )


@login_required
def provider_create(request: HttpRequest) -> HttpResponse:
    if not may_manage_somewhere(request.user):
        return forbidden(request, _("Your role cannot change the service map."))
    form = ProviderForm(request.POST or None, initial={"active": True})
    if request.method == "POST" and not form.is_valid():
        form.name_other_problems()
    elif request.method == "POST":
        try:
            provider = actions.create_provider(request.user, form.values())
        except PermissionDenied as error:
            # The one refusal left once the form may be shown: the country chosen is not
            # one the user manages. Said on the field, the form kept (a bare 403 page lost it).
            form.add_error("country", error.message)
        except DomainError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("The provider is on the map."))
            return redirect("provider_detail", provider_uuid=provider.uuid)
    return render(request, "services/provider_form.html", {"form": form, "provider": None})


@login_required
def provider_edit(request: HttpRequest, provider_uuid: Any) -> HttpResponse:
    if refused := _refuse_outsider(request):
        return refused
    provider = _provider(request, provider_uuid)
    if not can_manage_country(request.user, provider.country):
        return forbidden(request, _("Your role cannot change the service map in this country."))
    form = ProviderForm.editing(provider)
    if request.method == "POST":
        form = ProviderForm(request.POST)
        if not form.is_valid():
            form.name_other_problems()
        else:
            try:
                changes = actions.update_provider(
                    request.user, provider, form.values(), form.cleaned_data["version"]
                )
            except PermissionDenied as error:
                form.add_error("country", error.message)  # moved to a country not theirs
            except (Conflict, DomainError) as error:
                show_refusal(form, error)
            else:
                if changes:
                    messages.success(request, _("The provider's details are saved."))
                    for said in actions.provider_notices(provider, changes):
                        messages.warning(request, said)
                else:
                    messages.success(request, _("Nothing was changed."))
                return redirect("provider_detail", provider_uuid=provider.uuid)
    return render(request, "services/provider_form.html", {"form": form, "provider": provider})


@login_required
def stakeholder_list(request: HttpRequest) -> HttpResponse:
    if refused := _refuse_outsider(request):
        return refused
    form = StakeholderFilterForm(request.GET or None, countries=countries_in_use(request.user, "stakeholder"))
    filters = form.filters()
    rows = stakeholders(request.user, filters)
    if form.is_bound and not form.is_valid():
        rows = rows.none()  # as the providers' list: a refused filter lists nothing, not everything
    page = paginate(rows, page_number(request))
    params = filters.as_params()

    return render(
        request,
        "services/stakeholder_list.html",
        {
            "form": form,
            "filtered": bool(params) or bool(form.errors),
            "page": page,
            **page_links(page, params),
            "can_manage": may_manage_somewhere(request.user),
        },
    )


def _stakeholder_form_page(
    request: HttpRequest, form: StakeholderForm, stakeholder: Stakeholder | None
) -> HttpResponse:
    return render(request, "services/stakeholder_form.html", {"form": form, "stakeholder": stakeholder})


@login_required
def stakeholder_create(request: HttpRequest) -> HttpResponse:
    if not may_manage_somewhere(request.user):
        return forbidden(request, _("Your role cannot change the service map."))
    form = StakeholderForm(request.POST or None, initial={"partnership_status": "none"})
    if request.method == "POST" and form.is_valid():
        try:
            actions.create_stakeholder(request.user, form.values())
        except PermissionDenied as error:
            # As for a provider: the country chosen is not one the user manages. Said on
            # the field, the form kept (a bare 403 page lost what was typed).
            form.add_error("country", error.message)
        except DomainError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("The stakeholder is recorded."))
            return redirect("stakeholder_list")
    return _stakeholder_form_page(request, form, None)


@login_required
def stakeholder_edit(request: HttpRequest, stakeholder_id: int) -> HttpResponse:
    if refused := _refuse_outsider(request):
        return refused
    try:
        stakeholder = get_stakeholder_for(request.user, stakeholder_id)
    except NotFound:
        raise Http404 from None
    if not can_manage_country(request.user, stakeholder.country):
        return forbidden(request, _("Your role cannot change the service map in this country."))
    form = StakeholderForm.editing(stakeholder)
    if request.method == "POST":
        form = StakeholderForm(request.POST)
        if form.is_valid():
            try:
                changes = actions.update_stakeholder(
                    request.user, stakeholder, form.values(), form.cleaned_data["version"]
                )
            except PermissionDenied as error:
                form.add_error("country", error.message)  # moved to a country not theirs
            except DomainError as error:
                show_refusal(form, error)
            else:
                messages.success(
                    request, _("The stakeholder is saved.") if changes else _("Nothing was changed.")
                )
                return redirect("stakeholder_list")
    return _stakeholder_form_page(request, form, stakeholder)


# ---- country information sheets -------------------------------------------------------------


def _sheet_context(request: HttpRequest, country: str) -> dict[str, Any]:
    if not is_country(country):
        raise Http404
    return {"sheet": information_sheet(request.user, country), "today": timezone.localdate()}


@login_required
def country_sheet(request: HttpRequest, country: str) -> HttpResponse:
    if refused := _refuse_outsider(request):
        return refused
    return render(request, "services/sheet.html", _sheet_context(request, country))


@login_required
def country_sheet_pdf(request: HttpRequest, country: str) -> HttpResponse:
    """The same sheet as a PDF to print or send, in the reader's language and direction."""
    if refused := _refuse_outsider(request):
        return refused
    context = {**_sheet_context(request, country), "rtl": get_language_bidi()}
    html = render_to_string("services/sheet_pdf.html", context, request=request)
    try:
        pdf = render_pdf(html, request.build_absolute_uri("/"))
    except PdfUnavailable:
        return HttpResponse(
            _("PDF rendering is not available on this server; print the page instead."),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="information-sheet-{context["sheet"].country}.pdf"'
    return response
