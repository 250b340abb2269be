"""A phone number in an Arabic PDF prints in its own order: WeasyPrint ignores <bdi> and
`dir` on inline elements ("+224 620 00 00 02" printed as "02 00 00 620 +224"), so the HTML
it renders carries Unicode's isolates, which its text layout honours (checked by reading
the words' positions back from the PDF with `pdftotext -bbox`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from remis.lib import pdf


def test_each_bdi_isolates_its_text_in_the_direction_it_names() -> None:
    html = '<dd><bdi dir="ltr">+224 620 00 00 02</bdi> · <bdi>Any records.</bdi><bdi dir="rtl">ب</bdi></dd>'
    assert pdf.with_isolates(html) == (
        '<dd><bdi dir="ltr">\u2066+224 620 00 00 02\u2069</bdi> · '
        "<bdi>\u2068Any records.\u2069</bdi>"
        '<bdi dir="rtl">\u2067ب\u2069</bdi></dd>'
    )
    assert pdf.with_isolates("<p>no isolate</p>") == "<p>no isolate</p>"


@pytest.mark.skipif(pdf.pdf_renderer_missing() is not None, reason="WeasyPrint cannot run here")
def test_the_renderer_is_given_the_isolated_text(monkeypatch: Any, tmp_path: Path) -> None:
    import weasyprint

    given: list[str] = []
    real = weasyprint.HTML

    def spy(*, string: str, **kw: Any) -> Any:
        given.append(string)
        return real(string=string, **kw)

    monkeypatch.setattr(weasyprint, "HTML", spy)
    stylesheet = tmp_path / "s.css"
    stylesheet.write_text("")
    assert pdf.render_pdf('<p dir="rtl">هاتف: <bdi dir="ltr">+224 620</bdi></p>', "/", stylesheet).startswith(
        b"%PDF"
    )
    assert given == ['<p dir="rtl">هاتف: <bdi dir="ltr">\u2066+224 620\u2069</bdi></p>']
