"""Chart files: PNG and SVG through kaleido with the system's chromium, and
self-contained interactive HTML, which needs no browser at all.

One kaleido server (one chromium) is started on first use and reused for every image of
the process. Where chromium is missing, :func:`images_available` says so and the callers
offer HTML only; a browser is never downloaded at run time.
"""

from __future__ import annotations

import atexit
import html
import os
import shutil
import threading

import plotly.graph_objects as go

from analytics.model.errors import MonitoringError

SLIDE_WIDTH = 1600
SLIDE_HEIGHT = 900
SLIDE_SCALE = 2
# The least white space around an exported image, in pixels before scaling: a chart laid
# out tight for the screen still gets a border on paper and on a slide.
EXPORT_MARGIN = 40
# Plotly's own margins where a figure sets none.
_PLOTLY_MARGINS = {"l": 80, "r": 80, "t": 100, "b": 80}

_lock = threading.Lock()
_server_started = False


class ImagesUnavailable(MonitoringError, RuntimeError):
    """No chromium on this machine; the message is in Russian."""


CHROMIUM_VARIABLE = "MONITORING_CHROMIUM"


def chromium_path() -> str | None:
    """The chromium that renders chart images: ``$MONITORING_CHROMIUM`` where set (empty:
    none, as on a machine without it), otherwise the first browser found on ``PATH``."""
    if CHROMIUM_VARIABLE in os.environ:
        return os.environ[CHROMIUM_VARIABLE] or None
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def images_available() -> bool:
    return chromium_path() is not None


UNAVAILABLE_MESSAGE = (
    "Картинки диаграмм (PNG, SVG) на этом сервере не готовятся: не установлена программа "
    "для их построения. Диаграмму можно скачать в формате HTML и открыть в браузере; чтобы "
    "появились картинки, администратору достаточно один раз выполнить scripts/setup.sh."
)


def _ensure_server() -> None:
    global _server_started
    import kaleido

    if not _server_started:
        kaleido.start_sync_server(silence_warnings=True)
        atexit.register(shutdown)
        _server_started = True


def shutdown() -> None:
    """Close the shared chromium, waiting for it, so that its profile folder is removed
    cleanly (a command line calls this before it exits)."""
    global _server_started
    if _server_started:
        import kaleido

        with _lock:
            kaleido.stop_sync_server(silence_warnings=True)
            _server_started = False


def with_margins(fig: go.Figure, least: int = EXPORT_MARGIN) -> go.Figure:
    """A copy of ``fig`` with every margin at least ``least`` pixels and a white paper,
    for export; the figure shown on screen keeps its own."""
    copy = go.Figure(fig)
    margin = copy.layout.margin
    copy.update_layout(
        margin={
            side: max(
                getattr(margin, side) if getattr(margin, side) is not None else default, least
            )
            for side, default in _PLOTLY_MARGINS.items()
        },
        paper_bgcolor="white",
    )
    return copy


def figure_image(
    fig: go.Figure,
    fmt: str = "png",
    width: int = SLIDE_WIDTH,
    height: int = SLIDE_HEIGHT,
    scale: float = SLIDE_SCALE,
) -> bytes:
    """The figure as PNG or SVG bytes (PNG 1600×900 at scale 2 by default: 3200×1800)."""
    if not images_available():
        raise ImagesUnavailable(UNAVAILABLE_MESSAGE)
    import kaleido

    with _lock:
        _ensure_server()
        return kaleido.calc_fig_sync(
            with_margins(fig),
            opts={"format": fmt, "width": width, "height": height, "scale": scale},
        )


def figure_html(fig: go.Figure, title: str) -> bytes:
    """A self-contained interactive HTML page (plotly.js embedded, works offline)."""
    page = fig.to_html(
        include_plotlyjs=True,
        full_html=True,
        config={"displaylogo": False},
        div_id="chart",
    )
    head = f'<head><meta charset="utf-8"><title>{html.escape(title)}</title>'
    page = page.replace("<head>", head, 1).replace("<html>", '<html lang="ru">', 1)
    return page.encode("utf-8")
