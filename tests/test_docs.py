"""The user guide is generated from the contract and must be current."""

from analytics.documents.docgen import render
from tests.conftest import ROOT


def test_the_committed_forms_guide_matches_the_contract():
    committed = (ROOT / "docs" / "forms.md").read_text(encoding="utf-8")
    assert committed == render(), "run: python -m analytics docs --out docs/forms.md"


def test_the_forms_guide_lists_every_indicator_with_its_target():
    text = render()
    assert "| Доля ОО со сформированными базами наставников и наставляемых |" in text
    assert "| 100\u00a0% | больше |" in text
    assert "| Наставляемых на одного наставника |" in text


def test_the_readme_lists_every_command_of_the_command_line():
    import argparse
    import re

    from analytics.cli.main import build_parser

    commands = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^python -m analytics (?:\[--db PATH\] )?([a-z-]+)", readme, re.M))
    assert set(commands.choices) - listed == set()
