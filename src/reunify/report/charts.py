"""Charts as inline SVG: Altair specifications rendered offline by vl-convert.

Every chart is drawn from a (possibly suppressed) :class:`~reunify.report.tables.Table`, so a
chart never shows a number its table hides. Suppressed values are left out of the chart.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import vl_convert as vlc

from reunify.estimate.mse import MSEResult
from reunify.report.tables import Table

VERDICT_COLOURS = {
    "consistent": "#2b6cb0",
    "undetermined": "#b7791f",
    "inconsistent": "#c53030",
    "not_in_force": "#a0aec0",
    "not recorded": "#e2e8f0",
}
_FONT = "Helvetica, Arial, sans-serif"


def _data(rows: list[dict[str, Any]]) -> Any:
    """Inline chart data (Altair's Data constructor is untyped)."""
    return alt.Data(values=rows)  # type: ignore[no-untyped-call]


def _num(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _svg(chart: alt.TopLevelMixin) -> str:
    spec: dict[str, Any] = chart.configure(font=_FONT).configure_view(stroke=None).to_dict()
    svg: str = vlc.vegalite_to_svg(spec)
    return svg


def figure1_chart(table: Table, framework: str) -> str:
    """Horizontal bars, one per reason, split by the verdict of ``framework``, with totals."""
    verdicts = [c.key for c in table.columns if c.key in VERDICT_COLOURS]
    parts: list[dict[str, Any]] = []
    totals: list[dict[str, Any]] = []
    order: list[str] = []
    for row in table.rows[:-1]:
        reason = str(row["reason"])
        order.append(reason)
        total = row["families"]
        totals.append({"reason": reason, "families": _num(total) or 0, "label": str(total)})
        for v in verdicts:
            n = _num(row.get(v))
            if n:
                parts.append({"reason": reason, "verdict": v.replace("_", " "), "families": n})
    colours = alt.Scale(
        domain=[v.replace("_", " ") for v in verdicts], range=[VERDICT_COLOURS[v] for v in verdicts]
    )
    bars = (
        alt.Chart(_data(parts))
        .mark_bar()
        .encode(
            y=alt.Y("reason:N", sort=order, title=None),
            x=alt.X("sum(families):Q", title="Families"),
            color=alt.Color("verdict:N", scale=colours, title=f"Verdict ({framework})"),
        )
    )
    labels = (
        alt.Chart(_data(totals))
        .mark_text(align="left", dx=4, fontSize=13, fontWeight="bold")
        .encode(y=alt.Y("reason:N", sort=order), x="families:Q", text="label:N")
    )
    return _svg(alt.layer(bars, labels).properties(width=460, height=36 * max(len(order), 1)))


def figure2_chart(table: Table) -> str:
    """Vertical bars: families separated per month, with the count on each bar."""
    rows = [
        {"month": r["month"], "families": _num(r["families"]) or 0, "label": str(r["families"])}
        for r in table.rows
    ]
    base = alt.Chart(_data(rows)).encode(x=alt.X("month:O", title=None, axis=alt.Axis(labelAngle=0)))
    bars = base.mark_bar(color="#2c5282").encode(y=alt.Y("families:Q", title="Families"))
    text = base.mark_text(dy=-7, fontSize=12).encode(y="families:Q", text="label:N")
    return _svg(alt.layer(bars, text).properties(width=520, height=220))


def ports_chart(table: Table, count_key: str = "families_window") -> str:
    """Horizontal bars: families per port in the headline window, coloured by field office."""
    counted = [
        (str(r["port_name"]), str(r["field_office"]), n) for r in table.rows if (n := _num(r.get(count_key)))
    ]
    rows = [{"port": port, "field_office": office, "families": n} for port, office, n in counted]
    order = [port for port, _, _ in sorted(counted, key=lambda c: -c[2])]
    chart = (
        alt.Chart(_data(rows))
        .mark_bar()
        .encode(
            y=alt.Y("port:N", sort=order, title=None),
            x=alt.X("families:Q", title="Families"),
            color=alt.Color("field_office:N", title="Field office"),
        )
        .properties(width=420, height=22 * max(len(rows), 1))
    )
    return _svg(chart)


def claims_chart(table: Table) -> str:
    """Paired bars per claim: what was claimed and what the audit found."""
    rows: list[dict[str, Any]] = []
    for r in table.rows:
        for key, what in (("claimed", "claimed"), ("found", "found by the audit")):
            n = _num(r.get(key))
            if n is not None:
                rows.append(
                    {"claim": str(r["said_on"]), "what": what, "families": n, "label": str(r.get(key))}
                )
    base = alt.Chart(_data(rows)).encode(
        y=alt.Y("what:N", title=None, sort=["claimed", "found by the audit"]),
        x=alt.X("families:Q", title="Families"),
    )
    bars = base.mark_bar().encode(
        color=alt.Color("what:N", scale=alt.Scale(range=["#a0aec0", "#c53030"]), legend=None)
    )
    text = base.mark_text(align="left", dx=4, fontSize=13, fontWeight="bold").encode(text="label:N")
    return _svg(
        alt.layer(bars, text).properties(width=420, height=70).facet(row=alt.Row("claim:N", title="Said on"))
    )


def consistency_chart(table: Table, signals: list[tuple[str, str]]) -> str:
    """Heat map: share of found separations each source recorded, by month (or port)."""
    rows: list[dict[str, Any]] = []
    for r in table.rows:
        if r["group"] == "All":
            continue
        for key, label in signals:
            v = _num(r.get(key))
            if v is not None:
                rows.append({"group": str(r["group"]), "signal": label, "percent": v})
    base = alt.Chart(_data(rows)).encode(
        x=alt.X("group:O", title=None, axis=alt.Axis(labelAngle=-30)),
        y=alt.Y("signal:N", title=None, sort=[label for _, label in signals], axis=alt.Axis(labelLimit=320)),
    )
    rect = base.mark_rect().encode(
        color=alt.Color("percent:Q", scale=alt.Scale(domain=[0, 100], scheme="blues"), title="% recorded")
    )
    text = base.mark_text(fontSize=10).encode(text=alt.Text("percent:Q", format=".0f"))
    return _svg(
        alt.layer(rect, text).properties(
            width=max(60 * len({r["group"] for r in rows}), 200), height=32 * len(signals)
        )
    )


def estimate_chart(result: MSEResult, found: int, public_min: int | None) -> str | None:
    """Found versus estimated total with its interval; None when there is nothing to draw."""
    if not result.estimable or result.total is None:
        return None
    if public_min is not None and (found < public_min or result.observed < public_min):
        return None
    order = ["recorded by the lists used", "found by the audit", "estimated total"]
    rows = [
        {"what": what, "families": n}
        for what, n in zip(order, (result.observed, found, round(result.total, 1)), strict=True)
    ]
    bars = (
        alt.Chart(_data(rows))
        .mark_bar(color="#2c5282")
        .encode(y=alt.Y("what:N", sort=order, title=None), x=alt.X("families:Q", title="Families"))
    )
    interval = (
        alt.Chart(_data([{"what": "estimated total", "lo": result.ci_low, "hi": result.ci_high}]))
        .mark_rule(color="#c53030", strokeWidth=3)
        .encode(y=alt.Y("what:N", sort=order), x="lo:Q", x2="hi:Q")
    )
    return _svg(alt.layer(bars, interval).properties(width=420, height=100))


def port_month_chart(table: Table, signal: str) -> str:
    """Heat map: one signal's share of found separations, port by month."""
    rows = [
        {"port": str(r["port"]), "month": str(r["month"]), "percent": v, "families": str(r["families"])}
        for r in table.rows
        if (v := _num(r.get(signal))) is not None
    ]
    base = alt.Chart(_data(rows)).encode(
        x=alt.X("month:O", title=None, axis=alt.Axis(labelAngle=-30)),
        y=alt.Y("port:N", title=None, axis=alt.Axis(labelLimit=320)),
    )
    rect = base.mark_rect().encode(
        color=alt.Color("percent:Q", scale=alt.Scale(domain=[0, 100], scheme="oranges"), title="% recorded")
    )
    text = base.mark_text(fontSize=10).encode(text=alt.Text("percent:Q", format=".0f"))
    ports = len({r["port"] for r in rows})
    months = len({r["month"] for r in rows})
    return _svg(alt.layer(rect, text).properties(width=max(60 * months, 200), height=max(22 * ports, 60)))
