"""Charts as inline SVG: Altair specs rendered by vl-convert (no browser, no network)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import altair as alt
import vl_convert as vlc

WIDTH = 360


def _svg(chart: alt.TopLevelMixin) -> str:
    return _render(chart.to_json())


@lru_cache(maxsize=64)
def _render(spec_json: str) -> str:
    return str(vlc.vegalite_to_svg(spec_json))


def bars(counts: Mapping[str, int], *, title: str, x_title: str, sort: Sequence[str] | None = None) -> str:
    """A bar chart of ``counts`` as SVG text (an empty chart says 'no data')."""
    rows: list[dict[str, Any]] = [{"k": k, "n": int(v)} for k, v in counts.items()]
    if not rows:
        return f'<p class="empty">{title}: no separations yet.</p>'
    chart = (
        alt.Chart(alt.Data(values=rows), title=title, width=WIDTH, height=180)  # type: ignore[no-untyped-call]
        .mark_bar(color="#3a5a8c")
        .encode(
            x=alt.X("k:N", title=x_title, sort=list(sort) if sort else "ascending"),
            y=alt.Y("n:Q", title="separations", axis=alt.Axis(tickMinStep=1)),
            tooltip=["k:N", "n:Q"],
        )
    )
    return _svg(chart)


def stacked_verdicts(counts: Mapping[tuple[str, str], int], *, title: str) -> str:
    rows = [{"framework": f, "verdict": v, "n": int(n)} for (f, v), n in counts.items()]
    if not rows:
        return f'<p class="empty">{title}: no separations yet.</p>'
    colors = alt.Scale(
        domain=["consistent", "undetermined", "inconsistent"], range=["#4c8c4a", "#c9a227", "#b23b3b"]
    )
    chart = (
        alt.Chart(alt.Data(values=rows), title=title, width=WIDTH, height=180)  # type: ignore[no-untyped-call]
        .mark_bar()
        .encode(
            y=alt.Y("framework:N", title=None),
            x=alt.X("n:Q", title="separations", axis=alt.Axis(tickMinStep=1)),
            color=alt.Color("verdict:N", scale=colors),
            tooltip=["framework:N", "verdict:N", "n:Q"],
        )
    )
    return _svg(chart)


def days_histogram(days: Sequence[int], *, title: str) -> str:
    if not days:
        return f'<p class="empty">{title}: no child is separated.</p>'
    buckets = ["0-13", "14-29", "30-59", "60-179", "180+"]
    edges = [(0, 13), (14, 29), (30, 59), (60, 179), (180, 10**6)]
    counts = {b: sum(1 for d in days if lo <= d <= hi) for b, (lo, hi) in zip(buckets, edges, strict=True)}
    return bars(counts, title=title, x_title="days separated", sort=buckets).replace(
        "separations</text>", "children</text>"
    )
