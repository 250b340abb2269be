"""The country information sheet as a PDF (remis/lib/pdf.py renders it)."""

from __future__ import annotations

from pathlib import Path

from remis.lib.pdf import PdfUnavailable, pdf_renderer_missing
from remis.lib.pdf import render_pdf as _render

STYLESHEET = Path(__file__).with_name("pdf") / "sheet.css"

__all__ = ["PdfUnavailable", "pdf_renderer_missing", "render_pdf"]


def render_pdf(html: str, base_url: str) -> bytes:
    return _render(html, base_url, STYLESHEET)
