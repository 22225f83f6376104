"""The table «Targets of issue 27» of ``docs/performance.md``, in Markdown, from the
results of :mod:`benchmarks.run` (stages ``ratios`` and ``clicks``): each figure with its
formula, target, measured value, date and commit. ``benchmarks.run --report`` prints it;
every later run pastes it over the old one."""

from __future__ import annotations

from benchmarks import clicks, ratios

HEADER = (
    "| figure | formula | target | measured: median (worst) | met | date (UTC) | commit |",
    "|---|---|---|---|---|---|---|",
)


def _s(seconds: float) -> str:
    return f"{seconds:.2f} s"


def _x(ratio: float | None) -> str:
    return "—" if ratio is None else f"{ratio:.2f}×"


def _met(met: bool | None) -> str:
    return {True: "yes", False: "**no**", None: "—"}[met]


def _times(t: dict, name: str) -> str:
    return f"{_s(t[name]['median_s'])} ({_s(t[name]['worst_s'])})" if name in t else "—"


def _when(figures: dict) -> str:
    """The run's date and the load average at its start and end (the machine is shared)."""
    start, end = figures["load_average"]
    return f"{figures['date'].removesuffix(' UTC')} (load {start:.1f}–{end:.1f})"


def ratio_rows(figures: dict, size: str) -> list[str]:
    t, r, c = figures["times"], figures["ratios"], figures.get("cpu_ratios", {})
    when = _when(figures)

    def row(figure: str, formula: str, target: float, key: str, raw: str) -> str:
        value = f"**{_x(r.get(key))}**"
        if c.get(key) is not None:
            value += f" (CPU {_x(c[key])})"
        met = None if r.get(key) is None else r[key] <= target
        return (
            f"| {figure} | {formula} | ≤ {target:g}× | {value}; {raw} | {_met(met)} | {when} "
            f"| `{figures['commit']}` |"
        )

    output_bytes = f"{figures['output_bytes'] / 1e6:,.0f} MB"
    return [
        row(
            f"ingest ratio ({size}, {figures['csv_rows']:,} rows)",
            "(`ingest FILE` − `--help`) ÷ (`python -c` read_csv into a table − "
            '`python -c "import duckdb"`)',
            ratios.INGEST_RATIO,
            "ingest",
            f"ingest {_times(t, 'ingest')}, --help {_times(t, 'help')}, read_csv "
            f"{_times(t, 'read_csv')}, import duckdb {_times(t, 'import_duckdb')}",
        ),
        row(
            f"output ratio ({size}, {figures['output_rows']:,} rows, {output_bytes})",
            "(`indicators --format csv` − `--help`) ÷ (`python -c` COPY of the same long "
            "rows, hand-written − `import duckdb`)",
            ratios.OUTPUT_RATIO,
            "output",
            f"indicators {_times(t, 'indicators')}, COPY {_times(t, 'copy_long')}; "
            f"{figures.get('differing_rows', '?')} rows differ",
        ),
        row(
            "— the same, against the issue's columns only",
            "reference without the indicator's name, target, status, deficit, gap",
            ratios.OUTPUT_RATIO,
            "output_issue_columns",
            f"COPY {_times(t, 'copy_short')}, {figures.get('short_bytes', 0) / 1e6:,.0f} MB",
        ),
        row(
            "help ratio",
            '`python -m analytics --help` ÷ `python -c "import duckdb"`',
            ratios.HELP_RATIO,
            "help",
            f"--help {_times(t, 'help')}",
        ),
        row(
            "— a command's help",
            "`indicators --help`, `ingest --help` ÷ the same",
            ratios.HELP_RATIO,
            "help_indicators",
            f"indicators {_times(t, 'help_indicators')} ({_x(r.get('help_indicators'))}), "
            f"ingest {_times(t, 'help_ingest')} ({_x(r.get('help_ingest'))})",
        ),
        row(
            f"XLSX ratio ({figures['xlsx_files']} workbooks)",
            "(`ingest` of the XLSX − `--help`) ÷ (`python -c` calamine read − "
            "`import python_calamine`)",
            ratios.XLSX_RATIO,
            "xlsx",
            f"ingest {_times(t, 'ingest_xlsx')}, calamine {_times(t, 'read_xlsx')}",
        ),
    ]


def click_rows(figures: dict, name: str) -> list[str]:
    b, a = figures["browser"], figures["apptest"]
    targets = clicks.DEMO_TARGETS if name == "demo" else clicks.COUNTRY_TARGETS
    when = _when(figures)
    out = []
    for key, figure, formula, target, script in (
        (
            "filter",
            f"filter change in chromium ({name})",
            f"Обзор, «Период» {' ↔ '.join(b['periods'])}: click → run finished, no status "
            "widget, charts drawn",
            targets[0],
            "dashboard.py",
        ),
        (
            "page",
            f"page change in chromium ({name})",
            "sidebar link Обзор ↔ Показатели: click → the same",
            targets[1],
            "pages/indicators.py",
        ),
    ):
        f, at = b[key], a[script]
        value = f"**{_s(f['median_s'])}** ({_s(f['worst_s'])})"
        beside = (
            f"AppTest `{script}`: cold {_s(at['cold'])}, new period {_s(at['filter'])}, "
            f"cached {_s(at['warm'])}"
        )
        out.append(
            f"| {figure} | {formula} | ≤ {target:g} s | {value}; {beside} "
            f"| {_met(f['median_s'] <= target)} | {when} | `{figures['commit']}` |"
        )
    return out


def table(results: dict) -> str:
    """The Markdown table of the last run's issue 27 figures (empty where none)."""
    rows: list[str] = []
    for size, r in results.get("sizes", {}).items():
        if r.get("ratios"):
            rows += ratio_rows(r["ratios"], size)
    for name, figures in results.get("clicks", {}).items():
        rows += click_rows(figures, name)
    return "\n".join([*HEADER, *rows]) if rows else ""
