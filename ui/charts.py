"""Plotly figures in one theme: Russian number format, a colour-blind-safe status
palette (Okabe–Ito), large type for a projector, a title that states the filters.
"""

from __future__ import annotations

import base64
import html
import re
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import plotly.tools
import streamlit as st

from analytics.documents import images
from analytics.model.catalogue import INDICATORS_BY_ID, Indicator
from analytics.model.legend import STATUS_COLOURS, TARGET_CSS, label_of
from analytics.wording import formatting

# The length of a zero's bar, as a share of the axis.
ZERO_STUB = 0.006
# Plotly's separators: decimal comma, thin space between thousands.
SEPARATORS = ",\u2009"
FONT_SIZE = 16
# On a projector (the meeting's presentation mode): labels and values, the chart's title.
PRESENTATION_FONT_SIZE = 20
PRESENTATION_TITLE_SIZE = 24
PRESENTATION_MIN_HEIGHT = 260
# The theme's base: Plotly's «plotly_white» with only the trace types and layout parts the
# dashboard draws. Every new Figure and every ``template=`` deep-copies and validates its
# template; the full one (24 trace types, 3D, maps) cost most of a chart's server time and
# 4–5 KB of every chart sent to the browser.
TEMPLATE = "monitoring"
_TRACES = ("bar", "heatmap", "histogram", "scatter")
_UNDRAWN_LAYOUT = ("geo", "mapbox", "polar", "scene", "ternary")


def _register_template() -> None:
    """Register :data:`TEMPLATE` and make it the default, so that ``go.Figure()`` starts
    from it instead of copying Plotly's own default first."""
    white = pio.templates["plotly_white"]
    layout = {k: v for k, v in white.layout.to_plotly_json().items() if k not in _UNDRAWN_LAYOUT}
    data = {kind: getattr(white.data, kind) for kind in _TRACES}
    pio.templates[TEMPLATE] = go.layout.Template(layout=layout, data=data)
    pio.templates.default = TEMPLATE


_register_template()


def plot_text(text: object) -> str:
    """Plotly renders a subset of HTML in labels; user data must show as typed."""
    return html.escape(str(text), quote=False)


def themed(fig: go.Figure, title: str, subtitle: str, height: int | None = None) -> go.Figure:
    fig.update_layout(
        template=TEMPLATE,
        separators=SEPARATORS,
        font={"size": FONT_SIZE, "family": "Arial, Helvetica, sans-serif"},
        title={
            "text": plot_text(title),
            "subtitle": {"text": plot_text(subtitle), "font": {"size": FONT_SIZE - 2}},
            "x": 0,
            "xanchor": "left",
        },
        margin={"l": 10, "r": 20, "t": 90, "b": 40},
        hoverlabel={"font_size": FONT_SIZE},
        legend={"orientation": "h", "y": -0.15},
    )
    if height:
        fig.update_layout(height=height)
    return fig


def presented(fig: go.Figure) -> go.Figure:
    """``fig`` for a projector: every text at least :data:`PRESENTATION_FONT_SIZE` px and a
    small height, which ``st.plotly_chart(height="stretch")`` stretches to the screen."""
    fig.update_layout(
        font={"size": PRESENTATION_FONT_SIZE},
        title={
            "font": {"size": PRESENTATION_TITLE_SIZE},
            "subtitle": {"font": {"size": PRESENTATION_FONT_SIZE}},
        },
        hoverlabel={"font_size": PRESENTATION_FONT_SIZE},
        margin={"t": 70},
        height=PRESENTATION_MIN_HEIGHT,
    )
    fig.update_annotations(font_size=PRESENTATION_FONT_SIZE)
    return fig


def slug(text: str) -> str:
    return re.sub(r"[^\w]+", "_", text, flags=re.UNICODE).strip("_")[:80] or "chart"


# Session key: whether this page run has already said that chart images are unavailable;
# :func:`ui.page.page` clears it at the start of every run.
IMAGES_NOTICE_SHOWN = "images_notice_shown"


# A figure as Plotly's plain JSON structure, as ``st.plotly_chart`` sends it (see
# :func:`spec`): what a cached chart keeps, and what the browser receives.
Spec = dict[str, Any]


def spec(fig: go.Figure) -> Spec:
    """``fig`` as a :data:`Spec`: its dict validated and ordered exactly as
    ``st.plotly_chart`` makes it of a plain dict, so that :func:`show` can send it as
    it is."""
    return plotly.tools.return_figure_from_figure_or_data(fig.to_plotly_json(), True)


class _Built(go.Figure):
    """A :data:`Spec` handed to ``st.plotly_chart`` as a figure. Given a plain dict,
    Streamlit validates it by building a Figure of it (≈ 0.05 s of server time for a bar
    chart, on every run of every session); given a figure, it sends ``to_dict()``. A
    Spec was validated once when it was made (:func:`spec`), so it is sent as it is.
    Nothing else of the Figure is used: only ``to_dict`` works on this one."""

    def __init__(self, built: Spec) -> None:  # no Figure.__init__: that is the cost
        self._built = built

    def to_dict(self) -> Spec:
        return self._built


def show(fig: go.Figure | Spec, name: str, key: str | None = None, **kwargs: object) -> object:
    """Draw a figure (or a :data:`Spec`) with downloads (PNG for slides, SVG, interactive
    HTML); the toolbar's own PNG button also saves a slide-sized image named ``name``."""
    config = {
        "displaylogo": False,
        "toImageButtonOptions": {
            "format": "png",
            "filename": slug(name),
            "width": 1600,
            "height": 900,
            "scale": 2,
        },
    }
    drawn = _Built(fig) if isinstance(fig, dict) else fig
    event = plot(drawn, key=key, config=config, **kwargs)
    downloads(fig, name, key or slug(name))
    return event


def plot(fig: go.Figure, **kwargs: object) -> object:
    """``st.plotly_chart`` with the chart's text alternative under it: its figures as a
    table one click away (:func:`data_table`). Every chart of the dashboard is drawn
    here, so that none is left without it."""
    event = st.plotly_chart(fig, **kwargs)
    data_table(fig.to_dict())
    return event


DATA_TABLE_LABEL = "Таблица данных"
# The heading of a data table's first column where the chart's axis has no title.
NAME = "Название"


def data_table(built: Spec, floating: bool = False) -> None:
    """The figures of a chart as a table in a closed expander: what a screen reader reads
    instead of the picture, and what a person copies a number from. ``floating``: in a
    popover instead, which opens over the page, so that a screen sized to a projector
    (the meeting's presentation mode) keeps its layout with the table open."""
    table = figure_table(built)
    if table.empty:
        return
    if floating:
        holder = st.popover(DATA_TABLE_LABEL, icon=":material/table_view:", key="chart_table")
    else:
        holder = st.expander(DATA_TABLE_LABEL, icon=":material/table_view:")
    with holder:
        if floating:
            # A plain table wraps its text to the popover's width: no column is hidden
            # beyond a grid's edge on a projector.
            st.table(table, hide_index=True)
        else:
            st.dataframe(table, hide_index=True)


_TAGS = re.compile(r"<[^>]+>")


def plain(text: object) -> str:
    """A plotly label as text: line breaks as spaces, tags dropped, entities undone."""
    lines = str(text).replace("<br>", " · ").replace("<br />", " · ")
    return html.unescape(_TAGS.sub("", lines)).strip()


def _shown(value: object) -> str:
    """A figure as the chart's hover shows it: Russian format, one decimal at most."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return formatting.number(float(value), 0 if float(value).is_integer() else 1)
    return plain(value)


def figure_table(built: Spec) -> pd.DataFrame:
    """The figures a chart draws, read from the chart itself so that the table and the
    picture cannot disagree: for a heatmap, a row per row and a column per column with
    the cells' texts; for bars and lines, a row per category (a bar's label, a line's
    period) and a column per series, with the hover's words where the chart has them."""
    traces = [t for t in built.get("data", []) if _drawn(t)]
    heatmaps = [t for t in traces if t.get("type") == "heatmap"]
    if heatmaps:
        return _heatmap_table(heatmaps[0])
    rows: dict[str, dict[str, str]] = {}
    axis = "yaxis" if traces and traces[0].get("orientation") == "h" else "xaxis"
    title = built.get("layout", {}).get(axis, {}).get("title", {})
    heading = plain(title.get("text", "") if isinstance(title, dict) else title) or NAME
    several = len(traces) > 1
    for n, trace in enumerate(traces):
        horizontal = trace.get("orientation") == "h"
        categories = _points(trace.get("y" if horizontal else "x"))
        values = _points(trace.get("x" if horizontal else "y"))
        texts = _points(trace.get("text"))
        hovers = _points(trace.get("hovertext"))
        series = plain(trace.get("name") or "") or ("Значение" if not several else f"{n + 1}")
        for i, category in enumerate(categories):
            row = rows.setdefault(_shown(category), {})
            value = texts[i] if texts and i < len(texts) and texts[i] not in (None, "") else None
            row[series] = plain(value) if value is not None else _shown(values[i])
            if hovers and i < len(hovers) and not several:
                row["Подробнее"] = _details(hovers[i], category)
    if not rows:
        return pd.DataFrame()
    table = pd.DataFrame.from_dict(rows, orient="index").fillna("")
    # Plotly draws a horizontal bar chart's first category at the bottom: the table
    # reads from the top, as the chart does.
    if axis == "yaxis" and built.get("layout", {}).get("yaxis", {}).get("autorange") != "reversed":
        table = table.iloc[::-1]
    return table.rename_axis(heading).reset_index()


def _points(data: object) -> list:
    """A trace's array (a list, a tuple, a NumPy array or a Series) as a list; a single
    value (a text shared by all points) or none as no list."""
    if isinstance(data, dict) and "bdata" in data:
        # Plotly's packed typed array: {"dtype": "f8", "bdata": base64, "shape": "2, 3"}.
        array = np.frombuffer(base64.b64decode(data["bdata"]), dtype=data["dtype"])
        if "shape" in data:
            array = array.reshape([int(n) for n in str(data["shape"]).split(",")])
        return array.tolist()
    if data is None or isinstance(data, (str, dict)):
        return []
    return list(data)


def _details(hover: object, category: object) -> str:
    """A hover's words without its first line where that only repeats the category."""
    lines = str(hover).split("<br>")
    if len(lines) > 1 and plain(lines[0]) == plain(category):
        lines = lines[1:]
    return plain("<br>".join(lines))


def _drawn(trace: dict) -> bool:
    """A trace with figures (not a legend's empty marker nor a target line's)."""
    points = [*_points(trace.get("x")), *_points(trace.get("y")), *_points(trace.get("z"))]
    return any(p is not None for p in points)


def _heatmap_table(trace: dict) -> pd.DataFrame:
    columns = [plain(c) for c in _points(trace.get("x"))]
    cells = _points(trace.get("text")) or _points(trace.get("z"))
    table = pd.DataFrame([[_shown(v) for v in _points(row)] for row in cells], columns=columns)
    table.insert(0, NAME, [plain(label) for label in _points(trace.get("y"))])
    return table


def downloads(fig: go.Figure | Spec, name: str, key: str) -> None:
    """Download buttons for a figure; images are rendered only when clicked."""
    base = slug(name)
    png, svg, page = st.columns([1, 1, 1], width=420, gap="small")
    if images.images_available():
        png.download_button(
            "PNG",
            lambda: images.figure_image(_figure(fig), "png"),
            f"{base}.png",
            "image/png",
            key=f"{key}_png",
            on_click="ignore",
            icon=":material/download:",
            help="Изображение для слайда: 1600×900, двойная чёткость",
        )
        svg.download_button(
            "SVG",
            lambda: images.figure_image(_figure(fig), "svg"),
            f"{base}.svg",
            "image/svg+xml",
            key=f"{key}_svg",
            on_click="ignore",
            icon=":material/download:",
            help="Векторное изображение для печати",
        )
    elif not st.session_state.get(IMAGES_NOTICE_SHOWN, False):
        # Said once per page run, under the first chart, not under every chart.
        st.session_state[IMAGES_NOTICE_SHOWN] = True
        st.caption(images.UNAVAILABLE_MESSAGE)
    page.download_button(
        "HTML",
        lambda: images.figure_html(_figure(fig), name),
        f"{base}.html",
        "text/html",
        key=f"{key}_html",
        on_click="ignore",
        icon=":material/download:",
        help="Интерактивная диаграмма, открывается в любом браузере без интернета",
    )


def _figure(fig: go.Figure | Spec) -> go.Figure:
    return fig if isinstance(fig, go.Figure) else go.Figure(fig)


def hover_lines(indicator: Indicator, rows: pd.DataFrame) -> list[str]:
    return [
        "<br>".join(
            [
                f"<b>{plot_text(label)}</b>",
                f"{formatting.indicator_value(indicator, v)} — "
                f"{formatting.fraction(indicator, n, d)}",
                f"цель {formatting.indicator_value(indicator, t)}: {label_of(s)}",
            ]
        )
        for label, v, n, d, t, s in zip(
            rows["label"],
            rows["value"],
            rows["numerator"],
            rows["denominator"],
            rows["target"],
            rows["status"],
            strict=True,
        )
    ]


def target_line(fig: go.Figure, indicator: Indicator, target: float, vertical: bool) -> None:
    """A dashed target line labelled above the plot, clear of the bars."""
    label = f"цель {formatting.target_value(indicator, target)}"
    line = {"dash": "dash", "color": TARGET_CSS, "width": 3}
    if vertical:
        fig.add_vline(x=target, line=line)
        fig.add_annotation(
            x=target,
            y=1,
            yref="paper",
            yanchor="bottom",
            # Text ends at the line, so a target at the right edge is never cut off.
            xanchor="right",
            text=label,
            showarrow=False,
            font={"color": TARGET_CSS},
        )
    else:
        fig.add_hline(y=target, line=line)
        fig.add_annotation(
            y=target,
            x=1,
            xref="paper",
            xanchor="left",
            text=label,
            showarrow=False,
            font={"color": TARGET_CSS},
        )


def indicator_bars(rows: pd.DataFrame, indicator_id: str, title: str, subtitle: str) -> go.Figure:
    """Horizontal bars of one indicator by ``rows["label"]``, coloured by status, with
    the target as a line; best at the top."""
    indicator = INDICATORS_BY_ID[indicator_id]
    rows = rows.dropna(subset=["value"]).sort_values(
        "value", ascending=indicator.better == "higher"
    )
    targets = rows["target"].dropna().unique()
    top = max([*rows["value"].tolist(), *targets.tolist(), 0.0]) * 1.1
    # A zero gets a stub of a bar and its label beside it: no bar at all reads as no data.
    stub = (top or 1.0) * ZERO_STUB
    fig = go.Figure(
        go.Bar(
            x=[max(float(v), stub) for v in rows["value"]],
            y=[plot_text(label) for label in rows["label"]],
            orientation="h",
            marker_color=[STATUS_COLOURS[s] for s in rows["status"]],
            text=[formatting.indicator_value(indicator, v) for v in rows["value"]],
            textposition="auto",
            cliponaxis=False,
            hovertext=hover_lines(indicator, rows),
            hoverinfo="text",
            customdata=rows.get("key"),
        )
    )
    if len(targets):
        target_line(fig, indicator, float(targets[0]), vertical=True)
    fig.update_xaxes(
        title=indicator.unit if not indicator.is_percent else "%",
        range=[0, min(top, 100) if indicator.is_percent else top],
    )
    fig.update_yaxes(automargin=True)
    height = max(320, 90 + 34 * len(rows))
    return themed(fig, title, subtitle, height=min(height, 2400))


def bars_spec(
    rows: pd.DataFrame,
    indicator_id: str,
    title: str,
    subtitle: str,
    right_margin: int | None = None,
) -> Spec:
    """:func:`indicator_bars` as a :data:`Spec`, ``right_margin`` widening the right
    margin (px). Building a Plotly figure costs the server about 0.1 s, sending a built
    one a tenth of that: pages cache it for every session that draws the same rows, keyed
    on what the rows are read from (cheaper to hash than the rows themselves)."""
    fig = indicator_bars(rows, indicator_id, title, subtitle)
    if right_margin is not None:
        fig.update_layout(margin={"r": right_margin})
    return spec(fig)
