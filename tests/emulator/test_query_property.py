"""Hypothesis: query filters and sorts agree with a plain Python evaluation."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .helpers import make_client, make_emulator

NAMES = ["alpha", "Beta", "gamma", "", "delta"]
STAGES = ["Lead", "Won", "Lost"]

ROWS = st.lists(
    st.fixed_dictionaries(
        {
            "name": st.sampled_from(NAMES),
            "amount": st.one_of(st.none(), st.integers(-5, 5)),
            "stage": st.one_of(st.none(), st.sampled_from(STAGES)),
            "done": st.booleans(),
        }
    ),
    max_size=12,
)
LEAVES = st.one_of(
    st.builds(lambda v: ("Amount", "number", "greater_than", v), st.integers(-5, 5)),
    st.builds(lambda v: ("Amount", "number", "equals", v), st.integers(-5, 5)),
    st.just(("Amount", "number", "is_empty", True)),
    st.builds(
        lambda v: ("Name", "title", "contains", v), st.sampled_from(["a", "B", "ta"])
    ),
    st.builds(lambda v: ("Stage", "select", "equals", v), st.sampled_from(STAGES)),
    st.just(("Stage", "select", "is_not_empty", True)),
    st.builds(lambda v: ("Done", "checkbox", "equals", v), st.booleans()),
)
FILTERS = st.one_of(
    LEAVES,
    st.tuples(st.sampled_from(["and", "or"]), st.lists(LEAVES, min_size=1, max_size=3)),
)


def _leaf_json(leaf: tuple[str, str, str, Any]) -> dict[str, Any]:
    prop, kind, op, value = leaf
    return {"property": prop, kind: {op: value}}


def _to_json(spec: Any) -> dict[str, Any]:
    if spec[0] in ("and", "or"):
        return {spec[0]: [_leaf_json(leaf) for leaf in spec[1]]}
    return _leaf_json(spec)


def _eval_leaf(row: dict[str, Any], leaf: tuple[str, str, str, Any]) -> bool:
    prop, _, op, value = leaf
    field = {"Amount": "amount", "Name": "name", "Stage": "stage", "Done": "done"}[prop]
    actual = row[field]
    if op == "is_empty":
        return actual is None
    if op == "is_not_empty":
        return actual is not None
    if op == "contains":
        return str(value).casefold() in actual.casefold()
    if op == "greater_than":
        return actual is not None and actual > value
    return bool(actual == value)


def _evaluate(row: dict[str, Any], spec: Any) -> bool:
    if spec[0] == "and":
        return all(_eval_leaf(row, leaf) for leaf in spec[1])
    if spec[0] == "or":
        return any(_eval_leaf(row, leaf) for leaf in spec[1])
    return _eval_leaf(row, spec)


@settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(rows=ROWS, spec=FILTERS, descending=st.booleans())
def test_filters_and_sorts_match_python(
    rows: list[dict[str, Any]], spec: Any, descending: bool
) -> None:
    emu, _ = make_emulator()
    client = make_client(emu)
    db = client.databases.create(
        parent={"type": "page_id", "page_id": emu.root_page_id},
        title=[{"text": {"content": "T"}}],
        initial_data_source={
            "properties": {
                "Name": {"title": {}},
                "Amount": {"number": {}},
                "Stage": {"select": {"options": [{"name": s} for s in STAGES]}},
                "Done": {"checkbox": {}},
            }
        },
    )
    source = db["data_sources"][0]["id"]
    ids = []
    for row in rows:
        props: dict[str, Any] = {
            "Name": {
                "title": [{"text": {"content": row["name"]}}] if row["name"] else []
            },
            "Amount": {"number": row["amount"]},
            "Done": {"checkbox": row["done"]},
        }
        if row["stage"]:
            props["Stage"] = {"select": {"name": row["stage"]}}
        ids.append(
            client.pages.create(parent={"data_source_id": source}, properties=props)[
                "id"
            ]
        )
    result = client.data_sources.query(
        source,
        filter=_to_json(spec),
        sorts=[
            {
                "property": "Amount",
                "direction": "descending" if descending else "ascending",
            }
        ],
    )
    got = [page["id"] for page in result["results"]]
    matching = [
        (row, pid) for row, pid in zip(rows, ids, strict=True) if _evaluate(row, spec)
    ]
    filled = [m for m in matching if m[0]["amount"] is not None]
    empty = [m for m in matching if m[0]["amount"] is None]
    filled.sort(key=lambda m: m[0]["amount"], reverse=descending)
    assert got == [pid for _, pid in filled + empty]
    client.close()
