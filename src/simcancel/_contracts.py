"""JSON Schemas (draft 2020-12) of what simcancel takes and returns, generated, never written.

Each schema is walked from the model's attrs classes and their type hints, described from
the fact catalogue and the model's attribute docstrings:

* ``state``: the input, :class:`~simcancel.UserState` as ``UserState.from_dict`` reads it.
  Closed (unknown keys are refused), with what the structuring checks wherever JSON Schema
  can say it: required fields, bounded counts and texts, enum values, calendar dates,
  amounts as a decimal string of at most two decimals or a whole number.
* ``assessment``: the output, ``simcancel.assessment/1`` as :meth:`Assessment.to_dict`
  writes it.  Open: within ``/1`` fields are only ever added, so a consumer's copy keeps
  validating newer answers.
* ``rules``: any file of a rule pack (:func:`simcancel._schema.rules_schema`).

:data:`SCHEMAS` names them; the command ``simcancel schema KIND`` and the generated files
``schemas/*.schema.json`` come from it.

* ``partial-state``: what is known so far (:class:`~simcancel.PartialState`): the state's
  fields, none required, each also ``null`` or ``"unknown"``.
"""

from __future__ import annotations

import ast
import datetime as dt
import enum
import functools
import inspect
import itertools
import json
import re
import textwrap
import types
import typing
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from simcancel._errors import UsageError, did_you_mean, shorten
from simcancel._facts import CATALOGUE, Catalogue, StatePath
from simcancel._ruleset import RuleSet
from simcancel._schema import rules_schema
from simcancel.model import (
    ASSESSMENT_SCHEMA_ID,
    MAX_COUNT,
    MAX_MONEY,
    MAX_SERVICES,
    MAX_TEXT,
    Assessment,
    UserState,
)

__all__ = [
    "SCHEMAS",
    "assessment_schema",
    "changeable_paths",
    "json_schema",
    "money_schema",
    "partial_state_schema",
    "schema_text",
    "state_schema",
]

_DRAFT = "https://json-schema.org/draft/2020-12/schema"

_MONEY_PATTERN = r"^(?:[0-9]{1,9}(?:\.[0-9]{1,2})?|1000000000(?:\.0{1,2})?)$"
_DATE = {"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
_NULL = {"type": "null"}


def money_schema() -> dict[str, Any]:
    """An amount in PKR as the state reads it: a decimal string, or a whole number.

    A fractional JSON number (``0.29``) is read exactly by simcancel, but JSON Schema
    validators read numbers as binary floats, and ``multipleOf: 0.01`` then refuses about
    one valid amount in nine: the schema accepts only the forms it can check exactly.
    """
    upper = int(MAX_MONEY)
    return {
        "description": f"PKR, 0 to {upper}, at most two decimals: a decimal string such as "
        '"150.00" (exact, preferred) or a whole number such as 150.',
        "anyOf": [
            {"type": "string", "pattern": _MONEY_PATTERN},
            {"type": "integer", "minimum": 0, "maximum": upper},
        ],
    }


# --- what the model says about itself: hints, attribute docstrings, catalogue facts --------


@functools.cache
def _attribute_docs(cls: type) -> Mapping[str, str]:
    """The docstrings written under a class's fields (``x: int`` then ``\"\"\"...\"\"\"``)."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    except (OSError, TypeError):  # pragma: no cover - no source shipped (a zipped install)
        return {}
    body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
    docs: dict[str, str] = {}
    for field, after in itertools.pairwise(body):
        if (
            isinstance(field, ast.AnnAssign)
            and isinstance(field.target, ast.Name)
            and isinstance(after, ast.Expr)
            and isinstance(after.value, ast.Constant)
            and isinstance(after.value.value, str)
        ):
            docs[field.target.id] = _plain(after.value.value)
    return docs


_ROLE = re.compile(r":[a-z]+:`~?([^`]+)`")


def _plain(text: str) -> str:
    """A docstring as plain text: one line, reST roles and double backquotes reduced."""
    return " ".join(_ROLE.sub(r"`\1`", text).replace("``", "`").split())


def _summary(cls: type) -> str:
    return _plain((inspect.getdoc(cls) or "").split("\n\n")[0])


def _fact_docs(catalogue: Catalogue) -> dict[str, str]:
    """Per state path, how the rules read it: the fact it is, or the derivation it feeds."""
    docs: dict[str, str] = {}
    for spec in catalogue.specs:
        if isinstance(spec.source, StatePath):
            docs[spec.source.path] = f"Rules read it as the fact {spec.name}: {spec.doc}"
    for derivation in catalogue.derivations:
        facts = ", ".join(catalogue.facts_of(derivation))
        for field in derivation.fields:
            docs[field] = f"Rules read it as the facts {facts} ({derivation.name})."
    return docs


def _describe(*texts: str | None) -> dict[str, str]:
    text = " ".join(t for t in texts if t)
    return {"description": text} if text else {}


# --- the walk --------------------------------------------------------------------------------

Hint = Any
"""A resolved type hint (a class, ``X | None``, ``tuple[X, ...]``...)."""


@attrs.frozen(kw_only=True)
class _Direction:
    """How the leaves of one schema read: the input's bounds, or the output's plain types."""

    leaves: Mapping[Hint, Callable[[], dict[str, Any]]]
    closed: bool
    """Refuse unknown keys (the input); the output stays open to added fields."""
    docs: Mapping[str, str]
    """Per dotted path, a description from the catalogue."""
    provider: Mapping[str, Any] | None = None
    """The provider field's schema when a rule set narrows it to its providers."""
    computed: Mapping[type, tuple[tuple[str, str, dict[str, Any]], ...]] = attrs.field(factory=dict)
    """Per class, keys its JSON has besides its fields: (after field, key, schema)."""
    optional: frozenset[str] = frozenset()
    """Output fields written only when they have a value (``what_if``)."""
    max_items: Mapping[str, int] = attrs.field(factory=dict)
    """Per dotted path, the most items a list may have (the input's ``services``)."""


def _leaf(schema: dict[str, Any]) -> Callable[[], dict[str, Any]]:
    return lambda: dict(schema)


_DISPLAY_VALUE = {"type": ["string", "integer", "boolean"]}


def _input(catalogue: Catalogue, provider: dict[str, Any] | None) -> _Direction:
    return _Direction(
        leaves={
            Decimal: money_schema,
            int: _leaf({"type": "integer", "minimum": 0, "maximum": MAX_COUNT}),
            bool: _leaf({"type": "boolean"}),
            str: _leaf({"type": "string", "minLength": 1, "maxLength": MAX_TEXT}),
            dt.date: _leaf(_DATE),
        },
        closed=True,
        docs=_fact_docs(catalogue),
        provider=provider,
        max_items={"services": MAX_SERVICES},
    )


def _output(provider: dict[str, Any] | None) -> _Direction:
    return _Direction(
        leaves={
            str: _leaf({"type": "string"}),
            int: _leaf({"type": "integer"}),
            bool: _leaf({"type": "boolean"}),
            dt.date: _leaf(_DATE),
            object: _leaf({}),
        },
        closed=False,
        docs={},
        provider=provider,
        computed={
            Assessment: (
                ("", "schema", {"const": ASSESSMENT_SCHEMA_ID}),
                (
                    "ruleset",
                    "can_cancel_now",
                    {"type": "boolean", "description": "True when blocking is empty."},
                ),
            )
        },
        optional=frozenset({"what_if"}),
    )


def _is_pairs(hint: Hint) -> bool:
    """``tuple[tuple[str, V], ...]``: pairs written as a JSON object (an issue's facts)."""
    args = typing.get_args(hint)
    origin: Any = typing.get_origin(hint)
    if origin is not tuple or len(args) != 2 or args[1] is not Ellipsis:
        return False
    inner = typing.get_args(args[0])
    inner_origin: Any = typing.get_origin(args[0])
    return inner_origin is tuple and len(inner) == 2 and inner[0] is str


class _Walker:
    """Walks type hints into schemas; with ``defs``, each nested class once, by ``$ref``."""

    def __init__(self, direction: _Direction, *, required: bool = True, use_defs: bool = False) -> None:
        self.direction = direction
        self.required = required
        self.defs: dict[str, Any] | None = {} if use_defs else None
        self.extra: Mapping[str, dict[str, Any]] = {}
        """Per class name, keywords added to its object schema (constraints across fields)."""

    def walk(self, hint: Hint, path: str) -> dict[str, Any]:
        """The schema of a value of type ``hint`` found at ``path`` (dotted, ``""`` at the top)."""
        origin: Any = typing.get_origin(hint)
        args = typing.get_args(hint)
        if origin in (typing.Union, types.UnionType):
            members = [arg for arg in args if arg is not type(None)]
            if set(members) == {str, int, bool}:
                return dict(_DISPLAY_VALUE)
            schemas = [self.walk(arg, path) for arg in members]
            if len(members) < len(args):
                schemas.append(dict(_NULL))
            return {"anyOf": schemas}
        if _is_pairs(hint):
            value = typing.get_args(args[0])[1]
            return {"type": "object", "additionalProperties": self.walk(value, path)}
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            return self.array(args[0], path)
        if origin is Mapping and args and args[0] is str:
            return {"type": "object", "additionalProperties": self.walk(args[1], path)}
        if isinstance(hint, type) and issubclass(hint, enum.Enum):
            return {"enum": [member.value for member in hint]}
        if isinstance(hint, type) and attrs.has(hint):
            if self.defs is None or not path:
                return self.object(hint, path)
            if hint.__name__ not in self.defs:
                self.defs[hint.__name__] = {}  # placeholder: a class met again refers to itself
                self.defs[hint.__name__] = self.object(hint, path)
            return {"$ref": f"#/$defs/{hint.__name__}"}
        if hint in self.direction.leaves:
            return self.direction.leaves[hint]()
        raise TypeError(f"no JSON Schema for {hint!r} at {path or '$'}")  # pragma: no cover - new type

    def array(self, item: Hint, path: str) -> dict[str, Any]:
        """A list of ``item``, bounded where the direction bounds it."""
        found: dict[str, Any] = {"type": "array", "items": self.walk(item, path)}
        if path in self.direction.max_items:
            found["maxItems"] = self.direction.max_items[path]
        return found

    def object(self, cls: type, path: str) -> dict[str, Any]:
        """An attrs class as a JSON object: its fields, and the keys its JSON adds."""
        direction = self.direction
        hints = typing.get_type_hints(cls)
        docs = _attribute_docs(cls)
        properties: dict[str, Any] = {}
        needed: list[str] = []
        computed = direction.computed.get(cls, ())

        def add_computed(after: str) -> None:
            for where, key, schema in computed:
                if where == after:
                    properties[key] = schema
                    needed.append(key)

        add_computed("")
        for field in attrs.fields(cls):
            if not field.init:
                continue
            child = f"{path}.{field.name}" if path else field.name
            schema = self.walk(hints[field.name], child)
            if child == "provider" and direction.provider is not None:
                schema = dict(direction.provider)
            schema.update(
                _describe(docs.get(field.name), direction.docs.get(child), schema.get("description"))
            )
            properties[field.name] = schema
            if direction.closed:
                optional = field.default is not attrs.NOTHING
            else:
                optional = field.name in direction.optional
            if not optional and (self.required or not self._loose(path)):
                needed.append(field.name)
            add_computed(field.name)
        schema = {"type": "object", **_describe(_summary(cls)), "properties": properties}
        schema.update(self.extra.get(cls.__name__, {}))
        if needed:
            schema["required"] = needed
        if direction.closed:
            schema["additionalProperties"] = False
        return schema

    @staticmethod
    def _loose(path: str) -> bool:
        """Whether the object at ``path`` holds fields a partial state may leave out: the
        state itself and its groups (``documents``), not a service inside the list."""
        from simcancel._fields import FIELDS  # noqa: PLC0415 - only partial states ask

        return not path or any(field.path.startswith(f"{path}.") for field in FIELDS)

    def document(self, cls: type, title: str, description: str) -> dict[str, Any]:
        """A whole schema document for ``cls``, with its ``$defs`` when the walk made any."""
        body = self.walk(cls, "")
        body.pop("description", None)
        found = {"$schema": _DRAFT, "title": title, "description": description, **body}
        if self.defs:
            found["$defs"] = dict(sorted(self.defs.items()))
        return found


def _provider_schema(rules: RuleSet | None) -> dict[str, Any] | None:
    if rules is None:
        return None
    names = "; ".join(f"{key}: {rules.providers[key].name}" for key in sorted(rules.providers))
    return {
        "enum": sorted(rules.providers),
        "description": f"The provider id, one of rule set {rules.label}'s ({names}).",
    }


# --- the schemas -----------------------------------------------------------------------------


def state_schema(rules: RuleSet | None = None, *, catalogue: Catalogue = CATALOGUE) -> dict[str, Any]:
    """The input state as ``UserState.from_dict`` reads it; ``rules`` narrows ``provider``.

    Every object is written in place (no ``$ref``), the form tool-calling APIs take best.
    """
    walker = _Walker(_input(catalogue, _provider_schema(rules)))
    return walker.document(
        UserState,
        "simcancel user state",
        f"{_summary(UserState)} What `simcancel assess` reads (UserState.from_dict / from_json). "
        "Generated from the model and the fact catalogue by `simcancel schema state`: do not edit.",
    )


_UNKNOWN_ANSWER = {
    "const": "unknown",
    "description": "Asked, and the person does not know. For activated_on: the day is not known (a "
    "state's null); for an enum with an unknown value: that value; anywhere else the field "
    "stays unknown and is not asked again.",
}


def _unknowable(schema: dict[str, Any]) -> dict[str, Any]:
    """A partial state's field: its state schema, or null (unknown), or "unknown"; inside an
    object, every property the same."""
    inner = dict(schema)
    description = inner.pop("description", None)
    if inner.get("type") == "object" and "properties" in inner:
        inner["properties"] = {key: _unknowable(value) for key, value in inner["properties"].items()}
    branches = inner["anyOf"] if set(inner) == {"anyOf"} else [inner]
    branches = [branch for branch in branches if branch != _NULL]
    return {**_describe(description), "anyOf": [*branches, dict(_NULL), dict(_UNKNOWN_ANSWER)]}


def partial_state_schema(rules: RuleSet | None = None, *, catalogue: Catalogue = CATALOGUE) -> dict[str, Any]:
    """A partial state as ``PartialState.from_dict`` reads it: the state's fields, none
    required, each also ``null`` (unknown) or ``"unknown"`` (asked, not known)."""
    walker = _Walker(_input(catalogue, _provider_schema(rules)), required=False)
    document = walker.document(
        UserState,
        "simcancel partial state",
        "What is known so far of one SIM account, as PartialState.from_dict reads it and "
        "`simcancel interview --answers` saves it: any field may be left out or null (not known), "
        'or "unknown" (asked, and the person does not know). Nothing is defaulted. Generated from '
        "the model and the fact catalogue by `simcancel schema partial-state`: do not edit.",
    )
    document["properties"] = {key: _unknowable(value) for key, value in document["properties"].items()}
    return document


def changeable_paths(catalogue: Catalogue = CATALOGUE) -> tuple[str, ...]:
    """The state paths a what-if change may set: every path a fact reads, every field a
    derivation writes, except the provider's (who a person is with is not theirs to change)."""
    paths: dict[str, None] = {}
    for spec in catalogue.specs:
        source = spec.source
        if isinstance(source, StatePath):
            paths.setdefault(source.path, None)
        elif source.read_provider is None:
            paths.update(dict.fromkeys(source.fields))
    return tuple(paths)


def _at(schema: Mapping[str, Any], path: str) -> dict[str, Any]:
    found = schema
    for key in path.split("."):
        found = found["properties"][key]
    return {key: value for key, value in found.items() if key != "description"}


def _state_change(catalogue: Catalogue) -> dict[str, Any]:
    """A change's value has the state schema of its path: one branch per changeable path."""
    state = state_schema(catalogue=catalogue)
    return {
        "oneOf": [
            {"properties": {"path": {"const": path}, "value": _at(state, path)}}
            for path in changeable_paths(catalogue)
        ]
    }


def assessment_schema(rules: RuleSet | None = None, *, catalogue: Catalogue = CATALOGUE) -> dict[str, Any]:
    """The answer as ``Assessment.to_dict()`` writes it; ``rules`` narrows ``provider``."""
    walker = _Walker(_output(_provider_schema(rules)), use_defs=True)
    walker.extra = {"StateChange": _state_change(catalogue)}
    return walker.document(
        Assessment,
        ASSESSMENT_SCHEMA_ID,
        "An assessment as Assessment.to_dict() and `simcancel assess --json` write it. Within "
        f"{ASSESSMENT_SCHEMA_ID} fields are only ever added, never renamed, removed or retyped, so its "
        "objects stay open to fields a later version adds. Generated from the model by "
        "`simcancel schema assessment`: do not edit.",
    )


def _rules(_rules: RuleSet | None) -> dict[str, Any]:
    return rules_schema()


SCHEMAS: Mapping[str, Callable[[RuleSet | None], dict[str, Any]]] = types.MappingProxyType(
    {
        "state": state_schema,
        "partial-state": partial_state_schema,
        "assessment": assessment_schema,
        "rules": _rules,
    }
)
"""Every schema by the name ``simcancel schema`` and :func:`json_schema` take."""


def json_schema(kind: str, *, rules: RuleSet | None = None) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) named ``kind``: ``"state"``, ``"partial-state"``,
    ``"assessment"`` or ``"rules"``.

    ``rules`` (a :class:`RuleSet`) limits the provider ids of the state and the assessment
    to its providers; the rules schema does not depend on it.  Each call returns a new dict.
    """
    if not isinstance(kind, str) or kind not in SCHEMAS:
        hint = did_you_mean(kind, SCHEMAS) if isinstance(kind, str) else ""
        raise UsageError(f"kind: expected one of {', '.join(SCHEMAS)}, got {shorten(kind)}{hint}")
    if rules is not None and not isinstance(rules, RuleSet):
        raise UsageError(f"rules: expected a RuleSet from load_rules() or None, got {shorten(rules)}")
    return SCHEMAS[kind](rules)


def schema_text(kind: str) -> str:
    """The schema ``kind`` as the bytes of its generated file (indented, one newline at the end)."""
    return json.dumps(json_schema(kind), ensure_ascii=False, indent=2) + "\n"
