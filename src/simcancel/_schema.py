"""The JSON Schema of rule pack files, generated from the fact catalogue, the operators and
the loader's key sets: ``simcancel schema rules`` prints it, ``rules/schema.json`` is it.

It checks one file's shape, as an editor can (YAML 1.2 read as JSON); what needs the
whole pack (claim and provider ids exist, every locale present with the same
placeholders, unique ids, at most two decimals in amounts) is ``simcancel lint``'s job.
"""

from __future__ import annotations

import json
from typing import Any

from simcancel import _loader
from simcancel._facts import CATALOGUE, Catalogue, FactKind, FactSpec
from simcancel._limits import MAX_RULES
from simcancel._ruleset import (
    PLURAL_CATEGORIES,
    InPersonConfirmation,
    OnlineCancellation,
    Op,
    ProviderKind,
    RuleKind,
)
from simcancel.model import RouteKind, Stage

__all__ = ["rules_schema", "rules_schema_text"]

_DRAFT = "https://json-schema.org/draft/2020-12/schema"
_ORDERED = (Op.GT, Op.GTE, Op.LT, Op.LTE)
_TEXT = {"type": "string", "minLength": 1, "pattern": "\\S"}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/$defs/{name}"}


def _text(limit: int, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "minLength": 1, "maxLength": limit, "pattern": "\\S", **extra}


def _anchored(pattern: str) -> str:
    return f"^{pattern}$"


def _value_schema(spec: FactSpec) -> dict[str, Any]:
    """The constants a condition may compare ``spec`` with."""
    if spec.kind is FactKind.BOOL:
        return {"type": "boolean"}
    if spec.kind is FactKind.ENUM:
        return {"enum": list(spec.values)}
    if spec.kind is FactKind.PROVIDER:
        return {**_ref("id"), "description": "The id of a provider of the pack (providers/*.yaml)."}
    if spec.kind is FactKind.MONEY:
        pkr = spec.upper // 100
        return {
            "description": f"PKR, at most two decimals; 0 to {pkr}.",
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": pkr},
                {"type": "string", "pattern": "^[0-9]+(?:\\.[0-9]{1,2})?$"},
            ],
        }
    return {"type": "integer", "minimum": 0, "maximum": spec.upper}


def _fact_test(spec: FactSpec) -> dict[str, Any]:
    """``fact: value`` or ``fact: {operator: value, ...}`` for one fact."""
    value = _ref(f"value.{spec.name}")
    operators: dict[str, Any] = {}
    for op in Op:
        if op in _ORDERED and not spec.numeric:
            continue
        if op in (Op.IN, Op.NOT_IN):
            operators[op.value] = {"type": "array", "minItems": 1, "items": value}
        else:
            operators[op.value] = value
    return {
        "description": f"{spec.doc} [{spec.kind.value}]",
        "anyOf": [
            value,
            {"type": "object", "minProperties": 1, "additionalProperties": False, "properties": operators},
        ],
    }


def _keys(schema: dict[str, Any], expected: set[str], what: str) -> dict[str, Any]:
    """``schema`` after checking that its properties are exactly the loader's ``expected`` keys."""
    found = set(schema["properties"])
    if found != expected:
        raise AssertionError(
            f"the schema of {what} has keys {sorted(found)}, the loader reads {sorted(expected)}"
        )
    return schema


def _rule() -> dict[str, Any]:
    steps = [stage.value for stage in Stage if stage is not Stage.ROUTE]
    schema = {
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "kind", "claims", "when", "message"],
        "properties": {
            "id": {
                **_ref("id"),
                "description": "Stable rule id, unique in the rule set; it is the code of the issue or "
                "route.",
            },
            "kind": {"enum": [kind.value for kind in RuleKind]},
            "claims": {
                "type": "array",
                "minItems": 1,
                "items": _ref("claim_id"),
                "description": "The claim ids (claims.yaml) this rule encodes.",
            },
            "when": _ref("condition"),
            "message": {**_ref("localized"), "description": "The issue's message, or the route's reason."},
            "fix": {**_ref("localized"), "description": "What to do; with a stage it becomes a step."},
            "stage": {"enum": steps, "description": "Where the fix goes in the ordered steps."},
            "route": {"enum": [route.value for route in RouteKind]},
            "priority": {
                "type": "integer",
                "minimum": 0,
                "maximum": 1000,
                "description": "Among route rules that fire, the highest priority is the primary route "
                "(default 0).",
            },
            "documents": {
                "type": "array",
                "items": _ref("id"),
                "description": "Document ids; each needs a label document.<id> in every locale.",
            },
            "steps": {
                "type": "array",
                "items": _ref("localized"),
                "description": "The route's own steps, in order.",
            },
            "effective_from": {**_ref("date"), "description": "First day the rule applies (inclusive)."},
            "effective_until": {**_ref("date"), "description": "Last day the rule applies (inclusive)."},
            "note": {"type": "string", "description": "For authors; never shown."},
        },
        "allOf": [
            {
                "if": {"properties": {"kind": {"const": "route"}}, "required": ["kind"]},
                "then": {"required": ["route"], "not": {"required": ["stage"]}},
                "else": {
                    "properties": {"route": False, "priority": False, "documents": False, "steps": False}
                },
            },
            {
                "if": {"properties": {"kind": {"const": "blocking"}}, "required": ["kind"]},
                "then": {"required": ["fix", "stage"]},
            },
            {"if": {"required": ["stage"]}, "then": {"required": ["fix"]}},
        ],
    }
    return _keys(schema, _loader.RULE_KEYS, "a rule")


def _provider_file() -> dict[str, Any]:
    schema = {
        "title": "A provider (providers/*.yaml): state only what a source supports, everything else "
        "'unknown'",
        "type": "object",
        "additionalProperties": False,
        "required": list(_loader.PROVIDER_REQUIRED),
        "properties": {
            "id": _ref("id"),
            "name": _text(100),
            "kind": {"enum": [kind.value for kind in ProviderKind]},
            "online_cancellation": {"enum": [value.value for value in OnlineCancellation]},
            "in_person_confirmation": {"enum": [value.value for value in InPersonConfirmation]},
            "channels": {
                "type": "array",
                "items": {"enum": list(_loader.CHANNELS)},
                "description": "'store' means a person can visit one (fact provider_has_store).",
            },
            "review_days": {
                "description": "'unknown' or [fewest, most] days.",
                "anyOf": [
                    {"const": "unknown"},
                    {
                        "type": "array",
                        "minItems": 2,
                        "maxItems": 2,
                        "items": {"type": "integer", "minimum": 0, "maximum": 365},
                    },
                ],
            },
            "languages": {
                "description": "'unknown' or language tags of support.",
                "anyOf": [{"const": "unknown"}, {"type": "array", "minItems": 1, "items": _ref("locale")}],
            },
            "sources": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["title"],
                    "properties": {
                        "title": _text(300),
                        "url": _text(300),
                        "claims": {"type": "array", "items": _ref("claim_id")},
                    },
                },
            },
            "checked": {**_ref("date"), "description": "The day the sources were last read."},
            "note": {"type": "string"},
            "fixes": _ref("provider_fixes"),
        },
    }
    extension = {
        "title": "Fixes for a provider an earlier pack defines (providers/*.yaml with extends: true)",
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "extends", "fixes"],
        "properties": {
            "id": _ref("id"),
            "extends": {"const": True},
            "fixes": _ref("provider_fixes"),
            "note": {"type": "string"},
        },
    }
    _keys(extension, _loader.PROVIDER_EXTENSION_KEYS, "a provider extension")
    full = _keys(schema, _loader.PROVIDER_KEYS, "a provider file")
    return {"oneOf": [full, extension]}


def _provider_fixes() -> dict[str, Any]:
    fix = {
        "type": "object",
        "additionalProperties": False,
        "required": sorted(_loader.PROVIDER_FIX_KEYS),
        "properties": {
            "id": {
                **_ref("id"),
                "description": "The id of the advice this fix becomes (unique, like a rule's).",
            },
            "for": {
                **_ref("id"),
                "description": "The rule (with a stage and a fix) whose fix this one follows.",
            },
            "claims": {"type": "array", "minItems": 1, "items": _ref("claim_id")},
            "message": _ref("localized"),
            "fix": _ref("localized"),
        },
    }
    _keys(fix, _loader.PROVIDER_FIX_KEYS, "a provider fix")
    return {
        "type": "array",
        "items": fix,
        "description": "What to do, said for this provider, after the fix of rule `for`; it fires when that "
        "rule does for this provider.",
    }


def _claims_file() -> dict[str, Any]:
    claim = {
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "text"],
        "properties": {
            "id": _ref("claim_id"),
            "text": _text(500),
            "section": _text(500),
            "source": _text(500),
            "excuse": _text(500, description="Why no rule encodes this claim (one line)."),
        },
    }
    _keys(claim, _loader.CLAIM_KEYS, "a claim")
    return {
        "title": "The claims register (claims.yaml)",
        "type": "object",
        "additionalProperties": False,
        "required": ["claims"],
        "properties": {"description": {"type": "string"}, "claims": {"type": "array", "items": claim}},
    }


def _ruleset_file() -> dict[str, Any]:
    schema = {
        "title": "The pack manifest (ruleset.yaml)",
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "version", "locales"],
        "properties": {
            "name": _ref("id"),
            "version": {"type": "string", "pattern": "^[0-9A-Za-z.+-]{1,40}$"},
            "locales": {"type": "array", "minItems": 1, "items": _ref("locale")},
            "description": {"type": "string"},
        },
    }
    return _keys(schema, _loader.MANIFEST_KEYS, "ruleset.yaml")


def rules_schema(catalogue: Catalogue = CATALOGUE) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of any file of a rule pack, for ``catalogue``'s facts."""
    facts = {spec.name: _fact_test(spec) for spec in catalogue.specs}
    defs: dict[str, Any] = {
        "id": {"type": "string", "pattern": _anchored(_loader.ID_PATTERN.pattern), "maxLength": 64},
        "claim_id": {"type": "string", "pattern": _anchored(_loader.CLAIM_PATTERN.pattern)},
        "locale": {"type": "string", "pattern": _anchored(_loader.LOCALE_PATTERN.pattern)},
        "date": {"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
        "localized": {
            "type": "object",
            "minProperties": 1,
            "description": "Text by locale, e.g. {zh-CN: ..., en: ...}. Every locale of ruleset.yaml must be "
            "present (checked by `simcancel lint`), with the same {fact} placeholders.",
            "propertyNames": _ref("locale"),
            "additionalProperties": {"anyOf": [_text(2000), _ref("plural")]},
        },
        "plural": {
            "type": "object",
            "description": "One locale's text in CLDR plural forms, picked by the value of the count fact "
            "`plural`: every plural category of the locale must be present (en: one, other; zh-CN: other), "
            "checked by `simcancel lint`.",
            "required": ["plural", "other"],
            "additionalProperties": False,
            "properties": {
                "plural": {
                    "enum": [spec.name for spec in catalogue.specs if spec.kind is FactKind.COUNT],
                    "description": "The count fact whose value picks the form.",
                },
                **{category: _text(2000) for category in PLURAL_CATEGORIES},
            },
        },
        "condition": {
            "description": "'always', or a mapping whose entries must all hold: fact tests (fact: value, or "
            "fact: {operator: value, ...}) and the combinators all / any (lists of conditions).",
            "anyOf": [{"const": "always"}, _ref("condition_mapping")],
        },
        "condition_mapping": {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": False,
            "properties": {
                "all": {
                    "description": "True when every item is true.",
                    "type": "array",
                    "minItems": 1,
                    "items": _ref("condition"),
                },
                "any": {
                    "description": "True when some item is true.",
                    "type": "array",
                    "minItems": 1,
                    "items": _ref("condition"),
                },
                **facts,
            },
        },
        **{f"value.{spec.name}": _value_schema(spec) for spec in catalogue.specs},
        "rule": _rule(),
        "rule_file": {
            "title": "A rule file (any *.yaml beside ruleset.yaml)",
            "type": "object",
            "additionalProperties": False,
            "required": ["rules"],
            "properties": {
                "description": {"type": "string"},
                "rules": {"type": "array", "maxItems": MAX_RULES, "items": _ref("rule")},
            },
        },
        "provider_file": _provider_file(),
        "provider_fixes": _provider_fixes(),
        "claims_file": _claims_file(),
        "ruleset_file": _ruleset_file(),
        "locale_file": {
            "title": "Labels of one locale (locales/<locale>.yaml)",
            "type": "object",
            "additionalProperties": False,
            "required": ["labels"],
            "properties": {
                "labels": {
                    "type": "object",
                    "propertyNames": {"pattern": _anchored(_loader.LABEL_KEY_PATTERN.pattern)},
                    "additionalProperties": _text(500),
                }
            },
        },
        "locale_pack_file": {
            "title": "A locale pack (<dir>/locale.yaml): one more locale for the packs loaded before it",
            "type": "object",
            "additionalProperties": False,
            "required": ["locale", "texts", "labels"],
            "properties": {
                "locale": _ref("locale"),
                "description": {"type": "string"},
                "labels": {
                    "type": "object",
                    "description": "The locale's labels: every key the rule set's other locales have "
                    "(checked by `simcancel lint`).",
                    "propertyNames": {"pattern": _anchored(_loader.LABEL_KEY_PATTERN.pattern)},
                    "additionalProperties": _text(500),
                },
                "texts": {
                    "type": "object",
                    "description": "By rule id, the rule's texts in this locale: every rule of the rule "
                    "set, each with the message, fix and steps it has (checked by `simcancel lint`).",
                    "propertyNames": _ref("id"),
                    "additionalProperties": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {
                            "message": _ref("locale_text"),
                            "fix": _ref("locale_text"),
                            "steps": {"type": "array", "items": _ref("locale_text")},
                        },
                    },
                },
            },
        },
        "locale_text": {"anyOf": [_text(2000), _ref("plural")]},
    }
    return {
        "$schema": _DRAFT,
        "title": "simcancel rule pack file",
        "description": "Any YAML file of a simcancel rule pack: ruleset.yaml, claims.yaml, rule files, "
        "providers/*.yaml, locales/*.yaml and a locale pack's locale.yaml. The file's kind is told by "
        "its top-level key (rules, claims, labels, locales, id for a provider, or locale for a locale "
        "pack); $defs/<kind>_file validates one kind alone. This schema "
        "checks one file's shape; what needs the whole pack (claim and provider ids exist, every locale "
        "present with the same placeholders, placeholders are facts, unique ids, at most two decimals in "
        "amounts) is checked by `simcancel lint`. Generated by `simcancel schema rules`: do not edit.",
        "type": "object",
        "oneOf": [
            {"required": ["rules"], **_ref("rule_file")},
            {"required": ["claims"], **_ref("claims_file")},
            {"required": ["labels"], **_ref("locale_file")},
            {"required": ["locales"], **_ref("ruleset_file")},
            {"required": ["id"], **_ref("provider_file")},
            {"required": ["locale"], **_ref("locale_pack_file")},
        ],
        "$defs": defs,
    }


def rules_schema_text(catalogue: Catalogue = CATALOGUE) -> str:
    """:func:`rules_schema` as the bytes of ``rules/schema.json`` (indented, one newline at the end)."""
    return json.dumps(rules_schema(catalogue), ensure_ascii=False, indent=2) + "\n"
