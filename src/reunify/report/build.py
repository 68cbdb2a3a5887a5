"""Build the report: read the deliverable, compute the model, write HTML, PDF and XLSX.

The one place the report touches the file system on the way out; everything it writes is listed in
the returned :class:`ReportResult`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from reunify import __version__
from reunify.errors import UserError
from reunify.estimate.mse import MSEResult
from reunify.report.config import ReportConfig, load_report_config
from reunify.report.deliverable import read_deliverable
from reunify.report.model import ClaimCheck, Headline, ReportModel, build_model
from reunify.report.render import build_view, render_html
from reunify.report.sharing import pseudonymize_deliverable
from reunify.report.xlsx import write_tables_xlsx

FORMATS = frozenset({"html", "pdf", "xlsx"})
HTML_NAME = "report.html"
PDF_NAME = "report.pdf"
XLSX_NAME = "tables.xlsx"
PSEUDONYMIZED_SUBDIR = "pseudonymized"


@dataclass(frozen=True, slots=True)
class ReportResult:
    """What ``build_report`` wrote and the numbers a caller prints."""

    files: tuple[Path, ...]
    headline: Headline
    figure1: dict[str, int]
    following_count: int
    table1_children: dict[str, int]
    claims: tuple[ClaimCheck, ...]
    estimate: MSEResult
    model: ReportModel


def parse_formats(text: str | Iterable[str]) -> set[str]:
    """``"html,pdf"`` or an iterable of names -> a set of known formats; UserError on an unknown one."""
    items = text.split(",") if isinstance(text, str) else list(text)
    wanted = {item.strip().lower() for item in items if item.strip()}
    unknown = wanted - FORMATS
    if unknown or not wanted:
        raise UserError(
            f"unknown report format(s) {', '.join(sorted(unknown)) or '(none)'}: use html, pdf, xlsx"
        )
    return wanted


def _manifest_as_of(manifest: dict[str, object]) -> date | None:
    value = manifest.get("as_of")
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def build_report(
    deliverable_dir: Path,
    out_dir: Path,
    *,
    as_of: date | None = None,
    formats: set[str] | frozenset[str] = FORMATS,
    config: Path | None = None,
    public: bool = False,
    pseudonymize_key: str | None = None,
    on_step: Callable[[str], None] | None = None,
) -> ReportResult:
    """Write the report of ``deliverable_dir``'s audit into ``out_dir``.

    ``as_of`` dates the whole report (Table 1 included); without it the reunification section uses
    the audit's as-of date (else today) and Table 1 the configuration's date. ``public`` suppresses
    counts under the configured threshold. ``pseudonymize_key`` also writes the deliverable with
    keyed hashes for identities: into ``out_dir``, or ``out_dir/pseudonymized`` when that is the
    deliverable's own directory. ``on_step`` hears each step's name (for progress display).
    """
    step = on_step or (lambda _name: None)
    formats = parse_formats(formats)
    cfg: ReportConfig = load_report_config(config)
    step("reading the deliverable")
    deliverable = read_deliverable(Path(deliverable_dir))
    report_as_of = as_of or _manifest_as_of(deliverable.manifest) or date.today()
    table1_as_of = as_of or cfg.table1.as_of
    step("computing figures, tables and the estimate")
    model = build_model(
        deliverable, cfg, as_of=report_as_of, table1_as_of=table1_as_of, software_version=__version__
    )
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    if formats & {"html", "pdf"}:
        step("drawing charts")
        view = build_view(model, cfg, public=public)
        html = render_html(view)
        if "html" in formats:
            (out / HTML_NAME).write_text(html, encoding="utf-8")
            written.append(out / HTML_NAME)
        if "pdf" in formats:
            step("printing the PDF")
            from reunify.report.pdf import write_pdf

            written.append(write_pdf(html, out / PDF_NAME, base_url=out))
    if "xlsx" in formats:
        step("writing the workbook")
        from reunify.report.render import shown_tables

        tables = shown_tables(model, public=public, min_cell=cfg.public.min_cell)
        written.append(write_tables_xlsx(tables.values(), out / XLSX_NAME))
    if pseudonymize_key is not None:
        step("pseudonymising the deliverable")
        same = out.resolve() == Path(deliverable_dir).resolve()
        target = out / PSEUDONYMIZED_SUBDIR if same else out
        written.extend(pseudonymize_deliverable(Path(deliverable_dir), target, pseudonymize_key))
    return ReportResult(
        files=tuple(written),
        headline=model.headline,
        figure1=model.figure1,
        following_count=model.following_count,
        table1_children=model.table1_children,
        claims=model.claims,
        estimate=model.estimate.result,
        model=model,
    )
