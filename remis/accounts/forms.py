"""Forms of the administration pages. They check shape (required, lengths, choices); the
actions decide what the domain allows, and their errors come back onto these fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from remis.accounts import fields as rules
from remis.accounts.models import MembershipStatus, OrganisationType, Role
from remis.accounts.permissions import permission_groups, permission_labels
from remis.lib.countries import country_choices
from remis.lib.fields import max_length
from remis.lib.forms import RowsChoiceField, RuleCheckedForm
from remis.lib.widgets import FastSelect


class FastSelectMultiple(FastSelect):
    """FastSelect for several values (`<select multiple>`, e.g. 250 countries)."""

    allow_multiple_selected = True

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        getter = getattr(data, "getlist", None)
        return getter(name) if getter else data.get(name)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return False  # nothing selected is a value: no countries


class _ByName:
    """People offered by their names, as colleagues know them (a username stands in only
    for someone without a name)."""

    def label_from_instance(self, obj: Any) -> str:
        # Someone who left keeps the cases assigned to them until they are reassigned:
        # offered under their name alone, they looked still at work.
        if not obj.is_active:
            return _("%(name)s (deactivated)") % {"name": obj.display_name}
        return str(obj.display_name)


class UserChoiceField(_ByName, forms.ModelChoiceField):
    pass


class UserMultipleChoiceField(_ByName, RowsChoiceField):
    pass


def _countries_field(label: Any) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        required=False,
        choices=country_choices,
        widget=FastSelectMultiple(attrs={"multiple": True, "size": 8}),
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose several."),
    )


class PagedFilters(forms.Form):
    """Filters of a list page, sent by GET (staff and organisation names, not case data)."""

    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class OrganisationFilterForm(PagedFilters):
    q = forms.CharField(label=_("Search by name"), required=False, max_length=200)
    kind = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types")), *OrganisationType.choices]
    )
    active = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Active and deactivated")), ("yes", _("Active")), ("no", _("Deactivated"))],
    )
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[
            ("name", _("Name (A–Z)")),
            ("-name", _("Name (Z–A)")),
            ("country", _("Country")),
            ("type", _("Type")),
            ("members", _("Most members")),
        ],
    )


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=max_length(rules.ORGANISATION, "name"))
    # Both start empty: a new organisation took the first of each (Afghanistan, NGO) when
    # the operator typed only its name.
    kind = forms.ChoiceField(label=_("Type"), choices=[("", "—"), *OrganisationType.choices])
    country = forms.ChoiceField(
        label=_("Country"),
        choices=lambda: [("", "—"), *country_choices()],
        widget=FastSelect,
        help_text=_("Where its office is."),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class RoleForm(forms.Form):
    """A role's name and permissions, the permissions as one group of checkboxes per
    kind (each a fieldset with its legend), labelled with what they let a holder do."""

    code = forms.CharField(
        label=_("Code"),
        max_length=max_length(rules.ROLE, "code"),
        help_text=_("Small letters, digits and _; it cannot be changed later."),
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=max_length(rules.ROLE, "name"),
        help_text=_(
            "The role's name in English. The shipped roles also have French and Arabic names; "
            "renaming a role removes them, and the new name shows in every language."
        ),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, role: Role | None = None, **kwargs: Any) -> None:
        if role is not None and "initial" not in kwargs:
            kwargs["initial"] = {"name": role.name, "version": role.version, **self.split(role.permissions)}
        super().__init__(*args, **kwargs)
        if role is not None:
            del self.fields["code"]
        labels = permission_labels()
        self.groups: list[str] = []
        for index, (title, perms) in enumerate(permission_groups()):
            name = f"permissions_{index}"
            self.groups.append(name)
            self.fields[name] = forms.MultipleChoiceField(
                label=title,
                required=False,
                choices=[(p.value, labels[p]) for p in perms],
                widget=forms.CheckboxSelectMultiple,
            )

    @staticmethod
    def split(permissions: list[str]) -> dict[str, list[str]]:
        return {
            f"permissions_{index}": [p.value for p in perms if p.value in permissions]
            for index, (_title, perms) in enumerate(permission_groups())
        }

    def permissions(self) -> list[str]:
        chosen: list[str] = []
        for name in self.groups:
            chosen.extend(self.cleaned_data.get(name) or [])
        return chosen


class MemberFilterForm(PagedFilters):
    q = forms.CharField(label=_("Search by name, username or email"), required=False, max_length=150)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *MembershipStatus.choices]
    )
    role = forms.ChoiceField(label=_("Role"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[
            ("name", _("Name")),
            ("username", _("Username")),
            ("role", _("Role")),
            ("status", _("Status")),
        ],
    )

    def __init__(self, *args: Any, roles: Any = None, **kwargs: Any) -> None:
        """`roles`: those the filter offers (`queries.member_filter_roles`), else every one."""
        super().__init__(*args, **kwargs)
        role = self.fields["role"]
        assert isinstance(role, forms.ChoiceField)
        # In the reader's language, and in its order.
        offered = Role.objects.all() if roles is None else roles
        choices = sorted(((r.code, r.label) for r in offered), key=lambda pair: pair[1].casefold())
        role.choices = [("", _("All roles")), *choices]


class MembershipForm(forms.Form):
    """A member's role and countries (the invitation form adds who they are)."""

    role = forms.ChoiceField(label=_("Role"))
    all_countries = forms.BooleanField(
        label=_("All countries"),
        required=False,
        help_text=_("For headquarters staff: every case of the organisation, whatever its countries."),
    )
    countries = _countries_field(_("Countries"))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, roles: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role = self.fields["role"]
        assert isinstance(role, forms.ChoiceField)
        role.choices = [("", "—"), *sorted(((r.code, r.label) for r in roles), key=lambda p: p[1].casefold())]
        countries = self.fields["countries"]
        assert isinstance(countries, forms.MultipleChoiceField)
        # The member's countries first, so a list of 250 does not hide them below the fold.
        chosen = set(self.initial.get("countries") or [])
        listed = country_choices()
        countries.choices = [c for c in listed if c[0] in chosen] + [c for c in listed if c[0] not in chosen]
        countries.help_text = _(
            "The cases a member sees are those whose host country or country of origin is one of "
            "these. Hold Ctrl (⌘ on a Mac) to choose several."
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("all_countries") and not data.get("countries") and "countries" not in self.errors:
            self.add_error("countries", _("Choose at least one country, or all countries."))
        return data


class NewUsernameForm(forms.Form):
    """A username for a new user: one already taken is named with the form's other problems
    (the action refused it only once everything else was right)."""

    def clean_username(self) -> str:
        from remis.accounts.queries import username_taken

        username = str(self.cleaned_data["username"]).strip()
        if username and username_taken(username):
            raise forms.ValidationError(_("The username “%(username)s” is taken.") % {"username": username})
        return username


class InviteForm(NewUsernameForm, RuleCheckedForm, MembershipForm):
    # The action's rules on what the form read: a bad username was named only once the
    # email and countries were right.
    value_rules = (rules.USER,)

    username = forms.CharField(
        label=_("Username"),
        max_length=max_length(rules.USER, "username"),
        help_text=_("What they will sign in with: letters a–z, digits and . @ + - _"),
    )
    first_name = forms.CharField(label=_("First name"), max_length=max_length(rules.USER, "first_name"))
    last_name = forms.CharField(label=_("Last name"), max_length=max_length(rules.USER, "last_name"))
    email = forms.EmailField(
        label=_("Email"),
        required=False,
        max_length=max_length(rules.USER, "email"),
        help_text=_("Optional. REMIS sends no email: you pass the invitation link on yourself."),
    )

    field_order = ["username", "first_name", "last_name", "email", "role", "all_countries", "countries"]


class FirstAdministratorForm(NewUsernameForm, RuleCheckedForm):
    """Who an organisation's first administrator is (the platform operator invites them:
    the role and countries are set by the action)."""

    value_rules = (rules.USER,)

    username = InviteForm.base_fields["username"]
    first_name = InviteForm.base_fields["first_name"]
    last_name = InviteForm.base_fields["last_name"]
    email = InviteForm.base_fields["email"]


class AddExistingForm(MembershipForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=max_length(rules.USER, "username"),
        help_text=_("Of someone who already signs in to REMIS for another organisation."),
    )

    field_order = ["username", "role", "all_countries", "countries"]


class NewPasswordForm(forms.Form):
    """A password chosen twice (an invitation, a password link)."""

    password = forms.CharField(
        label=_("Choose a password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
    )
    repeat = forms.CharField(
        label=_("The same password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("repeat") and data["password"] != data["repeat"]:
            self.add_error("repeat", _("The two passwords differ."))
        return data
