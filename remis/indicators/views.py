"""Indicator framework pages: the frameworks, one framework with its indicators (and the
draft's forms), and its results per period with targets. Reading needs stats.view (the
figures are the reader's scope); changing needs indicators.manage."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from remis.accounts.permissions import Perm
from remis.accounts.scope import grants_with, has_perm
from remis.indicators import actions, exports
from remis.indicators.charts import target_chart
from remis.indicators.computation import SpecError, describe, parse_spec, scale_of
from remis.indicators.forms import FrameworkForm, IndicatorForm, ResultsForm
from remis.indicators.models import Framework, FrameworkStatus, Indicator
from remis.indicators.queries import programmes_offered, readable_frameworks
from remis.indicators.results import compute, format_value
from remis.lib.errors import DomainError, PermissionDenied, fields_renamed
from remis.lib.pages import forbidden
from remis.lib.posted import posted_id
from remis.lib.text import labelled
from remis.programmes.queries import visible_programmes
from remis.reports.statistics import DIMENSIONS

NO_ACCESS = "Your role does not give access to statistics."


def _readable(request: HttpRequest) -> bool:
    return bool(grants_with(request.user, Perm.STATS_VIEW))


def _framework(request: HttpRequest, uuid: Any) -> Framework:
    framework = readable_frameworks(request.user).filter(uuid=uuid).first()
    if framework is None:
        raise Http404
    return framework


def _form_errors(form: Any, error: DomainError) -> None:
    for field, message in error.errors:
        name = (field or "").removeprefix("computation.")
        form.add_error(
            name if name in form.fields and not form.fields[name].widget.is_hidden else None, message
        )


def _form_field(field: str) -> str:
    """An action's translation field ("names.fr") as the form names its input ("name_fr")."""
    for plural, singular in (
        ("names", "name"),
        ("definitions", "definition"),
        ("descriptions", "description"),
    ):
        if field.startswith(plural + "."):
            return f"{singular}_{field.split('.', 1)[1]}"
    return field


@login_required
def framework_list(request: HttpRequest) -> HttpResponse:
    if not _readable(request):
        return forbidden(request, _(NO_ACCESS))
    status = request.GET.get("status", "")
    frameworks = readable_frameworks(request.user).order_by("code", "-number")
    if status in FrameworkStatus.values:
        frameworks = frameworks.filter(status=status)
    return render(
        request,
        "indicators/framework_list.html",
        {
            "frameworks": [(f, f.indicators.count()) for f in frameworks],
            "status": status,
            "statuses": FrameworkStatus.choices,
            "can_manage": has_perm(request.user, Perm.INDICATORS_MANAGE),
        },
    )


@login_required
def framework_create(request: HttpRequest) -> HttpResponse:
    if not has_perm(request.user, Perm.INDICATORS_MANAGE):
        return forbidden(request, _("Your role cannot change indicator frameworks."))
    form = FrameworkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with fields_renamed(_form_field):
                framework = actions.create_framework(request.user, form.values())
        except DomainError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The framework is created as a draft: add its indicators."))
            return redirect("framework_detail", framework_uuid=framework.uuid)
    return render(request, "indicators/framework_form.html", {"form": form, "framework": None})


def _rows(framework: Framework) -> list[dict[str, Any]]:
    rows = []
    for indicator in framework.indicators.prefetch_related("programmes"):
        try:
            spec = parse_spec(indicator.computation)
            computed, scale = describe(spec), scale_of(spec)
        except SpecError as error:
            computed, scale = str(error), ""
        rows.append(
            {
                "indicator": indicator,
                "disaggregations": [
                    str(DIMENSIONS[code].label) for code in indicator.disaggregations if code in DIMENSIONS
                ],
                "computed": computed,
                "baseline": format_value(scale, indicator.baseline)
                if scale and indicator.baseline is not None
                else "",
                "targets": [
                    labelled(period, format_value(scale, value) if scale else value)
                    for period, value in sorted((indicator.targets or {}).items())
                ],
            }
        )
    return rows


@login_required
def framework_detail(request: HttpRequest, framework_uuid: Any) -> HttpResponse:
    if not _readable(request):
        return forbidden(request, _(NO_ACCESS))
    framework = _framework(request, framework_uuid)
    versions = readable_frameworks(request.user).filter(code=framework.code).order_by("-number")
    can_manage = has_perm(request.user, Perm.INDICATORS_MANAGE)
    return render(
        request,
        "indicators/framework_detail.html",
        {
            "framework": framework,
            "rows": _rows(framework),
            "versions": versions,
            "can_manage": can_manage,
            "editable": can_manage and framework.status == FrameworkStatus.DRAFT,
            "has_draft": versions.filter(status=FrameworkStatus.DRAFT).exists(),
            "latest": versions.first() == framework,
        },
    )


@login_required
@require_POST
def framework_step(request: HttpRequest, framework_uuid: Any, step: str) -> HttpResponse:
    """Activate, retire or start a new version (each from a button with a confirmation)."""
    framework = _framework(request, framework_uuid)
    version = request.POST.get("version")
    expected = posted_id(version)
    try:
        if step == "activate":
            actions.activate(request.user, framework, expected)
            messages.success(request, _("This version is active: results are reported against it."))
        elif step == "retire":
            actions.retire(request.user, framework, expected)
            messages.success(request, _("This version is retired."))
        elif step == "new-version":
            framework = actions.new_version(request.user, framework)
            messages.success(request, _("A new draft version is started from the previous one."))
        else:
            raise Http404
    except PermissionDenied as error:
        return forbidden(request, error.message)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("framework_detail", framework_uuid=framework.uuid)


@login_required
def framework_edit(request: HttpRequest, framework_uuid: Any) -> HttpResponse:
    framework = _framework(request, framework_uuid)
    if not has_perm(request.user, Perm.INDICATORS_MANAGE):
        return forbidden(request, _("Your role cannot change indicator frameworks."))
    form = FrameworkForm(request.POST or None, initial=FrameworkForm.initial_of(framework))
    form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            with fields_renamed(_form_field):
                changes = actions.update_framework(
                    request.user, framework, form.values(), form.cleaned_data["version"]
                )
        except DomainError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The framework is saved.") if changes else _("Nothing was changed."))
            return redirect("framework_detail", framework_uuid=framework.uuid)
    return render(request, "indicators/framework_form.html", {"form": form, "framework": framework})


def _indicator_page(request: HttpRequest, framework: Framework, indicator: Indicator | None) -> HttpResponse:
    if not has_perm(request.user, Perm.INDICATORS_MANAGE):
        return forbidden(request, _("Your role cannot change indicator frameworks."))
    if framework.status != FrameworkStatus.DRAFT:
        messages.error(
            request, _("Only a draft is changed: start a new version of this framework to change it.")
        )
        return redirect("framework_detail", framework_uuid=framework.uuid)
    offered = programmes_offered(request.user, indicator)
    if indicator is None:
        form = IndicatorForm(
            request.POST or None,
            initial={"core": True, "aggregation": "count", "subject": "persons", "direction": "higher"},
            programmes=offered,
        )
    elif request.method == "POST":
        form = IndicatorForm(request.POST, programmes=offered)
    else:
        form = IndicatorForm.editing(indicator, offered)
    if request.method == "POST" and form.is_valid():
        try:
            if indicator is None:
                with fields_renamed(_form_field):
                    actions.add_indicator(request.user, framework, form.values())
                messages.success(request, _("The indicator is added."))
            else:
                with fields_renamed(_form_field):
                    changes = actions.update_indicator(
                        request.user, indicator, form.values(), form.cleaned_data.get("version")
                    )
                messages.success(
                    request, _("The indicator is saved.") if changes else _("Nothing was changed.")
                )
        except DomainError as error:
            _form_errors(form, error)
        else:
            return redirect("framework_detail", framework_uuid=framework.uuid)
    return render(
        request,
        "indicators/indicator_form.html",
        {"form": form, "framework": framework, "indicator": indicator},
    )


@login_required
def indicator_create(request: HttpRequest, framework_uuid: Any) -> HttpResponse:
    return _indicator_page(request, _framework(request, framework_uuid), None)


def _indicator(framework: Framework, indicator_id: int) -> Indicator:
    indicator = framework.indicators.filter(pk=indicator_id).first()
    if indicator is None:
        raise Http404
    return indicator


@login_required
def indicator_edit(request: HttpRequest, framework_uuid: Any, indicator_id: int) -> HttpResponse:
    framework = _framework(request, framework_uuid)
    return _indicator_page(request, framework, _indicator(framework, indicator_id))


@login_required
@require_POST
def indicator_remove(request: HttpRequest, framework_uuid: Any, indicator_id: int) -> HttpResponse:
    framework = _framework(request, framework_uuid)
    indicator = _indicator(framework, indicator_id)
    try:
        actions.remove_indicator(request.user, indicator)
    except PermissionDenied as error:
        return forbidden(request, error.message)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The indicator %(code)s is removed.") % {"code": indicator.code})
    return redirect("framework_detail", framework_uuid=framework.uuid)


# Not kept by the browser: Back reloads the figures of that URL (see reports.views).
@never_cache
@login_required
def framework_results(request: HttpRequest, framework_uuid: Any) -> HttpResponse:
    if not _readable(request):
        return forbidden(request, _(NO_ACCESS))
    framework = _framework(request, framework_uuid)
    programmes = [(p.pk, p.name) for p in visible_programmes(request.user).order_by("name")]
    year = timezone.localdate().year
    # Opened without filters (or with a year left blank): the last three years by year,
    # shown in the form as chosen, so that the form says what the figures cover.
    given = request.GET.copy()
    for name, value in (("first", year - 2), ("last", year), ("granularity", "year")):
        if not given.get(name):
            given[name] = str(value)
    form = ResultsForm(given, programmes=programmes)
    context: dict[str, Any] = {"framework": framework, "form": form, "results": None}
    if form.is_valid():
        data = form.cleaned_data
        results = compute(
            request.user,
            framework,
            data["first"],
            data["last"],
            data["granularity"],
            data.get("programme"),
            data.get("by") or "",
        )
        if results is None:
            return forbidden(request, _(NO_ACCESS))
        stem = f"{framework.code}-v{framework.number}-{data['first']}-{data['last']}"
        if request.GET.get("format") == "csv":
            return exports.results_csv(results, f"{stem}.csv")
        if request.GET.get("format") == "xlsx":
            return exports.results_xlsx(results, f"{stem}.xlsx")
        query = {k: v for k, v in request.GET.items() if k != "format" and v}
        tables = exports.result_tables(results)
        for table in tables:
            table.chart = target_chart(table.result)
        by_label = str(DIMENSIONS[results.by].label) if results.by else ""
        context.update(results=results, tables=tables, by_label=by_label, query=urlencode(query))
    return render(request, "indicators/results.html", context)
