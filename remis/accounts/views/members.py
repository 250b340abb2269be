"""An organisation administrator's pages: the members, inviting someone, one member's
role, countries and status; and the invitee's page to accept (no sign-in needed)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from remis.accounts import actions
from remis.accounts.actions import sign_in as sign_in_actions
from remis.accounts.actions import two_factor as two_factor_actions
from remis.accounts.forms import (
    AddExistingForm,
    InviteForm,
    MemberFilterForm,
    MembershipForm,
    NewPasswordForm,
)
from remis.accounts.models import Membership, MembershipStatus, Organisation, User
from remis.accounts.queries import (
    MemberFilters,
    administers_account,
    get_managed_organisation,
    get_member,
    grantable_roles,
    home_organisation,
    invitations_to,
    link_is_live,
    managed_organisation_ids,
    managed_organisations,
    member_filter_roles,
    member_list,
    member_tokens,
    memberships_of,
    pending_invitation,
)
from remis.accounts.two_factor import has_two_factor, requires_two_factor
from remis.accounts.views.common import add_errors, filter_values, filters_refused, page_query
from remis.lib.countries import country_name
from remis.lib.errors import DomainError, NotFound, PermissionDenied
from remis.lib.pages import forbidden
from remis.lib.paging import paginate
from remis.lib.posted import posted_id
from remis.lib.text import list_separator

LINK_SESSION_KEY = "remis_invitation_link"  # the link just made, shown once on the next page
PASSWORD_LINK_SESSION_KEY = "remis_password_link"  # noqa: S105  # a session key: the password link just made


def _organisation(request: HttpRequest, organisation_id: int) -> Organisation | HttpResponse:
    try:
        return get_managed_organisation(request.user, organisation_id)
    except NotFound:
        raise Http404 from None
    except PermissionDenied:
        return forbidden(request, _("Only the organisation's administrators manage its users."))


def _member(request: HttpRequest, organisation: Organisation, user_id: int) -> Membership:
    try:
        return get_member(request.user, organisation, user_id)
    except NotFound:
        raise Http404 from None


def _countries_label(membership: Membership) -> str:
    if membership.all_countries:
        return _("All countries")
    return list_separator().join(country_name(c) for c in membership.countries) or "—"


def _remember_link(request: HttpRequest, raw: str) -> None:
    request.session[LINK_SESSION_KEY] = request.build_absolute_uri(reverse("invitation_accept", args=[raw]))


@login_required
def your_organisations(request: HttpRequest) -> HttpResponse:
    """The organisations the signed-in user works for, and those inviting their account,
    each invitation accepted or declined here (never with a link: see `answer_invitation`)."""
    user = cast(User, request.user)
    if request.method == "POST":
        chosen = posted_id(request.POST.get("organisation", ""))
        answer = request.POST.get("answer", "")
        if chosen is not None and answer in ("accept", "decline"):
            try:
                membership = actions.answer_invitation(
                    user,
                    chosen,
                    accept=answer == "accept",
                    expected_version=posted_id(request.POST.get("version", "")),
                )
            except DomainError as error:
                messages.error(request, error.message)
            else:
                done = (
                    _("You are now a member of %(organisation)s.")
                    if answer == "accept"
                    else _("You declined the invitation of %(organisation)s.")
                )
                messages.success(request, done % {"organisation": membership.organisation.name})
        return redirect("your_organisations")
    return render(
        request,
        "accounts/your_organisations.html",
        {
            "memberships": [(m, _countries_label(m)) for m in memberships_of(user)],
            "invitations": [(m, _countries_label(m)) for m in invitations_to(user)],
        },
    )


@login_required
def my_organisation(request: HttpRequest) -> HttpResponse:
    """The users page of the organisation the administrator manages (a choice when several)."""
    organisations = list(managed_organisations(request.user))
    if len(organisations) == 1:
        return redirect("member_list", organisation_id=organisations[0].pk)
    if not organisations:
        return forbidden(request, _("Only the organisation's administrators manage its users."))
    return render(request, "accounts/members/choose.html", {"organisations": organisations})


SEARCH_SESSION_KEY = "member_search"


def _remember_search(request: HttpRequest, organisation_id: int) -> HttpResponse:
    """A search posted from the users list: the text (people's names) is kept in the session
    and the list is shown again with the other filters in the URL and a `search=1` flag, so
    no name travels in a URL or an access log, and Back and paging still work."""
    query = QueryDict(mutable=True)
    for name in ("status", "role", "sort"):
        if request.POST.get(name):
            query[name] = request.POST[name]
    text = request.POST.get("q", "").strip()[:150]
    request.session[SEARCH_SESSION_KEY] = text
    if text:
        query["search"] = "1"
    url = reverse("member_list", args=[organisation_id])
    return redirect(f"{url}?{query.urlencode()}" if query else url)


def _with_remembered_search(request: HttpRequest) -> QueryDict:
    data = request.GET.copy()
    data.pop("q", None)  # a name typed into the URL is not searched for
    if data.get("search") == "1":
        data["q"] = request.session.get(SEARCH_SESSION_KEY, "")
    return data


@login_required
def member_list_page(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = _organisation(request, organisation_id)
    if isinstance(organisation, HttpResponse):
        return organisation
    if request.method == "POST":
        return _remember_search(request, organisation.pk)
    form = MemberFilterForm(
        _with_remembered_search(request) or None, roles=member_filter_roles(request.user, organisation)
    )
    values = filter_values(form)
    filters = MemberFilters(
        q=values.get("q") or "",
        status=values.get("status") or "",
        role=values.get("role") or "",
        sort=values.get("sort") or "name",
    )
    members = member_list(request.user, organisation, filters)
    page = paginate(members.none() if filters_refused(form) else members, values.get("page") or 1)
    now = timezone.now()
    rows = [
        {
            "membership": m,
            "countries": _countries_label(m),
            # An account holder's invitation has no link to expire (`answer_invitation`).
            "link_expired": m.status == "invited"
            and not m.awaits_account_holder
            and (m.link_expires_at is None or m.link_expires_at <= now),
        }
        for m in page.object_list
    ]
    return render(
        request,
        "accounts/members/member_list.html",
        {
            "organisation": organisation,
            "form": form,
            "page": page,
            "rows": rows,
            "filtered": filters_refused(form) or any(values.get(k) for k in ("q", "status", "role")),
            "previous_query": page_query(request.GET, page.number - 1),
            "next_query": page_query(request.GET, page.number + 1),
        },
    )


@login_required
def member_invite(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = _organisation(request, organisation_id)
    if isinstance(organisation, HttpResponse):
        return organisation
    form = InviteForm(request.POST or None, roles=grantable_roles(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            membership, raw = actions.invite_user(
                request.user,
                organisation,
                username=data["username"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                role=data["role"],
                countries=data["countries"],
                all_countries=data["all_countries"],
            )
        except PermissionDenied as error:
            return forbidden(request, error.message)
        except DomainError as error:
            add_errors(form, error)
        else:
            _remember_link(request, raw)
            return redirect("member_detail", organisation_id=organisation.pk, user_id=membership.user_id)
    return render(
        request,
        "accounts/members/invite.html",
        {"organisation": organisation, "form": form, "days": actions.INVITATION_DAYS},
        status=400 if form.errors else 200,
    )


@login_required
def member_add_existing(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = _organisation(request, organisation_id)
    if isinstance(organisation, HttpResponse):
        return organisation
    form = AddExistingForm(request.POST or None, roles=grantable_roles(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            membership = actions.add_existing_member(
                request.user,
                organisation,
                username=data["username"],
                role=data["role"],
                countries=data["countries"],
                all_countries=data["all_countries"],
            )
        except PermissionDenied as error:
            return forbidden(request, error.message)
        except DomainError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("%(username)s is invited: the membership starts when they accept it in REMIS.")
                % {"username": membership.user.username},
            )
            return redirect("member_detail", organisation_id=organisation.pk, user_id=membership.user_id)
    return render(
        request,
        "accounts/members/add_existing.html",
        {"organisation": organisation, "form": form},
        status=400 if form.errors else 200,
    )


def _membership_form(request: HttpRequest, membership: Membership, data: Any = None) -> MembershipForm:
    initial = {
        "role": membership.role_id,
        "countries": membership.countries,
        "all_countries": membership.all_countries,
        "version": membership.version,
    }
    roles = list(grantable_roles(request.user))
    if membership.role_id not in {r.code for r in roles}:
        roles.append(membership.role)  # shown as it is, though this administrator cannot give it
    return MembershipForm(data, initial=initial, roles=roles)


STATUS_STEPS: dict[str, tuple[Callable[..., Any], Any]] = {
    "deactivate": (actions.deactivate_membership, gettext_lazy("%(name)s is deactivated.")),
    "reactivate": (actions.reactivate_membership, gettext_lazy("%(name)s is active again.")),
    "revoke": (actions.revoke_invitation, gettext_lazy("%(name)s's invitation link no longer works.")),
    "withdraw": (actions.withdraw_invitation, gettext_lazy("%(name)s's invitation is withdrawn.")),
}


def _after_change(request: HttpRequest, organisation: Organisation, user_id: int) -> HttpResponse:
    """Back to the member's page, unless the administrator changed themself out of the
    right to see it (stepped down, or deactivated their own membership)."""
    if organisation.pk not in managed_organisation_ids(request.user):
        return redirect("dashboard")
    return redirect("member_detail", organisation_id=organisation.pk, user_id=user_id)


@login_required
def member_detail(request: HttpRequest, organisation_id: int, user_id: int) -> HttpResponse:
    organisation = _organisation(request, organisation_id)
    if isinstance(organisation, HttpResponse):
        return organisation
    membership = _member(request, organisation, user_id)
    form = _membership_form(request, membership)
    if request.method == "POST":
        step = request.POST.get("step", "")
        version = request.POST.get("version", "")
        try:
            if step in STATUS_STEPS:
                action, done = STATUS_STEPS[step]
                if step in ("deactivate", "reactivate"):
                    action(request.user, membership, version=posted_id(version))
                else:
                    action(request.user, membership)
                messages.success(request, str(done) % {"name": membership.member_name})
                if step == "withdraw":
                    return redirect("member_list", organisation_id=organisation.pk)
                return _after_change(request, organisation, user_id)
            if step == "revoke_token":
                token_id = request.POST.get("token", "")
                token = (
                    member_tokens(membership).filter(pk=key).first() if (key := posted_id(token_id)) else None
                )
                if token is not None and actions.revoke_api_token(
                    cast(User, request.user), token, organisation=organisation
                ):
                    messages.success(request, _("Token revoked."))
                return redirect("member_detail", organisation_id=organisation.pk, user_id=user_id)
            if step == "reset_two_factor":
                if two_factor_actions.reset_two_factor(cast(User, request.user), organisation, user_id):
                    messages.success(
                        request,
                        _(
                            "Two-factor sign-in was reset: they must set up a new authenticator "
                            "at their next sign-in."
                        )
                        if requires_two_factor(membership.user)
                        else _("Two-factor sign-in was reset."),
                    )
                return redirect("member_detail", organisation_id=organisation.pk, user_id=user_id)
            if step == "password_link":
                raw, _link = sign_in_actions.make_password_link(
                    cast(User, request.user), organisation, user_id
                )
                request.session[PASSWORD_LINK_SESSION_KEY] = request.build_absolute_uri(
                    reverse("password_link", args=[raw])
                )
                return redirect("member_detail", organisation_id=organisation.pk, user_id=user_id)
            if step == "lift_pause":
                if sign_in_actions.lift_sign_in_pause(cast(User, request.user), organisation, user_id):
                    messages.success(request, _("The pause is lifted: they can sign in again."))
                else:
                    messages.info(request, _("Their sign-in was not paused (any more)."))
                return redirect("member_detail", organisation_id=organisation.pk, user_id=user_id)
            if step == "new_link":
                _remember_link(request, actions.reissue_invitation(request.user, membership))
                messages.success(request, _("A new link is made: the earlier one no longer works."))
                return redirect("member_detail", organisation_id=organisation.pk, user_id=user_id)
            form = _membership_form(request, membership, request.POST)
            if form.is_valid():
                data = form.cleaned_data
                changes = actions.update_membership(
                    request.user,
                    membership,
                    version=data["version"] or 0,
                    role=data["role"],
                    countries=data["countries"],
                    all_countries=data["all_countries"],
                )
                messages.success(request, _("Saved.") if changes else _("Nothing was changed."))
                return _after_change(request, organisation, user_id)
        except DomainError as error:
            # The action may have set the refused role on the record before refusing it:
            # the page's summary showed it as if saved.
            membership.refresh_from_db()
            # The role form is not drawn for a deactivated member (deactivated meanwhile by
            # another administrator): its refusal is said above the page, never on a form
            # nobody sees.
            shown = membership.status != MembershipStatus.DEACTIVATED
            if step == "" and shown and any(field in form.fields for field, _m in error.errors):
                add_errors(form, error)
            else:
                messages.error(request, error.message)
                return redirect("member_detail", organisation_id=organisation.pk, user_id=user_id)
    invitation = pending_invitation(membership) if membership.status == "invited" else None
    account_admin = administers_account(membership)
    # Where an account holder works is not said to an organisation they have not joined.
    home = (
        None if account_admin or membership.awaits_account_holder else home_organisation(membership.user_id)
    )
    return render(
        request,
        "accounts/members/member_detail.html",
        {
            "organisation": organisation,
            "membership": membership,
            "member": membership.user,
            "countries": _countries_label(membership),
            "form": form,
            "invitation": invitation,
            "link_live": link_is_live(invitation),
            "new_link": request.session.pop(LINK_SESSION_KEY, None),
            "password_link": request.session.pop(PASSWORD_LINK_SESSION_KEY, None),
            "password_link_days": sign_in_actions.PASSWORD_LINK_DAYS,
            "paused_until": sign_in_actions.sign_in_paused_until(membership.user.username)
            if account_admin
            else None,
            "is_self": membership.user_id == request.user.pk,
            # The account itself (its tokens, its second factor) is its home organisation's.
            "account_admin": account_admin,
            "home": home,
            "tokens": member_tokens(membership) if account_admin else [],
            "two_factor_on": has_two_factor(membership.user),
            "two_factor_required": requires_two_factor(membership.user),
        },
        status=400 if form.errors else 200,
    )


def _gone_or_unknown(error: DomainError) -> int:
    """404 for a link that never existed, 410 for one used, withdrawn or expired."""
    return 404 if isinstance(error, NotFound) else 410


@never_cache
@csrf_protect
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The invitee's page: no sign-in, the link is the proof. A used, withdrawn or expired
    link says so (status 410), and nothing else."""
    try:
        invitation = actions.check_invitation(token)
    except DomainError as error:
        return render(
            request, "accounts/invitation.html", {"problem": error.message}, status=_gone_or_unknown(error)
        )
    form = NewPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = actions.accept_invitation(token, password=form.cleaned_data["password"])
        except DomainError as error:
            if error.field == "password":
                form.add_error("password", error.message)
            else:
                return render(
                    request,
                    "accounts/invitation.html",
                    {"problem": error.message},
                    status=_gone_or_unknown(error),
                )
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome to REMIS. Your password is set."))
            return redirect("dashboard")
    membership = invitation.membership
    return render(
        request,
        "accounts/invitation.html",
        {"form": form, "member": membership.user, "organisation": membership.organisation},
        status=400 if form.errors else 200,
    )


@never_cache
@csrf_protect
def password_link(request: HttpRequest, token: str) -> HttpResponse:
    """The page of a password link: no sign-in, the link is the proof. A used, replaced or
    expired link says so (status 410), and nothing else."""
    try:
        link = sign_in_actions.check_password_link(token)
    except DomainError as error:
        return render(
            request, "accounts/password_link.html", {"problem": error.message}, status=_gone_or_unknown(error)
        )
    form = NewPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sign_in_actions.use_password_link(token, password=form.cleaned_data["password"])
        except DomainError as error:
            if error.field != "password":
                return render(
                    request,
                    "accounts/password_link.html",
                    {"problem": error.message},
                    status=_gone_or_unknown(error),
                )
            form.add_error("password", error.message)
        else:
            messages.success(request, _("Your new password is set. Sign in with it."))
            return redirect("login")
    return render(
        request,
        "accounts/password_link.html",
        {"form": form, "member": link.user},
        status=400 if form.errors else 200,
    )
