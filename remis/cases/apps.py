from __future__ import annotations

from django.apps import AppConfig

# Fields whose values the audit log keeps only until the person's data is erased
# (remis/audit/registry.py): everything about a person, and free text.
PERSONAL_FIELDS = {
    "cases.person": {
        "given_name",
        "family_name",
        "alternate_names",
        "sex",
        "date_of_birth",
        "birth_year_estimated",
        "nationality",
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
        from remis.audit.registry import CaseScope, register_case_scope, register_personal_fields
        from remis.cases import audit_fields, queries

        audit_fields.register()
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
