from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "remis.accounts"
    label = "accounts"
    verbose_name = "Accounts and organisations"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from remis.accounts.middleware import note_sign_in
        from remis.audit.registry import register_personal_fields
        from remis.audit.sealing import register_subject_type

        # Fields whose values the audit log keeps only until erasure (remis/audit/registry.py).
        register_personal_fields("accounts.user", {"username", "first_name", "last_name", "email"})
        register_subject_type("accounts.user")  # a user's values are sealed with their own key
        register_personal_fields("accounts.apitoken", {"name"})  # free text
        for object_type in ("accounts.organisation", "accounts.membership", "accounts.role"):
            register_personal_fields(object_type, set())
        from remis.accounts import audit_fields

        audit_fields.register()
        # A session starts active: its first page writes nothing more (IdleTimeoutMiddleware).
        user_logged_in.connect(note_sign_in, dispatch_uid="remis.accounts.note_sign_in")
        from remis.accounts.views import keep_chosen_language

        user_logged_in.connect(keep_chosen_language, dispatch_uid="remis.accounts.keep_chosen_language")
