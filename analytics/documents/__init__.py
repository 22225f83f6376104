"""The documents the dashboard writes, one module per job.

- :mod:`.territory` — what a document about a territory and period holds (:func:`collect`)
- :mod:`.cells` — the texts of a table cell: value, «47 из 87», target, status, gap
- :mod:`.figures` — the charts, and their PNG where chromium is available
- :mod:`.docx_writer` — DOCX as Russian official documents look (:class:`DocWriter`)
- :mod:`.pdf` — PDF of a DOCX through LibreOffice
- :mod:`.note` — the information and analytic note («информационно-аналитическая справка»)
- :mod:`.school_notes` — one-page notes per organisation
- :mod:`.deck` — the working group's slides (PPTX)
- :mod:`.protocol` — the meeting's protocol (DOCX)
- :mod:`.round_letters` — a monitoring round's «не представили» list (XLSX) and letter (DOCX)
- :mod:`.exports` — tables as CSV and XLSX that spreadsheets read as numbers
- :mod:`.numeric_text` — the numbers back from a screen table's Russian texts, for XLSX
- :mod:`.outputs` — the command line's CSV and JSON, written by DuckDB with formulas defused
- :mod:`.images` — chart images through kaleido and chromium
- :mod:`.docgen` — the user guide of the forms (docs/forms.md)
"""
