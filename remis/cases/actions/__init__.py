"""Every write on case records. Views, API endpoints and commands call these; nothing else writes."""

from remis.cases.actions.erasure import approve_erasure, refuse_erasure, request_erasure
from remis.cases.actions.journey import (
    add_need,
    record_consent,
    record_counselling,
    save_reception,
    save_travel,
)
from remis.cases.actions.lifecycle import close_case, closed_meanwhile, reopen_case, transition_case
from remis.cases.actions.records import add_note, delete_document, upload_document
from remis.cases.actions.registration import (
    add_household_member,
    add_identity_document,
    change_relation,
    confirm_post_arrival_case,
    open_post_arrival_case,
    register_case,
    remove_identity_document,
    update_case_details,
    update_member,
    update_person,
)
from remis.cases.actions.sharing import respond_to_submission, submit_case, submitted_meanwhile
from remis.cases.actions.validation import IdentityDocumentData, PersonData

__all__ = [
    "IdentityDocumentData",
    "PersonData",
    "add_household_member",
    "add_identity_document",
    "add_need",
    "add_note",
    "approve_erasure",
    "change_relation",
    "close_case",
    "closed_meanwhile",
    "confirm_post_arrival_case",
    "delete_document",
    "open_post_arrival_case",
    "record_consent",
    "record_counselling",
    "refuse_erasure",
    "register_case",
    "remove_identity_document",
    "reopen_case",
    "request_erasure",
    "respond_to_submission",
    "save_reception",
    "save_travel",
    "submit_case",
    "submitted_meanwhile",
    "transition_case",
    "update_case_details",
    "update_member",
    "update_person",
    "upload_document",
]
