"""PDF of a DOCX document through LibreOffice (Debian's headless Writer), where installed."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from analytics.model.errors import MonitoringError

log = logging.getLogger(__name__)


class PdfUnavailable(MonitoringError, RuntimeError):
    """LibreOffice is missing or failed, so there is no PDF; the message is in Russian."""


PDF_UNAVAILABLE_MESSAGE = (
    "Справку в формате PDF на этом сервере получить нельзя: не установлена программа для "
    "преобразования (LibreOffice). Скачайте справку в формате DOCX и сохраните её как PDF в "
    "текстовом редакторе; чтобы появилась кнопка PDF, администратору достаточно один раз "
    "выполнить scripts/setup.sh."
)
PDF_TIMEOUT_SECONDS = 180
OFFICE_VARIABLE = "MONITORING_SOFFICE"


def office_path() -> str | None:
    """LibreOffice's ``soffice``: ``$MONITORING_SOFFICE`` where set (empty: none, as on a
    machine without it), otherwise the first one found on ``PATH``."""
    if OFFICE_VARIABLE in os.environ:
        return os.environ[OFFICE_VARIABLE] or None
    for name in ("soffice", "libreoffice"):
        path = shutil.which(name)
        if path:
            return path
    return None


def pdf_available() -> bool:
    return office_path() is not None


def report_pdf(docx_bytes: bytes) -> bytes:
    """Convert the note's DOCX to PDF; see :func:`office_pdf`."""
    return office_pdf(docx_bytes, "справка.docx", "справку")


def office_pdf(content: bytes, name: str, what: str) -> bytes:
    """Convert an office document (``name`` gives its kind: .docx, .pptx) to PDF with
    ``soffice --headless --convert-to pdf``; ``what`` names it in the errors, in the
    accusative («справку»).

    Raises :class:`PdfUnavailable` (Russian message) where LibreOffice is not installed
    or the conversion fails. Each call uses its own LibreOffice profile, so conversions
    may run side by side.
    """
    office = office_path()
    if office is None:
        raise PdfUnavailable(PDF_UNAVAILABLE_MESSAGE)
    with tempfile.TemporaryDirectory(prefix="report-pdf-") as tmp:
        folder = Path(tmp)
        source = folder / name
        source.write_bytes(content)
        command = [
            office,
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(source),
        ]
        try:
            result = subprocess.run(
                command, capture_output=True, timeout=PDF_TIMEOUT_SECONDS, check=False
            )
        except subprocess.TimeoutExpired:
            raise PdfUnavailable(
                f"LibreOffice не преобразовал {what} в PDF за {PDF_TIMEOUT_SECONDS} секунд."
            ) from None
        target = source.with_suffix(".pdf")
        if result.returncode != 0 or not target.exists():
            detail = result.stderr.decode("utf-8", "replace").strip()[-300:]
            raise PdfUnavailable(
                f"LibreOffice не смог преобразовать {what} в PDF"
                + (f": {detail}" if detail else ".")
            )
        return target.read_bytes()
