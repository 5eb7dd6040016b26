"""The README and the example config stay true to the product."""

from __future__ import annotations

import tomllib
from pathlib import Path

from notion_crm.cli import main
from notion_crm.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def test_every_command_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")

    for name in main.commands:
        assert f"notion-crm {name}" in readme, name


def test_readme_starts_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")

    assert readme.index("make demo") < readme.index(
        "## Use it on your Notion workspace"
    )
    assert "make test" in readme


def test_config_example_holds_every_default() -> None:
    with (ROOT / "config.example.toml").open("rb") as handle:
        example = tomllib.load(handle)

    parsed = Settings.model_validate(example)

    assert parsed == Settings()
    defaults = Settings().model_dump(exclude={"source"})
    for section, values in defaults.items():
        for key in values:
            if key != "token":
                assert key in example[section], f"{section}.{key}"


def test_docs_have_no_todo_marks() -> None:
    for path in [*ROOT.glob("docs/*.md"), ROOT / "README.md"]:
        text = path.read_text(encoding="utf-8")
        assert "TODO" not in text and "FIXME" not in text, path
