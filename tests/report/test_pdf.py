"""report.pdf opens, has pages, and holds the figures."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from pypdf import PdfReader

from .deliverable_builder import Built


def test_pdf_opens_with_the_figures(oig_report: Built, artifacts: Path) -> None:
    pdf = oig_report.out / "report.pdf"
    shutil.copyfile(pdf, artifacts / "report.pdf")
    reader = PdfReader(pdf)
    assert len(reader.pages) >= 3
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    for title in (
        "Figure 1. Separated families by reason",
        "Figure 2. Separated families by month",
        "Table 1.",
    ):
        assert title in text
    figure1 = text[text.index("Figure 1. Separated families by reason") : text.index("Figure 2.")]
    for label, n in oig_report.expected.figure1.items():
        assert f"{label}: {n}" in figure1
    # The chart itself is in the PDF: its legend title exists only inside the SVG.
    assert "Verdict (dhs-statements-2018)" in figure1
