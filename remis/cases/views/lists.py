"""The dashboard and the case list."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from remis.accounts.permissions import Perm
from remis.accounts.scope import grants_with
from remis.cases import forms as case_forms
from remis.cases.extensions import work_for, work_list, work_sources
from remis.cases.lifecycle import Stage
from remis.cases.policy import groups_everywhere
from remis.cases.queries import (
    CASELOADS_SHOWN,
    CaseFilters,
    CaseIds,
    accepted_without_worker,
    aggregates,
    case_rows,
    caseloads,
    cases_by_stage,
    count_cases,
    countries_read,
    erasure_rows,
    erasures_awaiting,
    filter_cases,
    filter_organisations,
    filter_workers,
    my_cases_by_stage,
    my_latest_cases,
    post_arrival_awaiting,
    recent_activity,
    submissions_awaiting,
    submissions_declined,
)
from remis.lib.pages import forbidden
from remis.lib.paging import page_links, page_number, paginate


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    can_view_cases = bool(grants_with(user, Perm.CASE_VIEW))
    counts = cases_by_stage(user) if can_view_cases else {}
    # The most loaded first; one more read says whether others were left out (21 people
    # with open cases showed 20, with no word of the 21st).
    every_caseload = request.GET.get("caseloads") == "all"
    loads = caseloads(user, None if every_caseload else CASELOADS_SHOWN + 1)
    mine = my_cases_by_stage(user) if can_view_cases else {}
    return render(
        request,
        "cases/dashboard.html",
        {
            "can_view_cases": can_view_cases,
            # Without case records, what the role does have: statistics, the audit logs.
            "can_view_stats": bool(grants_with(user, Perm.STATS_VIEW)),
            "can_search_audit": bool(grants_with(user, Perm.AUDIT_VIEW_ALL)),
            "can_review_reads": bool(grants_with(user, Perm.AUDIT_READ_LOG)),
            "stage_rows": [(stage, counts.get(stage, 0)) for stage in Stage],
            "my_stage_rows": [(stage, mine[stage]) for stage in Stage if mine.get(stage)],
            "aggregates": aggregates(user, timezone.localdate()),
            "caseloads": loads[:CASELOADS_SHOWN] if not every_caseload else loads,
            "caseloads_cut": not every_caseload and len(loads) > CASELOADS_SHOWN,
            "caseloads_shown": CASELOADS_SHOWN,
            "my_cases": my_latest_cases(user),
            # The ten shown are the latest of how many: the rest were nowhere to be found.
            "my_cases_total": sum(mine.values()),
            "activity": recent_activity(user, 12),
            # Each work list is loaded after the page (`work_card`), the slowest no longer
            # holding back the rest.
            "work_names": work_sources(),
            "can_register": bool(grants_with(user, Perm.CASE_REGISTER)),
            "can_open_post_arrival": bool(grants_with(user, Perm.CASE_OPEN_POST_ARRIVAL)),
        },
    )


@login_required
def my_work(request: HttpRequest) -> HttpResponse:
    """Everything waiting for the user, from every app that registered a work list: each
    loaded after the page (`work_card`), or all at once with `?now=1` (without scripts)."""
    if request.GET.get("now"):
        return render(request, "cases/my_work.html", {"work": work_for(request.user)})
    return render(request, "cases/my_work.html", {"work": None, "work_names": work_sources()})


@login_required
def work_card(request: HttpRequest, kind: str) -> HttpResponse:
    """One work list as the home page's card (or My work's section, `?layout=section`),
    loaded by the page once shown; nothing when the list shows nothing to this user (the
    card's place is then left empty)."""
    section = request.GET.get("layout") == "section"  # My work's table, not the home page's card
    if not getattr(request, "htmx", False):
        # Opened as a page (signing in again leads back to the address asked for, here the
        # card's): the page the list belongs to.
        return redirect("my_work" if section else "dashboard")
    try:
        work = work_list(request.user, kind)
    except KeyError:
        raise Http404 from None
    if work is None:
        return HttpResponse("")
    return render(request, "cases/_work_section.html" if section else "cases/_work_card.html", {"w": work})


@login_required
def submissions_waiting(request: HttpRequest) -> HttpResponse:
    """Every submission awaiting an answer that the user gives or waits for: "My work" shows
    the first ten."""
    if not (grants_with(request.user, Perm.CASE_RESPOND) or grants_with(request.user, Perm.CASE_SUBMIT)):
        return forbidden(request, _("Your role neither submits cases to partners nor answers them."))
    page = paginate(submissions_awaiting(request.user), page_number(request), per_page=50)
    return render(request, "cases/submissions.html", {"page": page, **page_links(page, {})})


@login_required
def unassigned_cases(request: HttpRequest) -> HttpResponse:
    """Every accepted case with none of the reader's organisation's case workers, newest
    first: the home page shows the first ten."""
    if not grants_with(request.user, Perm.CASE_EDIT):
        return forbidden(request, _("Your role does not assign case workers."))
    page = paginate(accepted_without_worker(request.user), page_number(request), per_page=50)
    return render(request, "cases/unassigned.html", {"page": page, **page_links(page, {})})


@login_required
def post_arrival_waiting(request: HttpRequest) -> HttpResponse:
    """Every post-arrival case awaiting the reader's confirmation, oldest first: the home
    page shows the first ten."""
    if not grants_with(request.user, Perm.CASE_CONFIRM_POST_ARRIVAL):
        return forbidden(request, _("Your role does not confirm cases opened after arrival."))
    page = paginate(post_arrival_awaiting(request.user), page_number(request), per_page=50)
    return render(request, "cases/post_arrival.html", {"page": page, **page_links(page, {})})


@login_required
def declined_submissions(request: HttpRequest) -> HttpResponse:
    """Every submission the reader's organisations sent that a partner declined, on an open
    case not sent again since, newest first: the home page shows the first ten."""
    if not grants_with(request.user, Perm.CASE_SUBMIT):
        return forbidden(request, _("Your role does not submit cases to partners."))
    page = paginate(submissions_declined(request.user), page_number(request), per_page=50)
    return render(request, "cases/declined.html", {"page": page, **page_links(page, {})})


@login_required
def erasures_waiting(request: HttpRequest) -> HttpResponse:
    """Every erasure request awaiting the reader's approval, oldest first: the home page
    shows the first ten. Who each is for by their relation in the household, never a name."""
    if not grants_with(request.user, Perm.PERSON_ERASE):
        return forbidden(request, _("Your role does not approve erasures."))
    page = paginate(erasures_awaiting(request.user), page_number(request), per_page=50)
    context = {"page": page, "rows": erasure_rows(page.object_list), **page_links(page, {})}
    return render(request, "cases/erasures.html", context)


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    if not grants_with(request.user, Perm.CASE_VIEW):
        # Donors' viewers and providers' staff read no case records: say so, rather than
        # offer a search that can find nothing.
        return forbidden(request, _("Your role does not give access to case records."))
    if request.method == "POST":
        data: Any = request.POST
    else:
        data = case_forms.list_state_from_url(request.GET, request.session)
    workers = filter_workers(request.user)
    groups = groups_everywhere(request.user)
    form = case_forms.CaseFilterForm(
        data or None,
        workers=workers,
        groups=groups,
        organisations=filter_organisations(request.user),
        countries=countries_read(request.user),
    )
    partial = request.headers.get("HX-Request") == "true" and request.method == "POST"
    template = "cases/_results.html" if partial else "cases/list.html"
    if form.is_bound and not form.is_valid():
        # Never answer bad filters with the unfiltered list: say what is wrong instead.
        return render(request, template, {"form": form, "page": None, "rows": [], "partial": partial})
    cleaned = form.cleaned_data if form.is_bound else {}
    search = ""
    if cleaned.get("q"):
        search = case_forms.remember_search(request.session, cleaned["q"])
    org, worker = cleaned.get("organisation"), cleaned.get("worker")
    filters = CaseFilters(
        q=cleaned.get("q") or "",
        similar=bool(cleaned.get("similar")),
        stage=cleaned.get("stage") or "",
        category=cleaned.get("category") or "",
        host_country=cleaned.get("host_country") or "",
        origin_country=cleaned.get("origin_country") or "",
        organisation=org.pk if org else None,
        worker=worker.pk if worker else None,
        arrived_from=cleaned.get("arrived_from"),
        arrived_to=cleaned.get("arrived_to"),
        sort=cleaned.get("sort") or "-registered",
    )
    page = paginate(
        CaseIds(filter_cases(request.user, filters)),
        cleaned.get("page") or 1,
        counter=lambda cap: count_cases(request.user, filters, cap),
    )
    export_url = None
    if grants_with(request.user, Perm.RECORDS_EXPORT):
        # The export form opens with these filters; a search's text stays in the session.
        export_url = case_forms.list_state_url(
            reverse("record_export_new", args=["cases"]), cleaned, 1, search
        )
    response = render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "rows": case_rows(page.object_list, groups, q=filters.q, similar=filters.similar),
            "export_url": export_url,
        },
    )
    if partial:
        # Back and Forward return to this page of these filters (the URL names no one).
        response["HX-Push-Url"] = case_forms.list_state_url(request.path, cleaned, page.number, search)
    return response
