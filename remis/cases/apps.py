from __future__ import annotations

from django.apps import AppConfig

# Fields whose values the audit log keeps only until the person's data is erased
# (remis/audit/registry.py): what identifies a person, and free text. Sex and nationality
# stay readable: statistics need them, an erased record keeps them, and alone they name
# no one.
PERSONAL_FIELDS = {
    "cases.person": {
        "given_name",
        "family_name",
        "alternate_names",
        "date_of_birth",
        "birth_year_estimated",
        "phone",
        "email",
        "address",
    },
    "cases.identitydocument": {"kind", "number", "issuing_country", "expires_on"},
    "cases.note": {"body"},
    "cases.consent": {"note"},
    "cases.counsellingsession": {"topics", "notes"},
    "cases.predepartureneed": {"description"},
    "cases.returntravel": {"notes"},
    "cases.reception": {"notes"},
    "cases.casedocument": {"title", "original_name"},
    "cases.submission": {"message", "rejection_reason"},
    "cases.transition": {"reason"},
    "cases.case": {"search_text"},
    "cases.casemember": set(),
    "cases.referencecounter": set(),
}


class CasesConfig(AppConfig):
    name = "remis.cases"
    label = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        from remis.audit.erasure import register_eraser
        from remis.audit.registry import CaseScope, register_case_scope, register_personal_fields
        from remis.audit.sealing import register_subject_type
        from remis.cases import audit_fields, erasure, queries
        from remis.programmes.partner_usage import register_partner_cases

        audit_fields.register()
        # A programme partner that cases of the programme are shared with is not removed.
        register_partner_cases(queries.cases_shared_with_partner)
        # A person's values in the log are sealed with the person's own key, so erasing
        # one household member leaves the others readable.
        register_subject_type("cases.person")
        register_eraser("cases.records", erasure.erase_case_records)
        for object_type, fields in PERSONAL_FIELDS.items():
            register_personal_fields(object_type, fields)
        # The audit search shows a case's entries only to those who can see the case.
        register_case_scope(
            CaseScope(
                visible_uuids=lambda actor: queries.visible_cases(actor).values("uuid"),
                uuid_for_reference=lambda actor, reference: (
                    queries.visible_cases(actor)
                    .filter(reference__iexact=reference)
                    .values_list("uuid", flat=True)
                    .first()
                ),
            )
        )
