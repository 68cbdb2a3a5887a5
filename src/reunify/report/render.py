"""Render the report model as one self-contained HTML page (inline CSS and SVG, no scripts, no network)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.resources import files

from jinja2 import Environment, StrictUndefined, select_autoescape
from markupsafe import Markup

from reunify.report import charts
from reunify.report.config import ReportConfig
from reunify.report.model import ReportModel
from reunify.report.tables import Cell, Table, suppress


@dataclass(frozen=True, slots=True)
class View:
    """What the template sees: the model, the tables as shown (suppressed when public) and charts."""

    model: ReportModel
    config: ReportConfig
    tables: dict[str, Table]
    charts: dict[str, str]
    public: bool
    min_cell: int
    generated_at: str


def shown_tables(model: ReportModel, *, public: bool, min_cell: int) -> dict[str, Table]:
    """The tables as published: suppressed under ``min_cell`` when ``public``."""
    if not public:
        return dict(model.tables)
    return {k: suppress(t, min_cell) for k, t in model.tables.items()}


def build_view(model: ReportModel, config: ReportConfig, *, public: bool) -> View:
    """Assemble tables and charts for the page."""
    min_cell = config.public.min_cell
    tables = shown_tables(model, public=public, min_cell=min_cell)
    signals = [(s.name, s.label) for s in config.consistency.signals]
    made: dict[str, str] = {
        "figure1": charts.figure1_chart(tables["figure1_reasons"], model.figure1_framework),
        "figure2": charts.figure2_chart(tables["figure2_months"]),
        "ports": charts.ports_chart(tables["by_port"]),
        "claims": charts.claims_chart(tables["claims"]),
        "consistency": charts.consistency_chart(tables["consistency_by_month"], signals),
    }
    first = config.consistency.signals[0] if config.consistency.signals else None
    if first is not None and tables["consistency_by_port_month"].rows:
        made["port_month"] = charts.port_month_chart(tables["consistency_by_port_month"], first.name)
    shown = model.estimate.result
    if not shown.estimable and model.estimate.without_complete is not None:
        shown = model.estimate.without_complete
    est = charts.estimate_chart(shown, model.estimate.found, min_cell if public else None)
    if est is not None:
        made["estimate"] = est
    return View(
        model=model,
        config=config,
        tables=tables,
        charts=made,
        public=public,
        min_cell=min_cell,
        generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )


def format_cell(value: Cell) -> str:
    """A cell as text: floats to one decimal, None as a dash."""
    if value is None or value == "":
        return "–"
    if isinstance(value, float):
        return f"{value:.1f}" if value != int(value) else f"{int(value)}"
    return str(value)


def verdict_matrix(table: Table) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """Pivot the long verdict table: one row per reason, one cell per framework, each cell
    listing "<families> <verdict>" parts (suppressed counts stay suppressed)."""
    frameworks: list[str] = []
    cells: dict[str, dict[str, list[str]]] = {}
    for row in table.rows:
        reason, framework = str(row["reason"]), str(row["framework"])
        if framework not in frameworks:
            frameworks.append(framework)
        verdict = str(row["verdict"]).replace("_", " ")
        cells.setdefault(reason, {}).setdefault(framework, []).append(
            f"{format_cell(row['families'])} {verdict}"
        )
    return frameworks, [
        (reason, [", ".join(by_fw.get(fw, [])) or "–" for fw in frameworks])
        for reason, by_fw in cells.items()
    ]


def _environment() -> Environment:
    env = Environment(
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["cell"] = format_cell
    return env


def render_html(view: View) -> str:
    """The whole page as a string."""
    root = files("reunify.report").joinpath("templates")
    env = _environment()
    template = env.from_string(root.joinpath("report.html").read_text("utf-8"))
    css = root.joinpath("report.css").read_text("utf-8")

    def count(n: int | float | None) -> str:
        """A count of people as published: suppressed below the threshold in public mode."""
        if n is None:
            return "–"
        if view.public and 0 < n < view.min_cell:
            return f"fewer than {view.min_cell}"
        return f"{n:.0f}" if isinstance(n, float) else str(n)

    return template.render(
        v=view,
        m=view.model,
        c=view.config,
        t=view.tables,
        css=Markup(css),  # noqa: S704 - our own packaged stylesheet
        svg={k: Markup(s) for k, s in view.charts.items()},  # noqa: S704 - SVG rendered by vl-convert
        count=count,
        verdict_matrix=verdict_matrix(view.tables["figure1_verdicts"]),
    )
