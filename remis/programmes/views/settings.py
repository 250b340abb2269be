"""A programme's settings page: every version, and a form to add one for those who manage
the programme."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from remis.lib.errors import Conflict, DomainError, NotFound, PermissionDenied
from remis.lib.forms import show_refusal
from remis.lib.pages import forbidden
from remis.programmes.actions import change_programme_settings
from remis.programmes.forms import SettingsForm
from remis.programmes.queries import (
    get_programme_for,
    latest_settings_id,
    manages_programme,
    settings_on,
    settings_rows,
    settings_seen,
)


@login_required
def programme_settings(request: HttpRequest, code: str) -> HttpResponse:
    try:
        programme = get_programme_for(request.user, code)
    except NotFound:
        raise Http404 from None
    today = timezone.localdate()
    can_manage = manages_programme(request.user, programme)
    form = SettingsForm.starting_from(settings_on(programme, today), auto_id="settings-%s")
    if request.method == "POST":
        if not can_manage:
            return forbidden(request, _("Your role cannot change this programme's settings."))
        form = SettingsForm(request.POST, auto_id="settings-%s")
        if form.is_valid():
            try:
                before = settings_on(programme, form.cleaned_data["effective_from"])
                version = change_programme_settings(
                    request.user,
                    programme,
                    form.cleaned_data["effective_from"],
                    form.changed_values(settings_seen(programme, form.cleaned_data["started_from"])),
                    note=form.cleaned_data["note"],
                    seen_latest=form.cleaned_data["seen_latest"],
                )
            except PermissionDenied:
                return forbidden(request, _("Your role cannot change this programme's settings."))
            except Conflict as error:
                # The page now lists the version recorded meanwhile: sending again records this
                # one knowingly (as a month's exchange rate recorded meanwhile is replaced).
                data = request.POST.copy()
                data["seen_latest"] = str(latest_settings_id(programme))
                form = SettingsForm(data, auto_id="settings-%s")
                form.is_valid()
                show_refusal(form, error)
            except DomainError as error:
                show_refusal(form, error)
            else:
                messages.success(request, _("The new settings are recorded."))
                if before.pk is not None and version.currency != before.currency:
                    # Nothing is converted: 1,500 EUR of grant became 1,500 USD unsaid.
                    messages.warning(
                        request,
                        _(
                            "The currency changed from %(before)s to %(after)s: the grants and the "
                            "approval thresholds keep their numbers, not converted. Check them in "
                            "%(after)s."
                        )
                        % {"before": before.currency, "after": version.currency},
                    )
                return redirect("programme_settings", code=programme.code)
    return render(
        request,
        "programmes/settings.html",
        {
            "programme": programme,
            "rows": settings_rows(programme, today),
            "form": form if can_manage else None,
        },
    )
