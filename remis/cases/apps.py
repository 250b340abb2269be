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
        # An identity document added or removed later is logged on its person (sealed with
        # their key, which their erasure destroys: a household member's erasure left the
        # number readable under the case's key).
        "document_kind",
        "document_number",
        "document_country",
        "document_expires_on",
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
    "cases.case": {"search_text", "sound_text"},
    "cases.casemember": set(),
    "cases.erasure": {"note"},
    "cases.caseaccess": set(),
    "cases.referencecounter": set(),
}


# Fields in a sensitive field group (remis/cases/policy.py), beyond the categories and
# vulnerabilities, which name their group as data. Fitness to travel and a medical escort
# tell of a health condition; counselling notes hold what the returnee confided.
SENSITIVE_FIELDS = {
    "cases.returntravel.medical_fitness": "health",
    "cases.returntravel.escort": "health",
    "cases.reception.urgent_medical_care": "health",
    "cases.counsellingsession.notes": "psychosocial",
    "cases.identitydocument.kind": "identity",
    "cases.identitydocument.number": "identity",
    "cases.identitydocument.issuing_country": "identity",
    "cases.identitydocument.expires_on": "identity",
}


class CasesConfig(AppConfig):
    name = "remis.cases"
    label = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        from remis.accounts.permissions import SensitiveGroup
        from remis.audit.erasure import register_eraser
        from remis.audit.registry import CaseScope, register_case_scope, register_personal_fields
        from remis.audit.sealing import register_subject_type
        from remis.cases import audit_fields, erasure, policy, queries
        from remis.programmes.partner_usage import register_partner_cases

        for field, group in SENSITIVE_FIELDS.items():
            policy.register_sensitive_field(field, SensitiveGroup(group))

        audit_fields.register()
        from remis.cases import imports, imports_journey

        imports.register()  # cases are imported from files through the interop app
        imports_journey.register()
        from remis.cases import jobs

        jobs.register()  # the retention job (cases/actions/retention.py)
        from remis.cases import imports_members

        imports_members.register()
        from remis.cases import exports

        exports.register()  # the case list as a CSV or XLSX file, through the interop app
        # A programme partner that cases of the programme are shared with is not removed.
        register_partner_cases(queries.cases_shared_with_partner)
        # A programme's dates and countries hold the cases that joined it.
        from remis.cases.actions.registration import programme_change_refused
        from remis.programmes.actions.programmes import register_programme_guard

        register_programme_guard(programme_change_refused)
        from remis.cases.extensions import WorkSource, register_work_list

        register_work_list(WorkSource("submissions", queries.submission_work, order=50))
        register_work_list(WorkSource("submissions_declined", queries.declined_work, order=52))
        register_work_list(WorkSource("unassigned", queries.unassigned_work, order=51))
        register_work_list(WorkSource("post_arrival", queries.post_arrival_work, order=53))
        register_work_list(WorkSource("erasures", queries.erasure_work, order=55))
        # A person's values in the log are sealed with the person's own key, so erasing
        # one household member leaves the others readable.
        register_subject_type("cases.person")
        register_eraser("cases.records", erasure.erase_case_records)
        register_eraser("cases.exports", erasure.erase_exports)
        register_eraser("cases.import_files", erasure.erase_import_files)
        from remis.audit.subject_access import register_section_source
        from remis.cases import subject_access

        register_section_source("cases", subject_access.case_tables)
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
                held_uuids=queries.held_case_uuids,
                held_uuid_for_reference=queries.held_case_uuid_for_reference,
                references=lambda uuids: dict(
                    queries.Case.objects.filter(uuid__in=uuids).values_list("uuid", "reference")
                ),
            )
        )
