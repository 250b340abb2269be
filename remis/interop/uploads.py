"""What every upload of a file to import must be, before it is read: not empty, not larger
than the importer's limit. The message names the field and both sizes."""

from __future__ import annotations

from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from remis.lib.errors import ValidationFailed


def check_upload_size(upload: Any, limit: int, field: str = "file") -> None:
    if not upload.size:
        raise ValidationFailed(_("The file is empty."), field)
    if upload.size > limit:
        raise ValidationFailed(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {
                "size": number_format(upload.size / 1_048_576, 1),
                "limit": number_format(limit / 1_048_576, 0),
            },
            field,
        )
