"""User data shown as typed: names may contain markdown or markup characters."""

from __future__ import annotations

import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$])")


def md(text: object) -> str:
    """Escape ``text`` for ``st.markdown`` so a school named ``**<script>**`` shows as typed."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))
