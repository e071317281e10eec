"""``rules/schema.json``: a valid JSON Schema, true to the shipped files, the facts and the loader."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from simcancel import RuleFileError, builtin_rules_path, load_rules
from simcancel._facts import FACTS, FactKind
from simcancel._loader import CHANNELS
from simcancel._ruleset import InPersonConfirmation, OnlineCancellation, Op, ProviderKind, RuleKind
from simcancel._yaml import Document, parse_yaml
from simcancel.model import RouteKind, Stage

RULES = builtin_rules_path()
SCHEMA: dict[str, Any] = json.loads((RULES / "schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(
    SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
)
DEFS: dict[str, Any] = SCHEMA["$defs"]
SHIPPED = sorted(path.relative_to(RULES).as_posix() for path in RULES.rglob("*.yaml"))


def as_json(value: Any) -> Any:
    """YAML data as an editor's validator sees it: dates are ISO strings."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: as_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_json(item) for item in value]
    return value


def load_yaml(text: str) -> Any:
    doc = parse_yaml(text, "test.yaml")
    assert isinstance(doc, Document), doc
    return as_json(doc.data)


def errors(instance: Any) -> list[str]:
    return [error.message for error in VALIDATOR.iter_errors(instance)]


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    """The file is itself a valid JSON Schema of draft 2020-12."""
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_every_kind_of_pack_file_is_shipped() -> None:
    """The shipped pack has each kind of file, so the next test exercises every branch."""
    assert {"ruleset.yaml", "claims.yaml", "routes.yaml", "locales/en.yaml", "providers/jazz.yaml"} <= set(
        SHIPPED
    )


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_file_validates(name: str) -> None:
    """Each YAML file of the built-in pack is valid against the schema."""
    doc = parse_yaml((RULES / name).read_bytes(), name)
    assert isinstance(doc, Document), doc
    assert errors(as_json(doc.data)) == []


def test_condition_facts_are_the_catalogue() -> None:
    """The fact names a condition may test are exactly FACTS, besides all/any."""
    names = set(DEFS["condition_mapping"]["properties"]) - {"all", "any"}
    assert names == set(FACTS)


@pytest.mark.parametrize("name", sorted(FACTS))
def test_fact_values_follow_the_catalogue(name: str) -> None:
    """Each fact's value schema has the catalogue's type, enum values and bounds."""
    spec = FACTS[name]
    value = DEFS[f"value.{name}"]
    if spec.kind is FactKind.BOOL:
        assert value == {"type": "boolean"}
    elif spec.kind is FactKind.ENUM:
        assert value == {"enum": list(spec.values)}
    elif spec.kind is FactKind.PROVIDER:
        assert value["$ref"] == "#/$defs/id"
    elif spec.kind is FactKind.MONEY:
        number, _text = value["anyOf"]
        assert number == {"type": "number", "minimum": 0, "maximum": spec.upper // 100}
    else:
        assert value == {"type": "integer", "minimum": 0, "maximum": spec.upper}


@pytest.mark.parametrize("name", sorted(FACTS))
def test_operators_follow_the_fact_kind(name: str) -> None:
    """Ordered operators are offered for money and counts only; the others get eq/ne/in/not_in."""
    _value, mapping = DEFS["condition_mapping"]["properties"][name]["anyOf"]
    ordered = {Op.GT.value, Op.GTE.value, Op.LT.value, Op.LTE.value}
    every = {op.value for op in Op}
    numeric = FACTS[name].kind in (FactKind.MONEY, FactKind.COUNT)
    assert set(mapping["properties"]) == (every if numeric else every - ordered)


def test_enumerations_follow_the_code() -> None:
    """Rule kinds, stages, routes, provider fields and channels are the code's enums."""
    rule = DEFS["rule"]["properties"]
    assert rule["kind"]["enum"] == [kind.value for kind in RuleKind]
    assert rule["stage"]["enum"] == [stage.value for stage in Stage if stage is not Stage.ROUTE]
    assert rule["route"]["enum"] == [route.value for route in RouteKind]
    provider = DEFS["provider_file"]["oneOf"][0]["properties"]
    assert provider["kind"]["enum"] == [kind.value for kind in ProviderKind]
    assert provider["online_cancellation"]["enum"] == [v.value for v in OnlineCancellation]
    assert provider["in_person_confirmation"]["enum"] == [v.value for v in InPersonConfirmation]
    assert provider["channels"]["items"]["enum"] == list(CHANNELS)


RULE = """
rules:
  - id: extra-rule
    kind: {kind}
    claims: [A25]
    when: {when}
    message: {{zh-CN: "消息", en: "message"}}
{extra}
"""
ADVICE_FIX = '    fix: {zh-CN: "修复", en: "fix"}\n    stage: after'

# (kind, when, extra keys, valid): the schema and the loader must both give the verdict.
RULE_VARIANTS: list[tuple[str, str, str, bool]] = [
    ("advice", "always", "", True),
    ("advice", "{balance: {gt: 0}}", "", True),
    ("advice", "{balance: {gte: '1.50', lt: 100}}", "", True),
    ("advice", "{line_status: {in: [active, suspended]}}", "", True),
    ("advice", "{provider: {not_in: [jazz]}}", "", True),
    ("advice", "{any: [{discard_card: true}, always]}", "", True),
    ("advice", "{all: [{plan: prepaid}], reads_english: false}", "", True),
    ("advice", "{months_held: {lte: 2400}}", ADVICE_FIX, True),
    ("route", "always", "    route: online", True),
    ("advice", "never", "", False),
    ("advice", "{}", "", False),
    ("advice", "{balanse: {gt: 0}}", "", False),
    ("advice", "{balance: {greater: 0}}", "", False),
    ("advice", "{discard_card: {gt: 0}}", "", False),
    ("advice", "{discard_card: 'yes'}", "", False),
    ("advice", "{line_status: cancelled}", "", False),
    ("advice", "{balance: {gt: -1}}", "", False),
    ("advice", "{months_held: {lt: 2401}}", "", False),
    ("advice", "{line_status: {in: []}}", "", False),
    ("advice", "{any: []}", "", False),
    ("blocking", "always", "", False),
    ("blocking", "always", ADVICE_FIX.replace("after", "route"), False),
    ("advice", "always", "    route: online", False),
    ("advice", "always", "    stage: after", False),
    ("route", "always", "", False),
    ("route", "always", "    route: online\n" + ADVICE_FIX, False),
    ("advice", "always", "    prority: 3", False),
]


@pytest.mark.parametrize(("kind", "when", "extra", "valid"), RULE_VARIANTS)
def test_schema_and_loader_agree_on_rules(
    tmp_path: Path, kind: str, when: str, extra: str, valid: bool
) -> None:
    """A rule the loader accepts, the schema accepts; one it refuses, the schema refuses."""
    text = RULE.format(kind=kind, when=when, extra=extra)
    pack = tmp_path / "rules"
    shutil.copytree(RULES, pack)
    (pack / "extra.yaml").write_text(text, encoding="utf-8")
    try:
        load_rules(pack)
    except RuleFileError:
        loader_accepts = False
    else:
        loader_accepts = True
    assert loader_accepts is valid
    assert (errors(load_yaml(text)) == []) is valid


@pytest.mark.parametrize(
    "text",
    [
        "description: no kind of pack file has only a description",
        "rules: []\nclaims: []",
        "id: acme\nname: Acme\nkind: local_operator\nonline_cancellation: maybe\n"
        "in_person_confirmation: unknown\nchannels: [store]\nreview_days: unknown\n"
        "languages: unknown\nsources: [{title: a source}]\nchecked: 2026-11-24",
        "id: acme\nname: Acme\nkind: local_operator\nonline_cancellation: unknown\n"
        "in_person_confirmation: unknown\nchannels: [fax]\nreview_days: [3, 400]\n"
        "languages: unknown\nsources: []\nchecked: yesterday",
        "claims: [{id: a4, text: lower-case id}]",
        "name: pack\nversion: '1'\nlocales: [chinese]",
        "labels: {Document: Passport}",
    ],
)
def test_bad_documents_are_refused(text: str) -> None:
    """Documents of no kind, mixed kinds, or bad provider/claims/manifest/labels are refused."""
    assert errors(load_yaml(text)) != []
