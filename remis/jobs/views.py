"""The Jobs page: the signed-in person's jobs, with their progress, and the jobs they may start."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from remis.jobs import actions
from remis.jobs.models import ACTIVE_STATUSES
from remis.jobs.queries import get_job_for, jobs_for, startable_kinds
from remis.jobs.registry import job_subject
from remis.lib.errors import DomainError, NotFound
from remis.lib.paging import page_number, paginate

PER_PAGE = 25


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    page = paginate(jobs_for(request.user), page_number(request), per_page=PER_PAGE)
    for job in page.object_list:
        # Its file and a way to its report, to its owner only (an administrator reading
        # another's jobs is not shown the file names they uploaded).
        job.subject = job_subject(job) if job.owner_id == request.user.pk else None
    context = {
        "page": page,
        "kinds": startable_kinds(request.user),
        # While a job on this page is queued or running, the list asks for itself again.
        "polling": any(job.status in ACTIVE_STATUSES for job in page.object_list),
    }
    template = "jobs/_table.html" if getattr(request, "htmx", False) else "jobs/list.html"
    return render(request, template, context)


@login_required
@require_POST
def job_start(request: HttpRequest) -> HttpResponse:
    try:
        actions.start_listed_job(request.user, request.POST.get("kind", ""))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The job is queued. This page follows its progress."))
    return redirect("job_list")


@login_required
@require_POST
def job_cancel(request: HttpRequest, job_uuid: str) -> HttpResponse:
    try:
        job = get_job_for(request.user, job_uuid)
    except NotFound as missing:
        raise Http404 from missing
    try:
        actions.cancel_job(request.user, job)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The job is cancelled."))
    return redirect("job_list")
