"""PDFs rendered by WeasyPrint from HTML and CSS (the country information sheet, reports).

WeasyPrint needs Pango from Debian (libpango-1.0-0, libpangoft2-1.0-0) and fonts that cover
Arabic (fonts-dejavu-core); bin/test and bin/demo install them. It is imported on first use,
so a server without them serves every page but the PDFs."""

from __future__ import annotations

import re
from pathlib import Path

# <bdi> and dir="…" are not honoured by WeasyPrint on inline elements (it has no rule for
# them): "+224 620 00 00 02" printed in an Arabic sheet as "02 00 00 620 +224", and an
# English sentence's full stop moved to its start. Unicode's own isolates, which Pango's
# bidi algorithm does honour, are put inside each <bdi>: first strong (FSI), or
# left-to-right (LRI) or right-to-left (RLI) as its `dir` says, closed by PDI.
_BDI_OPEN = re.compile(r"<bdi(?:\s+dir=\"(ltr|rtl|auto)\")?\s*>")
_ISOLATE = {"ltr": "\u2066", "rtl": "\u2067", "auto": "\u2068", None: "\u2068"}


def with_isolates(html: str) -> str:
    """The HTML with each <bdi>'s content between Unicode isolates (see above)."""
    html = _BDI_OPEN.sub(lambda m: m.group(0) + _ISOLATE[m.group(1)], html)
    return html.replace("</bdi>", "\u2069</bdi>")


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

    document = weasyprint.HTML(string=with_isolates(html), base_url=base_url)
    return bytes(document.write_pdf(stylesheets=[weasyprint.CSS(filename=str(stylesheet))]))
