"""PDFs rendered by WeasyPrint from HTML and CSS (the country information sheet, reports).

WeasyPrint needs Pango from Debian (libpango-1.0-0, libpangoft2-1.0-0) and fonts that cover
Arabic (fonts-dejavu-core); bin/test and bin/demo install them. It is imported on first use,
so a server without them serves every page but the PDFs."""

from __future__ import annotations

from pathlib import Path


class PdfUnavailable(Exception):
    """WeasyPrint or its system libraries are missing."""


def pdf_renderer_missing() -> str | None:
    """Why PDFs cannot be rendered here, or None when they can."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as error:  # OSError: a shared library is missing
        return str(error)
    return None


def render_pdf(html: str, base_url: str, stylesheet: Path) -> bytes:
    if pdf_renderer_missing() is not None:
        raise PdfUnavailable
    import weasyprint

    document = weasyprint.HTML(string=html, base_url=base_url)
    return bytes(document.write_pdf(stylesheets=[weasyprint.CSS(filename=str(stylesheet))]))
