"""Print the report's HTML to PDF with WeasyPrint (same page, print stylesheet)."""

from __future__ import annotations

import logging
from pathlib import Path


def write_pdf(html: str, path: Path, *, base_url: Path) -> Path:
    """Render ``html`` (self-contained, inline SVG) to ``path``; returns ``path``.

    WeasyPrint draws inline SVG itself, so the PDF carries the same charts as the page.
    Nothing is fetched: the page has no external resources.
    """
    from weasyprint import HTML  # imported here: it is slow to import and only the PDF needs it

    for name in ("weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.ERROR)
    HTML(string=html, base_url=str(base_url)).write_pdf(str(path))
    return path
