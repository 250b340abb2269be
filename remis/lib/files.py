"""What an uploaded file is, in words: pages and the history showed "application/pdf" and
"image/png", and sizes as a bare count of bytes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

# The kinds REMIS accepts (documents, receipts, signed agreements): checked by their bytes.
FILE_KINDS: dict[str, Any] = {
    "application/pdf": _("PDF"),
    "image/jpeg": _("JPEG image"),
    "image/png": _("PNG image"),
}


def file_kind(content_type: str) -> str:
    return str(FILE_KINDS.get(content_type, content_type))


def file_size(size: Any) -> str:
    return str(filesizeformat(size)) if isinstance(size, int) and not isinstance(size, bool) else str(size)


@contextmanager
def removed_if_not_kept(stored: Any) -> Iterator[None]:
    """Around the transaction that records a file saved to storage just before it (a
    document, a receipt, a signed agreement): if the record is refused (over budget,
    someone else saved first), the file goes too. Left behind, it held personal data that
    no record pointed to, which neither erasure nor retention could ever find."""
    try:
        yield
    except BaseException:
        if stored:
            stored.delete(save=False)
        raise
