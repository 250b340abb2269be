from __future__ import annotations

from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "remis.interop"
    label = "interop"
    verbose_name = "Interoperability"

    def ready(self) -> None:
        from remis.interop import jobs

        jobs.register()
        from remis.audit.erasure import register_eraser

        register_eraser("interop.import_files", _erase_import_files)


def _erase_import_files(request: object) -> int:
    """Files uploaded for import by the users of the organisations holding the erased
    person's cases go (`actions.withdraw_import_files`)."""
    from remis.audit.erasure import ErasureRequest
    from remis.cases.erasure import holders_users
    from remis.interop.actions import withdraw_import_files

    assert isinstance(request, ErasureRequest)
    return withdraw_import_files(
        holders_users(request), case_uuid=request.case_uuids[0] if request.case_uuids else None
    )
