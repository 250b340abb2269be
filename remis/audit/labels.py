"""What each audited action is called on screen. The log keeps stable codes
("case.transition"); people read these labels, in their language. A code with no label
(a new action) is shown as it is."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "case.register": _("Registered the case"),
    "case.open_post_arrival": _("Opened the case after arrival"),
    "case.confirm_post_arrival": _("Confirmed the post-arrival case"),
    "case.update": _("Edited the case details"),
    "case.add_member": _("Added a household member"),
    "case.transition": _("Moved the case"),
    "case.consent": _("Recorded a consent"),
    "case.counselling": _("Recorded counselling"),
    "case.add_need": _("Recorded a need"),
    "case.travel": _("Recorded the return travel"),
    "case.reception": _("Recorded the reception"),
    "case.submit": _("Submitted the case to a partner"),
    "case.accept": _("Accepted the case"),
    "case.reject": _("Rejected the case"),
    "case.note": _("Wrote a note"),
    "case.document": _("Uploaded a document"),
    "case.document_delete": _("Removed a document"),
    "case.document_read": _("Opened a document"),
    "person.create": _("Recorded a person"),
    "person.update": _("Edited a person's details"),
    "person.erase": _("Erased a person's personal data"),
    "user.create": _("Created a user"),
    "user.set_language": _("Changed their language"),
    "user.change_password": _("Changed their password"),
    "membership.create": _("Gave a membership"),
    "organisation.create": _("Created an organisation"),
    "programme.create": _("Created a programme"),
    "programme.add_partner": _("Added a programme partner"),
    "api_token.issue": _("Issued an API token"),
    "api_token.revoke": _("Revoked an API token"),
    "config.sync_defaults": _("Applied the shipped configuration"),
    "demo.generate_cases": _("Generated synthetic cases"),
    "demo.create_staff": _("Created the demo staff"),
    "programme.settings_change": _("Changed the programme settings"),
    "programme.set_funders": _("Linked the programme's funders"),
    "programme.create_grouping": _("Created a country grouping"),
    "assessment.create": _("Recorded an assessment"),
    "assessment.update": _("Changed an assessment"),
    "assessment.revise": _("Started a revision of an assessment"),
    "assessment.confirm_flags": _("Decided on proposed vulnerability flags"),
    "config.load_instruments": _("Loaded the shipped assessment instruments"),
}


def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, code))
