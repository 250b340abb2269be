"""The pages of a programme's assistance configuration: approval thresholds and the types a
plan proposes first, both versioned data (a change is a new version from a day). Read by
whoever reads the programme; changed by those who manage it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from remis.assistance import actions
from remis.assistance.configuration import proposal_rules_on, thresholds_on
from remis.assistance.forms import ProposalRulesForm, ThresholdsForm
from remis.assistance.models import ApprovalThresholds, AssistanceType, ProposalRules
from remis.cases.views.common import apply_errors
from remis.lib.countries import by_name, country_name
from remis.lib.errors import DomainError, NotFound
from remis.lib.pages import forbidden
from remis.programmes.models import Programme, Vulnerability
from remis.programmes.queries import countries_managed, get_programme_for, manages_programme, settings_on


def _programme(request: HttpRequest, code: str) -> Programme:
    try:
        return get_programme_for(request.user, code)
    except NotFound:
        raise Http404 from None


@login_required
def approval_thresholds(request: HttpRequest, code: str) -> HttpResponse:
    programme = _programme(request, code)
    today = timezone.localdate()
    allowed = countries_managed(request.user, programme)
    can_change = allowed is None or bool(allowed)
    offered = (
        programme.origin_countries
        if allowed is None
        else [c for c in programme.origin_countries if c in allowed]
    )
    countries = by_name([(c, country_name(c)) for c in offered])
    every = allowed is None  # "all the programme's countries" only for its managers
    form = ThresholdsForm(
        auto_id="thresholds-%s", countries=countries, every=every, initial={"effective_from": today}
    )
    if request.method == "POST":
        if not can_change:
            return forbidden(request, _("Only the programme's managers change its approval thresholds."))
        form = ThresholdsForm(request.POST, auto_id="thresholds-%s", countries=countries, every=every)
        if form.is_valid():
            try:
                actions.set_approval_thresholds(request.user, programme, **form.cleaned_data)
            except DomainError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("The new thresholds are recorded."))
                return redirect("approval_thresholds", code=programme.code)
    every_country = by_name([(c, country_name(c)) for c in programme.origin_countries])
    in_force = [("", _("All the programme's countries"), thresholds_on(programme, "", today))] + [
        (c, name, thresholds_on(programme, c, today)) for c, name in every_country
    ]
    versions = ApprovalThresholds.objects.filter(Q(programme=programme) | Q(programme=None)).select_related(
        "created_by"
    )
    return render(
        request,
        "assistance/thresholds.html",
        {
            "programme": programme,
            "currency": settings_on(programme, today).currency,  # the amounts' (reporting) currency
            "in_force": in_force,
            "versions": versions,
            "form": form if can_change else None,
        },
    )


def _in_order(chosen: list[str], stored: list[str]) -> list[str]:
    """The checked types in the order the rules propose them (the boxes are in the list's
    order, which says nothing about it), then the newly checked ones in the list's order."""
    return [c for c in stored if c in chosen] + [c for c in chosen if c not in stored]


@login_required
def proposal_rules(request: HttpRequest, code: str) -> HttpResponse:
    programme = _programme(request, code)
    today = timezone.localdate()
    can_change = manages_programme(request.user, programme)
    types = [(t.code, t.label) for t in AssistanceType.objects.filter(active=True)]
    vulnerabilities = [(v.code, v.label) for v in Vulnerability.objects.filter(active=True)]
    current = proposal_rules_on(programme, today)
    initial = {"effective_from": today, "always": current.always}
    initial.update({f"v_{code}": codes for code, codes in current.by_vulnerability.items()})
    form = ProposalRulesForm(
        auto_id="rules-%s", types=types, vulnerabilities=vulnerabilities, initial=initial
    )
    if request.method == "POST":
        if not can_change:
            return forbidden(
                request, _("Only the programme's managers change the proposed assistance types.")
            )
        form = ProposalRulesForm(
            request.POST, auto_id="rules-%s", types=types, vulnerabilities=vulnerabilities
        )
        if form.is_valid():
            day = form.cleaned_data["effective_from"]
            before = proposal_rules_on(programme, day) if day else current
            try:
                rules = actions.set_proposal_rules(
                    request.user,
                    programme,
                    effective_from=day,
                    always=_in_order(form.cleaned_data["always"], before.always),
                    by_vulnerability={
                        code: _in_order(codes, before.by_vulnerability.get(code, []))
                        for code, codes in form.by_vulnerability().items()
                    },
                )
            except DomainError as error:
                apply_errors(form, error)
            else:
                if rules.pk == before.pk:
                    messages.success(request, _("Nothing was changed."))
                else:
                    messages.success(request, _("The new proposed types are recorded."))
                return redirect("proposal_rules", code=programme.code)
    labels = dict(types)
    vulnerability_labels = dict(vulnerabilities)
    versions = [
        {
            "rules": rules,
            "always": [labels.get(c, c) for c in rules.always],
            "by_vulnerability": [
                (vulnerability_labels.get(v, v), [labels.get(c, c) for c in codes])
                for v, codes in rules.by_vulnerability.items()
            ],
        }
        for rules in ProposalRules.objects.filter(Q(programme=programme) | Q(programme=None)).select_related(
            "created_by"
        )
    ]
    return render(
        request,
        "assistance/proposal_rules.html",
        {
            "programme": programme,
            "current": current,
            "versions": versions,
            "form": form if can_change else None,
        },
    )
