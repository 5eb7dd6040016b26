"""The schema files load into validated specs; bad ones name the file and the key."""

from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

import pytest

from notion_crm.errors import SchemaError
from notion_crm.schema.loader import SCHEMA_DIR, load_schema


@pytest.fixture
def schema_dir(tmp_path: Path) -> Path:
    target = tmp_path / "schemas"
    shutil.copytree(SCHEMA_DIR, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_shipped_schema_loads_with_the_contracts_stages() -> None:
    schema = load_schema()

    roles = [(o.key, o.role) for o in schema.stage.options]
    assert roles == [
        ("contact_initiated", "lead"),
        ("to_contact", "lead"),
        ("quote_to_send", "quoting"),
        ("quote_sent", "proposal"),
        ("follow_up", "proposal"),
        ("project_launched", "won_active"),
        ("project_completed", "won_done"),
        ("refused", "lost"),
    ]
    assert [k.key for k in schema.rules.kpis] == [
        "prospects",
        "active_opportunities",
        "quotes_in_discussion",
        "pending_pipeline",
        "conversion_rate",
        "projects_running",
        "projects_completed",
        "signed_revenue",
        "follow_ups_due",
    ]


def test_f11_an_option_with_a_comma_is_refused_before_any_request(
    schema_dir: Path,
) -> None:
    edit(schema_dir / "crm.toml", 'fr = "Refusé / annulé"', 'fr = "Refusé, annulé"')

    with pytest.raises(SchemaError) as caught:
        load_schema(schema_dir)

    message = str(caught.value)
    assert "crm.toml" in message
    assert "databases.opportunities.properties.stage.options.7.name.fr" in message
    assert "comma" in message


def test_an_over_long_name_is_refused(schema_dir: Path) -> None:
    edit(schema_dir / "crm.toml", 'en = "Due date"', f'en = "{"D" * 101}"')

    with pytest.raises(SchemaError, match="at most 100"):
        load_schema(schema_dir)


def test_labels_are_nfc_normalised(schema_dir: Path) -> None:
    decomposed = unicodedata.normalize("NFD", "Devis envoyé")
    assert decomposed != "Devis envoyé"
    edit(schema_dir / "crm.toml", 'fr = "Devis envoyé"', f'fr = "{decomposed}"')

    schema = load_schema(schema_dir)

    assert schema.stage.option("quote_sent").name("fr") == "Devis envoyé"


def test_an_unknown_key_names_the_file_and_key(schema_dir: Path) -> None:
    edit(schema_dir / "rules.toml", 'icon = "🌱"', 'icon = "🌱"\ncolour = "red"')

    with pytest.raises(SchemaError) as caught:
        load_schema(schema_dir)

    assert "rules.toml" in str(caught.value) and "kpis.0.colour" in str(caught.value)


def test_a_relation_whose_pair_points_elsewhere_is_refused(schema_dir: Path) -> None:
    edit(
        schema_dir / "crm.toml",
        'target = "companies", back = "contacts" }',
        'target = "companies", back = "opportunities" }',
    )

    with pytest.raises(SchemaError, match="pair"):
        load_schema(schema_dir)


def test_a_stage_date_rule_on_an_unknown_stage_is_refused(schema_dir: Path) -> None:
    edit(schema_dir / "rules.toml", "quote_sent = ", "quote_mailed = ")

    with pytest.raises(SchemaError, match="no such stage"):
        load_schema(schema_dir)


def test_invalid_toml_says_where(schema_dir: Path) -> None:
    (schema_dir / "rules.toml").write_text("version = = 1\n", encoding="utf-8")

    with pytest.raises(SchemaError, match="not valid TOML"):
        load_schema(schema_dir)


def test_a_missing_file_says_how_to_restore_it(schema_dir: Path) -> None:
    (schema_dir / "crm.toml").unlink()

    with pytest.raises(SchemaError, match="missing"):
        load_schema(schema_dir)
