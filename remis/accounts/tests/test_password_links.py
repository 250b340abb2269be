"""A member who forgot their password, or who mistyped it until signing in paused, is helped
back in by an administrator of their home organisation: a one-time password link (REMIS
sends no email), and lifting the pause. Nobody else may, and nothing of it is left lying
around: the link works once, a newer one ends the older, and both are audited."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from remis.accounts import actions
from remis.accounts.actions import sign_in
from remis.accounts.models import PasswordLink
from remis.accounts.tests.second_factor import passed_second_factor
from remis.audit.models import AuditEntry
from remis.cases.tests.factories import PASSWORD
from remis.lib.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Kindia-market-2026!"


def _admin_page(user, world):
    client = Client()
    client.force_login(user)
    passed_second_factor(client, user)
    return client


def _link_path(html: str) -> str:
    found = re.search(
        r'id="new-password-link" readonly dir="ltr" value="http://testserver(/password-link/[^"]+/)"', html
    )
    assert found, "the member page shows the link once"
    return found.group(1)


def test_an_administrator_makes_a_link_and_the_member_chooses_a_new_password(world, olga, alice):
    admin = _admin_page(olga, world)
    member_page = reverse("member_detail", args=[world.be_office.pk, alice.pk])
    made = admin.post(member_page, {"step": "password_link"}, follow=True).content.decode()
    path = _link_path(made)
    assert "it works once, for 3 days" in made
    assert "new-password-link" not in admin.get(member_page).content.decode(), "shown only once"

    visitor = Client()
    page = visitor.get(path)
    assert (
        page.status_code == 200
        and "Your username is <strong><bdi>alice</bdi></strong>" in page.content.decode()
    )
    differ = visitor.post(path, {"password": NEW_PASSWORD, "repeat": NEW_PASSWORD + "x"})
    assert differ.status_code == 400 and "The two passwords differ." in differ.content.decode()
    weak = visitor.post(path, {"password": "alice", "repeat": "alice"})
    assert weak.status_code == 400 and "too short" in weak.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD), "nothing changed by a refused form"

    done = visitor.post(path, {"password": NEW_PASSWORD, "repeat": NEW_PASSWORD}, follow=True)
    assert "Your new password is set. Sign in with it." in done.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD) and not alice.check_password(PASSWORD)
    again = visitor.get(path)
    assert again.status_code == 410 and "already been used" in again.content.decode()
    assert (
        AuditEntry.objects.filter(action="user.password_link", actor=olga, object_id=str(alice.pk)).count()
        == 1
    )
    assert AuditEntry.objects.filter(action="user.password_reset", actor=alice).count() == 1
    entries = AuditEntry.objects.filter(action__in=["user.password_link", "user.password_reset"])
    assert not any(path.split("/")[2] in str(e.changes) for e in entries), "the token is never logged"


def test_only_the_home_organisations_administrators_make_one(world, olga, alice, carol, nils):
    with pytest.raises(NotFound):  # not even told that she is a member there
        sign_in.make_password_link(nils, world.be_office, alice.pk)
    with pytest.raises(PermissionDenied):
        sign_in.make_password_link(carol, world.be_office, alice.pk)  # a colleague
    invited = actions.add_existing_member(
        nils, world.nl_office, username="alice", role="viewer", countries=["NL"]
    )
    actions.answer_invitation(alice, world.nl_office.pk, accept=True, expected_version=invited.version)
    with pytest.raises(PermissionDenied, match="IOM Belgium"):
        sign_in.make_password_link(nils, world.nl_office, alice.pk)  # an organisation that added her later
    with pytest.raises(PermissionDenied, match="IOM Belgium"):
        sign_in.lift_sign_in_pause(nils, world.nl_office, alice.pk)
    page = _admin_page(nils, world).get(reverse("member_detail", args=[world.nl_office.pk, alice.pk]))
    assert "Make a password link" not in page.content.decode()
    assert not PasswordLink.objects.exists()


def test_a_newer_link_ends_the_older_and_an_expired_one_says_so(world, olga, alice):
    first, _ = sign_in.make_password_link(olga, world.be_office, alice.pk)
    second, link = sign_in.make_password_link(olga, world.be_office, alice.pk)
    with pytest.raises(Conflict, match="replaced by a newer one"):
        sign_in.use_password_link(first, password=NEW_PASSWORD)
    with pytest.raises(NotFound):
        sign_in.check_password_link("not-a-link")
    PasswordLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    gone = Client().get(reverse("password_link", args=[second]))
    assert gone.status_code == 410 and "expired" in gone.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_the_new_password_is_checked_like_any_other(world, olga, alice):
    raw, _ = sign_in.make_password_link(olga, world.be_office, alice.pk)
    with pytest.raises(ValidationFailed) as refused:
        sign_in.use_password_link(raw, password="12345678")
    assert refused.value.field == "password"
    assert sign_in.check_password_link(raw), "a refused password leaves the link usable"


@pytest.fixture
def throttled(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3


def _wrong_passwords(address: str, times: int = 3) -> None:
    for _ in range(times):
        Client().post(reverse("login"), {"username": "alice", "password": "wrong"}, REMOTE_ADDR=address)


def _signs_in(address: str) -> bool:
    answer = Client().post(reverse("login"), {"username": "alice", "password": PASSWORD}, REMOTE_ADDR=address)
    return answer.status_code == 302


def test_an_administrator_sees_and_lifts_the_pause_from_every_address(world, olga, alice, throttled):
    assert sign_in.sign_in_paused_until("alice") is None
    _wrong_passwords("10.0.0.1")
    _wrong_passwords("10.0.0.2")
    assert not _signs_in("10.0.0.1") and not _signs_in("10.0.0.2")
    until = sign_in.sign_in_paused_until("alice")
    assert until is not None and until > timezone.now()

    admin = _admin_page(olga, world)
    member_page = reverse("member_detail", args=[world.be_office.pk, alice.pk])
    shown = admin.get(member_page).content.decode()
    assert "Signing in is paused after repeated wrong passwords, until" in shown
    assert f"until {timezone.localtime(until):%H:%M} UTC." in shown  # the time zone said, as elsewhere
    assert 'data-confirm="Let Alice' in shown  # asked first, as the password link is
    lifted = admin.post(member_page, {"step": "lift_pause"}, follow=True).content.decode()
    assert "The pause is lifted: they can sign in again." in lifted
    assert "Lift the pause" not in lifted
    assert _signs_in("10.0.0.1") and _signs_in("10.0.0.2")
    assert AuditEntry.objects.filter(action="user.sign_in_pause_lift", actor=olga).count() == 1
    assert not sign_in.lift_sign_in_pause(olga, world.be_office, alice.pk), "nothing left to lift"
    assert AuditEntry.objects.filter(action="user.sign_in_pause_lift").count() == 1


def test_a_new_password_lifts_the_pause(world, olga, alice, throttled):
    _wrong_passwords("10.0.0.1")
    raw, _ = sign_in.make_password_link(olga, world.be_office, alice.pk)
    sign_in.use_password_link(raw, password=NEW_PASSWORD)
    answer = Client().post(
        reverse("login"), {"username": "alice", "password": NEW_PASSWORD}, REMOTE_ADDR="10.0.0.1"
    )
    assert answer.status_code == 302


def test_the_api_makes_a_link_and_lifts_the_pause(world, olga, alice, carol, api):
    base = f"/organisation/{world.be_office.pk}/users/{alice.pk}"
    made = api.as_(olga).post(f"{base}/password-link")
    assert made.status_code == 201, made.content
    path = made.json()["link"].removeprefix("http://testserver")
    assert Client().get(path).status_code == 200
    assert api.as_(olga).delete(f"{base}/sign-in-pause").json() == {"lifted": False}
    assert api.as_(carol).post(f"{base}/password-link").status_code == 403


def test_the_sign_in_page_says_where_to_turn(client):
    assert "can give you a link to choose a new one" in client.get(reverse("login")).content.decode()


@pytest.mark.races("remis.accounts.actions.sign_in.use_password_link")
def test_a_link_sent_from_two_tabs_at_once_sets_one_password(parallel_db, world, olga, alice):
    from remis.lib.tests.races import one_won

    for _round in range(5):
        raw, _ = sign_in.make_password_link(olga, world.be_office, alice.pk)
        passwords = (f"Kindia-market-{_round}-A!", f"Labe-hills-{_round}-B!")
        results = parallel_db(
            lambda raw=raw, password=passwords[0]: sign_in.use_password_link(raw, password=password),
            lambda raw=raw, password=passwords[1]: sign_in.use_password_link(raw, password=password),
        )
        winner = one_won(results)
        alice.refresh_from_db()
        assert alice.check_password(passwords[winner])


@pytest.mark.races("remis.accounts.actions.sign_in.make_password_link")
def test_two_administrators_making_a_link_at_once_leave_one_live(parallel_db, world, olga, alice):
    from remis.cases.tests.factories import make_user

    odile = make_user("odile", world.be_office, "administrator", ["BE"])
    for _round in range(5):
        results = parallel_db(
            lambda: sign_in.make_password_link(olga, world.be_office, alice.pk),
            lambda: sign_in.make_password_link(odile, world.be_office, alice.pk),
        )
        assert not [r for r in results if isinstance(r, BaseException)], results
        live = PasswordLink.objects.filter(user=alice, used_at__isnull=True, revoked_at__isnull=True)
        assert live.count() == 1


def test_the_pages_read_in_french_and_arabic(world, olga, alice, client):
    raw, _ = sign_in.make_password_link(olga, world.be_office, alice.pk)
    for language, title, button in (
        ("fr", "Choisissez un nouveau mot de passe", "Enregistrer mon nouveau mot de passe"),
        ("ar", "اختر كلمة مرور جديدة", "احفظ كلمة المرور الجديدة"),
    ):
        client.post(reverse("set_language"), {"language": language, "next": "/"})
        page = client.get(reverse("password_link", args=[raw])).content.decode()
        assert title in page and button in page
    admin = _admin_page(olga, world)
    admin.post(reverse("set_language"), {"language": "fr", "next": "/"})
    made = admin.post(
        reverse("member_detail", args=[world.be_office.pk, alice.pk]), {"step": "password_link"}, follow=True
    ).content.decode()
    assert "ne fonctionne qu’une fois, pendant 3 jours" in made


def test_an_added_member_is_not_withdrawn_as_an_invitation_and_is_told_why(world, alice, nils):
    """Someone added as an existing user, once they accepted, was refused removal as "has
    already accepted their invitation", which they never had by link."""
    membership = actions.add_existing_member(
        nils, world.nl_office, username="alice", role="viewer", countries=["NL"]
    )
    membership = actions.answer_invitation(
        alice, world.nl_office.pk, accept=True, expected_version=membership.version
    )
    with pytest.raises(ValidationFailed) as refused:
        actions.withdraw_invitation(nils, membership)
    assert refused.value.message == (
        "Only a pending invitation is withdrawn or sent again: deactivate an active member instead."
    )
    assert alice.memberships.filter(organisation=world.nl_office).exists()
