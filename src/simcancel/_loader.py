"""Read and check rule packs; every problem names file, line and ``$.path``.

A pack is a directory::

    ruleset.yaml        name, version, locales
    claims.yaml         the claims register (ids, text, excuses)
    *.yaml              rule files: ``rules: [...]``
    providers/*.yaml    one provider each
    locales/*.yaml      labels (documents, routes, stages, headings) per locale

Everything is checked here, before durable-rules sees anything: durable answers a bad
rule set with a bare error code, or worse, hangs.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import os
import re
import string
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import attrs

from simcancel._compile import compile_condition
from simcancel._errors import Problem, ProblemTopic, RuleFileError, UsageError, did_you_mean, shorten
from simcancel._facts import FACTS, SHOWN, EngineValue, FactKind, FactSpec
from simcancel._limits import (
    DURABLE_PENDING,
    DURABLE_RULES_PER_TEST,
    DURABLE_TESTS_AFTER_ONE,
    MAX_GROUPS,
    MAX_PENDING,
    MAX_RULES,
    MAX_TESTS_PER_RULE,
    AlphaNetwork,
    Crossing,
    NetworkLimit,
    count_tests,
    group_count,
)
from simcancel._locales import plural_categories
from simcancel._render import REPORT_LABELS
from simcancel._ruleset import (
    PLURAL_CATEGORIES,
    AllOf,
    Always,
    AnyOf,
    Claim,
    Comparison,
    Condition,
    InPersonConfirmation,
    Localized,
    OnlineCancellation,
    Op,
    Plural,
    Provider,
    ProviderKind,
    Rule,
    RuleKind,
    RuleSet,
    Source,
    Text,
)
from simcancel._yaml import Document, parse_yaml_file
from simcancel.model import EXACT, RouteKind, Stage

__all__ = [
    "CHANNELS",
    "CLAIM_KEYS",
    "CLAIM_PATTERN",
    "ID_PATTERN",
    "LABEL_KEY_PATTERN",
    "LOCALE_PATTERN",
    "MANIFEST_KEYS",
    "NETWORK_LIMITS",
    "PROVIDER_KEYS",
    "PROVIDER_REQUIRED",
    "RULE_KEYS",
    "load_rules",
]

MAX_FILES = 200
ID_PATTERN = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")
CLAIM_PATTERN = re.compile(r"[A-Z]\d{1,3}")
LOCALE_PATTERN = re.compile(r"[a-z]{2,3}(?:-[A-Z][A-Za-z]{1,3})?")
LABEL_KEY_PATTERN = re.compile(r"[a-z_]+(?:\.[a-z0-9_]+)+")

_E = TypeVar("_E", bound=enum.Enum)
_T = TypeVar("_T")
MANIFEST_KEYS = {"name", "version", "locales", "description"}
RULE_KEYS = {
    "id",
    "kind",
    "claims",
    "when",
    "message",
    "fix",
    "stage",
    "route",
    "priority",
    "documents",
    "steps",
    "effective_from",
    "effective_until",
    "note",
}
CLAIM_KEYS = {"id", "section", "text", "source", "excuse"}
CHANNELS = ("app", "email", "helpline", "store", "website")
_ORDERED_OPS = {Op.GT, Op.GTE, Op.LT, Op.LTE}
_COMBINATORS = ("all", "any")
_WORD_KINDS = (FactKind.ENUM, FactKind.PROVIDER)
_STEP_STAGES = tuple(stage for stage in Stage if stage is not Stage.ROUTE)
_KEY_TOPICS: dict[str, ProblemTopic] = {"claims": "traceability", "locales": "i18n"}
"""A missing key is a problem about what it holds."""
_RULE_REQUIRED = ("id", "kind", "claims", "when", "message")
_ROUTE_ONLY_KEYS = ("route", "priority", "documents", "steps")
PROVIDER_REQUIRED = (
    "id",
    "name",
    "kind",
    "online_cancellation",
    "in_person_confirmation",
    "channels",
    "review_days",
    "languages",
    "sources",
    "checked",
)
PROVIDER_KEYS = {*PROVIDER_REQUIRED, "note", "fixes"}
PROVIDER_EXTENSION_KEYS = {"id", "extends", "fixes", "note"}
"""A later pack's file for a provider an earlier pack defines: ``extends: true`` and its fixes."""
PROVIDER_FIX_KEYS = {"id", "for", "claims", "message", "fix"}


# --- the pack and its readers -------------------------------------------------------------


class _Pack:
    """Problems and partial results while reading one or more pack directories."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.names: list[str] = []
        self.versions: list[str] = []
        self.parts: list[str] = []
        """Each pack that took part: ``name@version`` from its ruleset.yaml, else its directory name."""
        self.locales: tuple[str, ...] = ()
        self.claims: dict[str, Claim] = {}
        self.rules: list[Rule] = []
        self.providers: dict[str, Provider] = {}
        self.labels: dict[str, dict[str, str]] = {}
        self.label_readers: dict[str, _Reader] = {}
        # Checks that need every file read first, with where to report them.
        self.claim_uses: list[tuple[_Reader, str, str]] = []
        self.provider_uses: list[tuple[_Reader, str, str]] = []
        self.document_uses: list[tuple[_Reader, str, str]] = []
        self.localized: list[tuple[_Reader, str, dict[str, Text]]] = []
        self.first_seen: dict[str, tuple[str, int | None]] = {}
        self.provider_fixes: list[_ProviderFix] = []
        self.rule_places: dict[str, tuple[_Reader, str]] = {}
        """Where each rule of ``rules`` states its condition: its file's reader and the path
        there (a rule's ``when``; a provider fix, whose condition is its rule's, itself)."""


@attrs.frozen(kw_only=True, eq=False)
class _Reader:
    """Reads one document of a pack: typed values out of its data, problems into the pack.

    Each reading method returns the value, or ``None`` (an empty list for lists) after
    recording a problem at ``path`` with the document's file and line, under ``topic``:
    claims are traceability's, text by locale and labels i18n's (:meth:`about`).
    """

    pack: _Pack
    doc: Document
    topic: ProblemTopic = "load"

    def about(self, topic: ProblemTopic) -> _Reader:
        """The same document, its problems filed under ``topic``."""
        return self if topic == self.topic else attrs.evolve(self, topic=topic)

    def problem(self, path: str, message: str) -> None:
        """Record a problem at ``path`` of this document."""
        self.pack.problems.append(self.doc.problem(path, message, topic=self.topic))

    def mapping(
        self, value: Any, path: str, *, allowed: set[str], required: Iterable[str]
    ) -> dict[str, Any] | None:
        """A mapping with only ``allowed`` keys and every ``required`` one."""
        if not isinstance(value, dict):
            self.problem(path, f"expected a mapping, got {shorten(value)}")
            return None
        for key in value:
            if key not in allowed:
                self.problem(
                    f"{path}.{key}",
                    f"unknown key{did_you_mean(key, allowed)}; expected one of {', '.join(sorted(allowed))}",
                )
        for key in required:
            if key not in value:
                self.about(_KEY_TOPICS.get(key, self.topic)).problem(path, f"missing required key {key!r}")
        return value

    def text(self, value: Any, path: str, *, limit: int = 2000) -> str | None:
        """A non-empty string of at most ``limit`` characters."""
        if not isinstance(value, str) or not value.strip():
            self.problem(path, f"expected a non-empty string, got {shorten(value)}")
            return None
        if len(value) > limit:
            self.problem(path, f"expected at most {limit} characters, got {len(value)}")
            return None
        return value

    def identifier(self, value: Any, path: str) -> str | None:
        """An id of lowercase letters, digits, ``-`` and ``_``."""
        if not isinstance(value, str) or not ID_PATTERN.fullmatch(value) or len(value) > 64:
            self.problem(
                path,
                f"expected an id of lowercase letters, digits and '-' (at most 64), got {shorten(value)}",
            )
            return None
        return value

    def choice(self, value: Any, path: str, kind: type[_E], what: str) -> _E | None:
        """The member of enum ``kind`` whose value is ``value``; ``what`` names it in a problem."""
        values = [member.value for member in kind]
        for member in kind:
            if member.value == value:
                return member
        hint = did_you_mean(value, values) if isinstance(value, str) else ""
        self.problem(path, f"unknown {what} {shorten(value)}{hint}; expected one of {', '.join(values)}")
        return None

    def date(self, value: Any, path: str) -> dt.date | None:
        """A date written as YYYY-MM-DD."""
        if isinstance(value, dt.date):
            return value
        self.problem(path, f"expected a date as YYYY-MM-DD, got {shorten(value)}")
        return None

    def sequence(self, value: Any, path: str, *, non_empty: bool = False) -> list[Any]:
        """A list (``[]`` after a problem)."""
        if not isinstance(value, list):
            self.problem(path, f"expected a list, got {shorten(value)}")
            return []
        if non_empty and not value:
            self.problem(path, "expected a non-empty list, got []")
        return value

    def claim_ids(self, value: Any, path: str, *, non_empty: bool = False) -> list[str]:
        """Claim ids; whether each exists is checked once every claims file is read."""
        traced = self.about("traceability")
        claims: list[str] = []
        for index, claim in enumerate(traced.sequence(value, path, non_empty=non_empty)):
            if isinstance(claim, str) and CLAIM_PATTERN.fullmatch(claim):
                claims.append(claim)
                self.pack.claim_uses.append((traced, f"{path}[{index}]", claim))
            else:
                traced.problem(f"{path}[{index}]", f"expected a claim id like 'A4', got {shorten(claim)}")
        return claims

    def language_tags(self, value: Any, path: str, expected: str) -> list[str]:
        """A non-empty list of language tags (``en``, ``zh-CN``); ``expected`` describes one."""
        tags: list[str] = []
        for index, tag in enumerate(self.sequence(value, path, non_empty=True)):
            if isinstance(tag, str) and LOCALE_PATTERN.fullmatch(tag):
                tags.append(tag)
            else:
                self.problem(f"{path}[{index}]", f"expected {expected}, got {shorten(tag)}")
        return tags

    def localized(self, value: Any, path: str) -> dict[str, Text] | None:
        """Text by locale; completeness and placeholders are checked once locales are known."""
        i18n = self.about("i18n")
        if not isinstance(value, dict):
            i18n.problem(path, f"expected text by locale (e.g. zh-CN: ..., en: ...), got {shorten(value)}")
            return None
        texts: dict[str, Text] = {}
        for locale, text in value.items():
            checked = (
                i18n.plural(text, f"{path}.{locale}")
                if isinstance(text, dict)
                else i18n.text(text, f"{path}.{locale}")
            )
            if checked is not None:
                texts[locale] = checked
        self.pack.localized.append((i18n, path, texts))
        return texts

    def plural(self, value: dict[str, Any], path: str) -> Plural | None:
        """One locale's text in plural forms: ``{plural: <count fact>, one: ..., other: ...}``.

        Which categories the locale needs is checked once the locale is known."""
        allowed = {"plural", *PLURAL_CATEGORIES}
        data = self.mapping(value, path, allowed=allowed, required=("plural", "other"))
        if data is None:
            return None
        count = data.get("plural")
        if not isinstance(count, str) or count not in FACTS or FACTS[count].kind is not FactKind.COUNT:
            counts = [name for name, fact in FACTS.items() if fact.kind is FactKind.COUNT]
            hint = did_you_mean(count, counts) if isinstance(count, str) else ""
            self.problem(f"{path}.plural", f"expected a count fact, got {shorten(count)}{hint}")
            return None
        forms = {
            category: self.text(data[category], f"{path}.{category}")
            for category in PLURAL_CATEGORIES
            if category in data
        }
        if None in forms.values() or "other" not in forms:
            return None
        return Plural(count=count, forms={key: text for key, text in forms.items() if text is not None})


# --- conditions ---------------------------------------------------------------------------


def _word(reader: _Reader, spec: FactSpec, value: Any, path: str) -> str | None:
    """A constant of an enum or provider fact; providers are checked once all are read."""
    if not isinstance(value, str):
        reader.problem(path, f"fact {spec.name!r} takes a string, got {shorten(value)}")
        return None
    if spec.kind is FactKind.PROVIDER:
        reader.pack.provider_uses.append((reader, path, value))
    elif value not in spec.values:
        reader.problem(
            path,
            f"unknown value {value!r} for fact {spec.name!r}"
            f"{did_you_mean(value, spec.values)}; expected one of "
            f"{', '.join(spec.values)}",
        )
        return None
    return value


_EXACT = EXACT
"""The context amounts of rules are read in (:data:`simcancel.model.EXACT`): the rule set
read is cached on disk for every later process, so no caller's context may round them."""


def _paisa(reader: _Reader, spec: FactSpec, value: float | str, path: str) -> int | None:
    """An amount in PKR as whole paisa."""
    try:
        amount = Decimal(str(value))
        # Overflow ('1e999999999' * 100), Inexact and int(Infinity) are ArithmeticErrors too.
        paisa = _EXACT.multiply(amount, 100)
        whole = paisa == paisa.to_integral_value(context=_EXACT)
        number = int(paisa) if whole else 0
    except ArithmeticError:
        reader.problem(path, f"fact {spec.name!r} is an amount in PKR, got {shorten(value)}")
        return None
    if not whole:
        reader.problem(path, f"expected an amount in PKR with at most two decimals, got {shorten(value)}")
        return None
    return number


def _number(reader: _Reader, spec: FactSpec, value: Any, path: str) -> int | None:
    """A constant of a money (in paisa) or count fact, from 0 to the fact's upper bound.

    Bounded integers only: durable mishandles floats."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        reader.problem(path, f"fact {spec.name!r} is a number, got {shorten(value)}")
        return None
    if isinstance(value, float) and not math.isfinite(value):
        reader.problem(path, f"expected a finite number, got {value!r}")
        return None
    if spec.kind is FactKind.MONEY:
        number = _paisa(reader, spec, value, path)
        if number is None:
            return None
    elif isinstance(value, int):
        number = value
    else:
        reader.problem(path, f"fact {spec.name!r} is a whole number, got {shorten(value)}")
        return None
    if not 0 <= number <= spec.upper:
        unit = " (paisa)" if spec.kind is FactKind.MONEY else ""
        reader.problem(
            path,
            f"expected a constant from 0 to {spec.upper}{unit} for fact {spec.name!r}, got {shorten(value)}",
        )
        return None
    return number


def _engine_value(reader: _Reader, spec: FactSpec, value: Any, path: str) -> EngineValue | None:
    """One constant, typed for the engine (money in paisa), or ``None`` after a problem."""
    if spec.kind is not FactKind.BOOL:
        return (
            _word(reader, spec, value, path)
            if spec.kind in _WORD_KINDS
            else _number(reader, spec, value, path)
        )
    if isinstance(value, bool):
        return value
    reader.problem(path, f"fact {spec.name!r} is true or false, got {shorten(value)}")
    return None


def _test(reader: _Reader, fact: str, spec: FactSpec, raw: Any, path: str) -> list[Condition]:
    if not isinstance(raw, dict):
        value = _engine_value(reader, spec, raw, path)
        return [] if value is None else [Comparison(fact=fact, op=Op.EQ, value=value)]
    tests: list[Condition] = []
    if not raw:
        reader.problem(path, "expected a value or an operator mapping, got {}")
    for op_name, operand in raw.items():
        op_path = f"{path}.{op_name}"
        op = next((op for op in Op if op.value == op_name), None)
        if op is None:
            reader.problem(
                op_path,
                f"unknown operator {op_name!r}"
                f"{did_you_mean(str(op_name), [op.value for op in Op])}; expected one of "
                f"{', '.join(op.value for op in Op)}",
            )
            continue
        if op in _ORDERED_OPS and spec.kind not in (FactKind.MONEY, FactKind.COUNT):
            reader.problem(
                op_path, f"operator {op_name!r} needs a number, but fact {fact!r} is {spec.kind.value}"
            )
            continue
        if op in (Op.IN, Op.NOT_IN):
            items = reader.sequence(operand, op_path, non_empty=True)
            values = [
                _engine_value(reader, spec, item, f"{op_path}[{index}]") for index, item in enumerate(items)
            ]
            if items and None not in values:
                tests.append(Comparison(fact=fact, op=op, value=tuple(v for v in values if v is not None)))
            continue
        value = _engine_value(reader, spec, operand, op_path)
        if value is not None:
            tests.append(Comparison(fact=fact, op=op, value=value))
    return tests


def _condition(reader: _Reader, raw: Any, path: str) -> Condition | None:
    if raw == "always":
        return Always()
    if not isinstance(raw, dict) or not raw:
        reader.problem(path, f"expected 'always' or a mapping of facts and all/any, got {shorten(raw)}")
        return None
    parts: list[Condition] = []
    problems_before = len(reader.pack.problems)
    for key, value in raw.items():
        key_path = f"{path}.{key}"
        if key in _COMBINATORS:
            items = reader.sequence(value, key_path, non_empty=True)
            children = [_condition(reader, item, f"{key_path}[{index}]") for index, item in enumerate(items)]
            kept = tuple(child for child in children if child is not None)
            if kept:
                parts.append(AllOf(parts=kept) if key == "all" else AnyOf(parts=kept))
            continue
        spec = FACTS.get(key)
        if spec is None:
            reader.problem(key_path, f"unknown fact {key!r}{did_you_mean(key, FACTS)}")
            continue
        parts.extend(_test(reader, key, spec, value, key_path))
    if len(reader.pack.problems) > problems_before or not parts:
        return None
    return parts[0] if len(parts) == 1 else AllOf(parts=tuple(parts))


# --- files --------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class _RuleFields:
    """A rule's fields as read: ``None`` where a required one is missing or had a problem."""

    id: str | None
    kind: RuleKind | None
    claims: tuple[str, ...]
    when: Condition | None
    message: Localized | None
    fix: Localized | None
    stage: Stage | None
    route: RouteKind | None
    priority: int
    documents: tuple[str, ...]
    steps: tuple[Localized, ...]
    effective_from: dt.date | None
    effective_until: dt.date | None

    def rule(self, *, file: str, line: int) -> Rule | None:
        """The rule, or ``None`` when a required field is missing."""
        if self.id is None or self.kind is None or self.when is None or self.message is None:
            return None
        return Rule(
            id=self.id,
            kind=self.kind,
            claims=self.claims,
            when=self.when,
            message=self.message,
            fix=self.fix,
            stage=self.stage,
            route=self.route,
            priority=self.priority,
            documents=self.documents,
            steps=self.steps,
            effective_from=self.effective_from,
            effective_until=self.effective_until,
            file=file,
            line=line,
        )


def _optional(data: dict[str, Any], key: str, path: str, read: Callable[[Any, str], _T]) -> _T | None:
    """``read`` of ``data[key]`` at ``path.key`` when the key is there, else ``None``."""
    return read(data[key], f"{path}.{key}") if key in data else None


def _first_seen(reader: _Reader, key: str, path: str) -> str | None:
    """Where ``key`` (``provider:<id>``, ``claim:<id>``) was first defined, as ``file:line``;
    ``None``, after recording ``path`` of this file as its place, when this is the first."""
    if key in reader.pack.first_seen:
        file, line = reader.pack.first_seen[key]
        return f"{file}:{line}" if line else file
    reader.pack.first_seen[key] = (reader.doc.file, reader.doc.line(path))
    return None


def _rule_id(reader: _Reader, data: dict[str, Any], path: str) -> str | None:
    """A rule's id, unique across every file of every pack (``None`` when missing)."""
    if "id" not in data:
        return None
    rule_id = reader.identifier(data["id"], f"{path}.id")
    if rule_id is None:
        return None
    if rule_id in reader.pack.first_seen:
        file, line = reader.pack.first_seen[rule_id]
        reader.problem(f"{path}.id", f"duplicate rule id {rule_id!r}, first defined at {file}:{line}")
    else:
        reader.pack.first_seen[rule_id] = (reader.doc.file, reader.doc.line(path))
    return rule_id


def _rule_condition(reader: _Reader, value: Any, path: str) -> Condition | None:
    """A rule's ``when``, within durable-rules' limits (:mod:`simcancel._limits`)."""
    when = _condition(reader, value, path)
    if when is None:
        return None
    if count_tests(when) > MAX_TESTS_PER_RULE:
        reader.problem(
            path,
            f"expected at most {MAX_TESTS_PER_RULE} tests in one "
            f"condition (simcancel's own cap), got {count_tests(when)}",
        )
    elif group_count(when) > MAX_GROUPS:
        reader.problem(
            path,
            f"expected at most {MAX_GROUPS} all/any groups and "
            f"multi-value in/not_in tests in one condition (durable-rules' limit of 31 "
            f"expressions, two per group), got {group_count(when)}",
        )
    return when


def _priority(reader: _Reader, value: Any, path: str) -> int:
    """A route's priority, a whole number from 0 to 1000 (0 after a problem)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 1000:
        reader.problem(path, f"expected a whole number from 0 to 1000, got {shorten(value)}")
        return 0
    return value


def _documents(reader: _Reader, value: Any, path: str) -> tuple[str, ...]:
    """Document ids; whether each has a label is checked once every labels file is read."""
    documents: list[str] = []
    for index, item in enumerate(reader.sequence(value, path)):
        document = reader.identifier(item, f"{path}[{index}]")
        if document is not None:
            documents.append(document)
            reader.pack.document_uses.append((reader.about("i18n"), f"{path}[{index}]", document))
    return tuple(documents)


def _steps(reader: _Reader, value: Any, path: str) -> tuple[Localized, ...]:
    """A route's own steps, each a text by locale."""
    steps = [
        reader.localized(item, f"{path}[{index}]") for index, item in enumerate(reader.sequence(value, path))
    ]
    return tuple(step for step in steps if step is not None)


def _rule_fields(reader: _Reader, data: dict[str, Any], path: str) -> _RuleFields:
    """Every field of one rule, each read and checked by itself, in the order written."""
    fields = _RuleFields(
        id=_rule_id(reader, data, path),
        kind=_optional(data, "kind", path, lambda value, at: reader.choice(value, at, RuleKind, "rule kind")),
        claims=tuple(reader.claim_ids(data.get("claims", []), f"{path}.claims", non_empty=True)),
        when=_optional(data, "when", path, lambda value, at: _rule_condition(reader, value, at)),
        message=_optional(data, "message", path, reader.localized),
        fix=_optional(data, "fix", path, reader.localized),
        stage=_optional(data, "stage", path, lambda value, at: reader.choice(value, at, Stage, "stage")),
        route=_optional(data, "route", path, lambda value, at: reader.choice(value, at, RouteKind, "route")),
        priority=_priority(reader, data.get("priority", 0), f"{path}.priority"),
        documents=_documents(reader, data.get("documents", []), f"{path}.documents"),
        steps=_steps(reader, data.get("steps", []), f"{path}.steps"),
        effective_from=_optional(data, "effective_from", path, reader.date),
        effective_until=_optional(data, "effective_until", path, reader.date),
    )
    start, end = fields.effective_from, fields.effective_until
    if start and end and end < start:
        reader.problem(
            f"{path}.effective_until", f"expected a date on or after effective_from {start}, got {end}"
        )
    return fields


def _check_route_rule(reader: _Reader, data: dict[str, Any], path: str) -> None:
    """A route rule names its route and has no stage (its steps are the route's own)."""
    if "route" not in data:
        reader.problem(path, "a route rule needs 'route' (online, in_store or ask_provider)")
    if "stage" in data:
        reader.problem(f"{path}.stage", "a route rule has no stage: its steps go in the route stage")


def _check_issue_rule(
    reader: _Reader, data: dict[str, Any], path: str, kind: RuleKind, stage: Stage | None
) -> None:
    """An issue rule (blocking, warning, advice) takes no route keys; a stage needs a fix."""
    for key in _ROUTE_ONLY_KEYS:
        if key in data:
            reader.problem(f"{path}.{key}", f"only route rules take {key!r}, this rule is {kind.value}")
    if kind is RuleKind.BLOCKING and ("fix" not in data or "stage" not in data):
        reader.problem(
            path,
            "a blocking rule needs a 'fix' and the 'stage' it belongs to "
            f"({', '.join(step.value for step in _STEP_STAGES)})",
        )
    if stage is Stage.ROUTE:
        reader.problem(f"{path}.stage", "stage 'route' is for route rules' own steps")
    if stage is not None and "fix" not in data:
        reader.problem(f"{path}.stage", "a rule with a stage needs a 'fix' (the step text)")


def _read_rule(reader: _Reader, raw: Any, path: str) -> None:
    """Read one rule, check what its kind requires, and add it to the pack if it has no problem."""
    data = reader.mapping(raw, path, allowed=RULE_KEYS, required=_RULE_REQUIRED)
    if data is None:
        return
    before = len(reader.pack.problems)
    fields = _rule_fields(reader, data, path)
    if fields.kind is RuleKind.ROUTE:
        _check_route_rule(reader, data, path)
    elif fields.kind is not None:
        _check_issue_rule(reader, data, path, fields.kind, fields.stage)
    rule = fields.rule(file=reader.doc.file, line=reader.doc.line(path) or 0)
    if rule is not None and len(reader.pack.problems) == before:
        reader.pack.rules.append(rule)
        reader.pack.rule_places[rule.id] = (reader, f"{path}.when")


def _read_rule_file(reader: _Reader) -> None:
    """A rule file: ``rules: [...]``, at most MAX_RULES in the whole rule set."""
    data = reader.mapping(reader.doc.data, "$", allowed={"rules", "description"}, required=("rules",))
    if data is None:
        return
    items = reader.sequence(data.get("rules", []), "$.rules")
    if len(reader.pack.rules) + len(items) > MAX_RULES:
        reader.problem(
            "$.rules",
            f"expected at most {MAX_RULES} rules in a rule set "
            f"(simcancel's own cap), got {len(reader.pack.rules) + len(items)}",
        )
        return
    for index, raw in enumerate(items):
        _read_rule(reader, raw, f"$.rules[{index}]")


NETWORK_LIMITS: dict[NetworkLimit, tuple[str, str, str]] = {
    "tests": (
        "distinct tests after {at} across the rule set",
        f"durable-rules hangs from {DURABLE_TESTS_AFTER_ONE + 1}",
        "each value of an in/not_in and each branch of an any is a test of its own",
    ),
    "rules": (
        "rules ending with the test {at} after the same tests",
        f"durable-rules fails with error 108 past {DURABLE_RULES_PER_TEST}",
        "give some of them a test of their own",
    ),
    "pending": (
        "tests pending at once in durable-rules' evaluation",
        f"durable-rules fails with error 303 past {DURABLE_PENDING}",
        (
            "tests one state can make true together (ne, not_in, overlapping gt/lt ranges) and "
            "each any or multi-value in count; fewer such rules, or fewer tests shared before them"
        ),
    ),
}
"""Per limit of :class:`AlphaNetwork`: what is counted, durable's own limit, what to do."""


def _network_problem(crossing: Crossing) -> str:
    counted, durable, hint = NETWORK_LIMITS[crossing.kind]
    return (
        f"expected at most {crossing.limit} {counted.format(at=crossing.at)}, got {crossing.count} "
        f"with this rule ({durable}; {crossing.limit} keeps a margin below it): {hint}"
    )


def _check_network(pack: _Pack) -> None:
    """The whole rule set within durable-rules' rule-set-wide limits (:class:`AlphaNetwork`),
    each crossing reported at the rule that crosses it, before durable ever sees the rules."""
    expressions = [compile_condition(rule.when) for rule in pack.rules]
    network = AlphaNetwork()
    for rule, expression in zip(pack.rules, expressions, strict=True):
        for crossing in network.add(expression):
            reader, path = pack.rule_places[rule.id]
            reader.problem(path, _network_problem(crossing))
    if network.pending() <= MAX_PENDING:
        return
    # The first rule whose prefix of the rule set crosses (the bound only grows with rules).
    low, high = 0, len(expressions)
    while high - low > 1:
        middle = (low + high) // 2
        prefix = AlphaNetwork()
        for expression in expressions[:middle]:
            prefix.add(expression)
        low, high = (middle, high) if prefix.pending() <= MAX_PENDING else (low, middle)
    prefix = AlphaNetwork()
    for expression in expressions[:high]:
        prefix.add(expression)
    reader, path = pack.rule_places[pack.rules[high - 1].id]
    reader.problem(
        path, _network_problem(Crossing(kind="pending", limit=MAX_PENDING, count=prefix.pending()))
    )


def _channels(reader: _Reader, value: Any, path: str) -> tuple[str, ...]:
    """Where a provider takes requests, each one of CHANNELS."""
    channels: list[str] = []
    for index, channel in enumerate(reader.sequence(value, path)):
        if channel in CHANNELS:
            channels.append(channel)
        else:
            reader.problem(
                f"{path}[{index}]",
                f"unknown channel {shorten(channel)}"
                f"{did_you_mean(str(channel), CHANNELS)}; expected one of "
                f"{', '.join(CHANNELS)}",
            )
    return tuple(channels)


def _review_days(reader: _Reader, value: Any, path: str) -> tuple[int, int] | None:
    """``unknown`` (``None``) or [fewest, most] days from 0 to 365."""
    if value == "unknown":
        return None
    if (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(days, int) and not isinstance(days, bool) for days in value)
        and 0 <= value[0] <= value[1] <= 365
    ):
        return (value[0], value[1])
    reader.problem(path, f"expected 'unknown' or [fewest, most] days (0 to 365), got {shorten(value)}")
    return None


def _sources(reader: _Reader, value: Any, path: str) -> tuple[Source, ...]:
    """Where a provider's facts come from: a title, maybe a URL, the claims it supports."""
    sources: list[Source] = []
    for index, raw in enumerate(reader.sequence(value, path, non_empty=True)):
        at = f"{path}[{index}]"
        item = reader.mapping(raw, at, allowed={"title", "url", "claims"}, required=("title",))
        if item is None:
            continue
        title = reader.text(item.get("title"), f"{at}.title", limit=300)
        url = _optional(item, "url", at, lambda text, where: reader.text(text, where, limit=300))
        claims = reader.claim_ids(item.get("claims", []), f"{at}.claims")
        if title is not None:
            sources.append(Source(title=title, url=url, claims=tuple(claims)))
    return tuple(sources)


@attrs.frozen(kw_only=True, eq=False)
class _ProviderFix:
    """A provider's own fix text for a rule, read now and made a rule once every pack is read."""

    reader: _Reader
    path: str
    provider: str
    id: str
    target: str
    claims: tuple[str, ...]
    message: dict[str, Text]
    fix: dict[str, Text]


def _provider_fixes(reader: _Reader, provider_id: str | None, raw: Any, path: str) -> None:
    """``fixes: [{id, for, claims, message, fix}]``: what to do, said for this provider, after
    the fix of rule ``for`` (``*6611#`` for Jazz's value-added services)."""
    for index, item in enumerate(reader.sequence(raw, path)):
        at = f"{path}[{index}]"
        data = reader.mapping(item, at, allowed=PROVIDER_FIX_KEYS, required=sorted(PROVIDER_FIX_KEYS))
        if data is None:
            continue
        before = len(reader.pack.problems)
        fix_id = _rule_id(reader, data, at)
        target = reader.identifier(data.get("for"), f"{at}.for")
        claims = tuple(reader.claim_ids(data.get("claims", []), f"{at}.claims", non_empty=True))
        message = reader.localized(data.get("message"), f"{at}.message")
        fix = reader.localized(data.get("fix"), f"{at}.fix")
        if len(reader.pack.problems) > before or None in (provider_id, fix_id, target, message, fix):
            continue
        assert provider_id is not None
        assert fix_id is not None
        assert target is not None
        assert message is not None
        assert fix is not None
        reader.pack.provider_fixes.append(
            _ProviderFix(
                reader=reader,
                path=at,
                provider=provider_id,
                id=fix_id,
                target=target,
                claims=claims,
                message=message,
                fix=fix,
            )
        )


def _read_provider_extension(reader: _Reader, data: dict[str, Any]) -> None:
    """``extends: true``: fixes for a provider an earlier pack defines, in this pack's terms."""
    reader.mapping(data, "$", allowed=PROVIDER_EXTENSION_KEYS, required=("id", "extends", "fixes"))
    provider_id = reader.identifier(data.get("id"), "$.id")
    _provider_fixes(reader, provider_id, data.get("fixes"), "$.fixes")


def _provider_fix_rules(pack: _Pack) -> None:
    """Each provider fix becomes an advice rule at the stage of the rule it follows, firing
    when that rule does for that provider: the provider's words, as data of its file."""
    rules = {rule.id: rule for rule in pack.rules}
    for entry in pack.provider_fixes:
        reader = entry.reader
        if entry.provider not in pack.providers:
            reader.problem(
                "$.id", f"unknown provider {entry.provider!r}{did_you_mean(entry.provider, pack.providers)}"
            )
            continue
        target = rules.get(entry.target)
        if target is None or target.stage is None or target.fix is None:
            reader.problem(
                f"{entry.path}.for",
                f"expected the id of a rule with a stage and a fix, got {entry.target!r}"
                f"{did_you_mean(entry.target, rules)}",
            )
            continue
        provider_test = Comparison(fact="provider", op=Op.EQ, value=entry.provider)
        parts = target.when.parts if isinstance(target.when, AllOf) else (target.when,)
        pack.rules.append(
            Rule(
                id=entry.id,
                kind=RuleKind.ADVICE,
                claims=entry.claims,
                when=AllOf(parts=(*parts, provider_test)),
                message=entry.message,
                fix=entry.fix,
                stage=target.stage,
                effective_from=target.effective_from,
                effective_until=target.effective_until,
                file=reader.doc.file,
                line=reader.doc.line(entry.path) or 0,
            )
        )
        pack.rule_places[entry.id] = (reader, entry.path)


def _read_provider(reader: _Reader) -> None:
    """A provider file: one provider's policy, as far as its sources say."""
    if isinstance(reader.doc.data, dict) and reader.doc.data.get("extends") is True:
        _read_provider_extension(reader, reader.doc.data)
        return
    data = reader.mapping(reader.doc.data, "$", allowed=PROVIDER_KEYS, required=PROVIDER_REQUIRED)
    if data is None:
        return
    before = len(reader.pack.problems)
    provider_id = reader.identifier(data.get("id"), "$.id")
    if provider_id is not None:
        # Filed at this (the later) file, naming where the first one is.
        first = _first_seen(reader, f"provider:{provider_id}", "$.id")
        if first is not None:
            reader.problem("$.id", f"duplicate provider id {provider_id!r}, first defined at {first}")
    name = reader.text(data.get("name"), "$.name", limit=100)
    kind = reader.choice(data.get("kind"), "$.kind", ProviderKind, "provider kind")
    online = reader.choice(
        data.get("online_cancellation"),
        "$.online_cancellation",
        OnlineCancellation,
        "online_cancellation value",
    )
    in_person = reader.choice(
        data.get("in_person_confirmation"),
        "$.in_person_confirmation",
        InPersonConfirmation,
        "in_person_confirmation value",
    )
    channels = _channels(reader, data.get("channels"), "$.channels")
    review_days = _review_days(reader, data.get("review_days"), "$.review_days")
    languages = data.get("languages")
    if languages != "unknown":
        languages = reader.language_tags(languages, "$.languages", "a language tag like 'en' or 'ur'")
    sources = _sources(reader, data.get("sources"), "$.sources")
    checked = reader.date(data.get("checked"), "$.checked")
    if "fixes" in data:
        _provider_fixes(reader, provider_id, data["fixes"], "$.fixes")
    if (
        len(reader.pack.problems) > before
        or provider_id is None
        or name is None
        or kind is None
        or online is None
        or in_person is None
        or checked is None
    ):
        return
    reader.pack.providers[provider_id] = Provider(
        id=provider_id,
        name=name,
        kind=kind,
        online_cancellation=online,
        in_person_confirmation=in_person,
        channels=channels,
        review_days=review_days,
        languages=() if languages == "unknown" else tuple(languages),
        sources=sources,
        checked=checked,
        file=reader.doc.file,
    )


def _read_claims(reader: _Reader) -> None:
    """The claims register: ids, text, where each comes from, or why no rule encodes it."""
    reader = reader.about("traceability")
    data = reader.mapping(reader.doc.data, "$", allowed={"claims", "description"}, required=("claims",))
    if data is None:
        return
    for index, raw in enumerate(reader.sequence(data.get("claims", []), "$.claims")):
        path = f"$.claims[{index}]"
        item = reader.mapping(raw, path, allowed=CLAIM_KEYS, required=("id", "text"))
        if item is None:
            continue
        claim_id = item.get("id")
        if not isinstance(claim_id, str) or not CLAIM_PATTERN.fullmatch(claim_id):
            reader.problem(f"{path}.id", f"expected a claim id like 'A4', got {shorten(claim_id)}")
            continue
        first = _first_seen(reader, f"claim:{claim_id}", f"{path}.id")
        if first is not None:
            reader.problem(f"{path}.id", f"duplicate claim id {claim_id!r}, first defined at {first}")
            continue
        texts = {
            key: reader.text(item[key], f"{path}.{key}", limit=500)
            for key in ("text", "section", "source", "excuse")
            if key in item
        }
        text = texts.get("text")
        if text is None:
            continue
        reader.pack.claims[claim_id] = Claim(
            id=claim_id,
            text=text,
            section=texts.get("section"),
            source=texts.get("source"),
            excuse=texts.get("excuse"),
        )


def _read_labels(reader: _Reader, locale: str) -> None:
    """One locale's labels (documents, routes, stages, headings)."""
    reader = reader.about("i18n")
    data = reader.mapping(reader.doc.data, "$", allowed={"labels"}, required=("labels",))
    if data is None:
        return
    labels = data.get("labels")
    if not isinstance(labels, dict):
        reader.problem("$.labels", f"expected a mapping of label keys to text, got {shorten(labels)}")
        return
    merged = reader.pack.labels.setdefault(locale, {})
    for key, text in labels.items():
        if not LABEL_KEY_PATTERN.fullmatch(key):
            reader.problem(f"$.labels.{key}", "expected a dotted label key like 'document.passport_copy'")
            continue
        checked = reader.text(text, f"$.labels.{key}", limit=500)
        if checked is not None:
            merged[key] = checked
    reader.pack.label_readers[locale] = reader


def _read_manifest(reader: _Reader) -> None:
    """``ruleset.yaml``: the pack's name, version and locales (every pack has the first one's)."""
    data = reader.mapping(
        reader.doc.data, "$", allowed=MANIFEST_KEYS, required=("name", "version", "locales")
    )
    if data is None:
        return
    name = reader.identifier(data.get("name"), "$.name")
    version = data.get("version")
    if not isinstance(version, str) or not re.fullmatch(r"[0-9A-Za-z.+-]{1,40}", version):
        reader.problem("$.version", f"expected a version string like '2026.11.0', got {shorten(version)}")
        version = None
    i18n = reader.about("i18n")
    locales = i18n.language_tags(data.get("locales"), "$.locales", "a locale like 'zh-CN' or 'en'")
    if reader.pack.locales and locales and tuple(locales) != reader.pack.locales:
        i18n.problem(
            "$.locales",
            f"expected the same locales as the first pack "
            f"({', '.join(reader.pack.locales)}), got {', '.join(locales)}",
        )
    if name is not None and version is not None:
        reader.pack.names.append(name)
        reader.pack.versions.append(version)
    if not reader.pack.locales:
        reader.pack.locales = tuple(locales)


# --- cross-file checks ---------------------------------------------------------------------

_FIELD = string.Formatter()


def _placeholders(reader: _Reader, path: str, text: str) -> set[str] | None:
    try:
        parsed = list(_FIELD.parse(text))
    except ValueError as error:
        reader.problem(path, f"expected text with {{fact}} placeholders, got a broken brace: {error}")
        return None
    names: set[str] = set()
    for _literal, field, spec, conversion in parsed:
        if field is None:
            continue
        if field not in FACTS and field not in SHOWN:
            known = [*FACTS, *SHOWN]
            reader.problem(path, f"placeholder {{{field}}} is not a fact{did_you_mean(field, known)}")
        elif spec or conversion:
            reader.problem(path, f"placeholder {{{field}}} takes no format spec or conversion")
        names.add(field)
    return names


def _check_references(pack: _Pack) -> None:
    """Every cited claim and named provider exists, in some file of some pack."""
    for reader, path, claim in pack.claim_uses:
        if claim not in pack.claims:
            reader.problem(path, f"unknown claim id {claim!r}{did_you_mean(claim, pack.claims)}")
    for reader, path, provider in pack.provider_uses:
        if provider not in pack.providers:
            reader.problem(
                path,
                f"unknown provider {provider!r}"
                f"{did_you_mean(provider, pack.providers)}; expected one of "
                f"{', '.join(sorted(pack.providers))}",
            )


def _text_placeholders(reader: _Reader, path: str, text: Text, locale: str) -> set[str] | None:
    """The placeholders of one locale's text; of plural forms, every form's and the count.

    Plural forms must have every CLDR plural category of the locale, and no other."""
    if not isinstance(text, Plural):
        return _placeholders(reader, path, text)
    needed = [category for category in PLURAL_CATEGORIES if category in plural_categories(locale)]
    missing = [category for category in needed if category not in text.forms]
    if missing:
        reader.problem(
            path, f"missing plural form {', '.join(missing)}: locale {locale!r} has {', '.join(needed)}"
        )
    for category in text.forms:
        if category not in needed:
            reader.problem(
                f"{path}.{category}",
                f"locale {locale!r} has no plural category {category!r}; it has {', '.join(needed)}",
            )
    names: set[str] = {text.count}
    for category, form in text.forms.items():
        found = _placeholders(reader, f"{path}.{category}", form)
        if found is None:
            return None
        names |= found
    return names


def _check_localized(pack: _Pack, reader: _Reader, path: str, texts: dict[str, Text]) -> None:
    """One text by locale has exactly the rule set's locales, with the same placeholders."""
    for locale in texts:
        if locale not in pack.locales:
            reader.problem(
                f"{path}.{locale}",
                f"unknown locale {locale!r}"
                f"{did_you_mean(locale, pack.locales)}; the rule set's locales are "
                f"{', '.join(pack.locales)}",
            )
    missing = [locale for locale in pack.locales if locale not in texts]
    if missing:
        reader.problem(path, f"missing text for locale {', '.join(missing)}")
    found = {
        locale: _text_placeholders(reader, f"{path}.{locale}", text, locale) for locale, text in texts.items()
    }
    sets = {frozenset(names) for names in found.values() if names is not None}
    if len(sets) > 1:
        listed = "; ".join(f"{locale}: {sorted(names or ())}" for locale, names in found.items())
        reader.problem(path, f"expected the same placeholders in every locale, got {listed}")


def _check_labels(pack: _Pack) -> None:
    """Every locale has a labels file, with the same keys, every label the readable report
    shows, and a label for each document."""
    for locale in pack.locales:
        if locale not in pack.labels:
            pack.problems.append(
                Problem(
                    path="$",
                    message=f"missing labels file locales/{locale}.yaml",
                    file="locales",
                    topic="i18n",
                )
            )
    every_key = set().union(*(set(labels) for labels in pack.labels.values())) if pack.labels else set()
    for locale, labels in pack.labels.items():
        for key in sorted(every_key - set(labels)):
            pack.label_readers[locale].problem("$.labels", f"missing label {key!r} (other locales have it)")
    for locale, labels in pack.labels.items():
        if locale not in pack.label_readers:
            continue
        missing = [key for key in REPORT_LABELS if key not in labels and key not in every_key]
        if missing:
            listed = ", ".join(repr(key) for key in missing)
            pack.label_readers[locale].problem(
                "$.labels", f"missing labels the readable report shows: {listed}"
            )
    for reader, path, document in pack.document_uses:
        for locale in pack.locales:
            if f"document.{document}" not in pack.labels.get(locale, {}):
                reader.problem(
                    path, f"document {document!r} has no label 'document.{document}' in locales/{locale}.yaml"
                )


def _cross_check(pack: _Pack) -> None:
    """The checks that need every file of every pack read first."""
    _check_references(pack)
    if not pack.locales:
        return
    for reader, path, texts in pack.localized:
        _check_localized(pack, reader, path, texts)
    _check_labels(pack)


# --- locale packs ---------------------------------------------------------------------------

LOCALE_PACK_FILE = "locale.yaml"
LOCALE_PACK_KEYS = {"locale", "description", "texts", "labels"}
_TEXT_FIELDS = ("message", "fix", "steps")


def _locale_texts(reader: _Reader, entry: Any, path: str) -> dict[str, Any] | None:
    """One rule's texts in a locale pack: ``message``, ``fix`` and ``steps`` as the rule has them."""
    data = reader.mapping(entry, path, allowed=set(_TEXT_FIELDS), required=())
    if data is None:
        return None

    def one(value: Any, at: str) -> Text | None:
        return reader.plural(value, at) if isinstance(value, dict) else reader.text(value, at)

    found: dict[str, Any] = {}
    for field in ("message", "fix"):
        if field in data:
            found[field] = one(data[field], f"{path}.{field}")
    if "steps" in data:
        found["steps"] = [
            one(step, f"{path}.steps[{index}]")
            for index, step in enumerate(reader.sequence(data["steps"], f"{path}.steps"))
        ]
    return found


def _translated(reader: _Reader, rule: Rule, locale: str, texts: dict[str, Any], path: str) -> Rule | None:
    """``rule`` with its texts in ``locale`` added, or None after a problem (missing, extra, or
    other placeholders than the rule's first locale)."""
    first = next(iter(rule.message))
    wanted: dict[str, Localized] = {"message": rule.message}
    if rule.fix is not None:
        wanted["fix"] = rule.fix
    wanted |= {f"steps[{index}]": step for index, step in enumerate(rule.steps)}
    given: dict[str, Any] = {key: texts[key] for key in ("message", "fix") if key in texts}
    given |= {f"steps[{index}]": step for index, step in enumerate(texts.get("steps", []))}
    ok = True
    for key in wanted:
        if key not in given:
            reader.problem(path, f"missing {key} of rule {rule.id!r} ({rule.file}:{rule.line})")
            ok = False
    for key in given:
        if key not in wanted:
            reader.problem(f"{path}.{key}", f"rule {rule.id!r} has no {key} ({rule.file}:{rule.line})")
            ok = False
    for key, text in given.items():
        if key not in wanted or text is None:
            ok = False
            continue
        expected = _text_placeholders(reader, f"{path}.{key}", wanted[key][first], first)
        names = _text_placeholders(reader, f"{path}.{key}", text, locale)
        if names is not None and expected is not None and names != expected:
            reader.problem(
                f"{path}.{key}",
                f"expected the placeholders of {first} {sorted(expected)}, got {sorted(names)}",
            )
            ok = False
    if not ok:
        return None
    return attrs.evolve(
        rule,
        message={**rule.message, locale: given["message"]},
        fix=None if rule.fix is None else {**rule.fix, locale: given["fix"]},
        steps=tuple({**step, locale: given[f"steps[{index}]"]} for index, step in enumerate(rule.steps)),
    )


def _read_locale_pack(pack: _Pack, directory: Path, shown: str) -> tuple[str, _Reader, dict[str, Any]] | None:
    """``locale.yaml``: the locale, its labels (into the pack) and its texts by rule id."""
    result = parse_yaml_file(directory / LOCALE_PACK_FILE, f"{shown}/{LOCALE_PACK_FILE}")
    if isinstance(result, Problem):
        pack.problems.append(result)
        return None
    reader = _Reader(pack=pack, doc=result, topic="i18n")
    data = reader.mapping(result.data, "$", allowed=LOCALE_PACK_KEYS, required=("locale", "texts", "labels"))
    if data is None:
        return None
    tags = reader.language_tags([data.get("locale")], "$.locale", "a locale like 'ur'")
    if not tags:
        return None
    locale = tags[0]
    if locale in pack.locales:
        reader.problem(
            "$.locale", f"locale {locale!r} is already one of the rule set's ({', '.join(pack.locales)})"
        )
        return None
    labels = data.get("labels")
    if isinstance(labels, dict):
        merged = pack.labels.setdefault(locale, {})
        for key, text in labels.items():
            checked = reader.text(text, f"$.labels.{key}", limit=500)
            if checked is not None:
                merged[key] = checked
        pack.label_readers.setdefault(locale, reader)
    else:
        reader.problem("$.labels", f"expected a mapping of label keys to text, got {shorten(labels)}")
    texts = data.get("texts")
    if not isinstance(texts, dict):
        reader.problem("$.texts", f"expected a mapping of rule ids to texts, got {shorten(texts)}")
        texts = {}
    return locale, reader, texts


def _read_locale_packs(pack: _Pack, directories: list[tuple[Path, str]]) -> None:
    """Add each locale pack's locale to the rule set; each locale must be complete: every rule's
    every text and every label of the rule set, with the same placeholders."""
    if not directories:
        return
    if not pack.locales:
        return  # the rule packs did not load far enough to translate
    by_locale: dict[str, list[tuple[_Reader, dict[str, Any]]]] = {}
    for directory, shown in directories:
        read = _read_locale_pack(pack, directory, shown)
        if read is not None:
            by_locale.setdefault(read[0], []).append((read[1], read[2]))
    rules = {rule.id: rule for rule in pack.rules}
    base_labels = set(pack.labels.get(pack.locales[0], {}))
    for locale, readers in by_locale.items():
        before = len(pack.problems)
        entries = _locale_entries(readers, rules, locale)
        translated = _translate_all(pack, readers[0][0], entries, locale)
        labels = pack.labels.get(locale, {})
        for key in sorted(base_labels - set(labels)):
            readers[0][0].problem("$.labels", f"missing label {key!r} (other locales have it)")
        for key in sorted(set(labels) - base_labels):
            pack.label_readers[locale].problem(f"$.labels.{key}", f"unknown label key {key!r}")
        if len(pack.problems) == before:
            pack.rules = translated
            pack.locales = (*pack.locales, locale)


_Entries = dict[str, tuple[_Reader, dict[str, Any], str]]


def _locale_entries(
    readers: list[tuple[_Reader, dict[str, Any]]], rules: dict[str, Rule], locale: str
) -> _Entries:
    """The texts of each rule id in one locale's packs, with where they were read."""
    entries: _Entries = {}
    for reader, texts in readers:
        for rule_id, entry in texts.items():
            path = f"$.texts.{rule_id}"
            if rule_id not in rules:
                reader.problem(path, f"unknown rule id {rule_id!r}{did_you_mean(str(rule_id), rules)}")
            elif rule_id in entries:
                reader.problem(path, f"duplicate texts for rule {rule_id!r} in locale {locale!r}")
            else:
                given = _locale_texts(reader, entry, path)
                if given is not None:
                    entries[rule_id] = (reader, given, path)
    return entries


def _translate_all(pack: _Pack, first_reader: _Reader, entries: _Entries, locale: str) -> list[Rule]:
    """Every rule with its ``locale`` texts; a rule without them is a problem of the locale pack."""
    translated: list[Rule] = []
    for rule in pack.rules:
        if rule.id not in entries:
            first_reader.problem("$.texts", f"missing texts for rule {rule.id!r} ({rule.file}:{rule.line})")
            continue
        reader, given, path = entries[rule.id]
        done = _translated(reader, rule, locale, given, path)
        if done is not None:
            translated.append(done)
    return translated


def _files(directory: Path, pattern: str, refused: list[Path] | None = None) -> list[Path]:
    """The regular files matching ``pattern``; links and special files (FIFOs, devices) go to
    ``refused``: a pack is read without following a link out of it or blocking on a pipe."""
    found = []
    for path in sorted(directory.glob(pattern)):
        if path.is_symlink() or (path.exists() and not path.is_file() and not path.is_dir()):
            if refused is not None:
                refused.append(path)
        elif path.is_file():
            found.append(path)
    return found


def _refusal(path: Path) -> str:
    kind = "a symbolic link" if path.is_symlink() else "not a regular file (a FIFO, socket or device)"
    return f"refused: {kind}; rule packs hold plain files and are read without following links"


def _shown_name(directory: Path, anchor: Path) -> str:
    """How files of ``directory`` are named in problems: relative to the first pack's
    parent when inside it (``rules/public-facts``), else by the directory's own name;
    never by where it is installed."""
    try:
        return directory.resolve().relative_to(anchor).as_posix()
    except ValueError:
        return directory.name or str(directory)


def _read_pack(pack: _Pack, directory: Path, *, first: bool, shown: str) -> None:

    def reader(path: Path) -> _Reader | None:
        result = parse_yaml_file(path, f"{shown}/{path.relative_to(directory)}")
        if isinstance(result, Problem):
            pack.problems.append(result)
            return None
        return _Reader(pack=pack, doc=result)

    manifest = directory / "ruleset.yaml"
    named = len(pack.names)
    if manifest.is_file():
        manifest_reader = reader(manifest)
        if manifest_reader is not None:
            _read_manifest(manifest_reader)
    elif first:
        pack.problems.append(
            Problem(
                path="$",
                file=f"{shown}/ruleset.yaml",
                message="missing: a rule pack starts with ruleset.yaml (name, version, locales)",
            )
        )
    named_by_manifest = len(pack.names) > named
    pack.parts.append(
        f"{pack.names[-1]}@{pack.versions[-1]}" if named_by_manifest else directory.resolve().name
    )
    refused: list[Path] = []
    readers: list[tuple[list[Path], Callable[[_Reader, Path], None]]] = [
        (_files(directory, "claims.yaml"), lambda file, _path: _read_claims(file)),
        (_files(directory / "locales", "*.yaml", refused), lambda file, path: _read_labels(file, path.stem)),
        (_files(directory / "providers", "*.yaml", refused), lambda file, _path: _read_provider(file)),
        (
            [
                path
                for path in _files(directory, "*.yaml", refused)
                if path.name not in {"ruleset.yaml", "claims.yaml"}
            ],
            lambda file, _path: _read_rule_file(file),
        ),
    ]
    for path in refused:
        pack.problems.append(
            Problem(path="$", file=f"{shown}/{path.relative_to(directory)}", message=_refusal(path))
        )
    total = sum(len(paths) for paths, _ in readers)
    if total > MAX_FILES:
        pack.problems.append(
            Problem(
                path="$", file=shown, message=f"expected at most {MAX_FILES} files in a pack, got {total}"
            )
        )
        return
    for paths, read in readers:
        for path in paths:
            file_reader = reader(path)
            if file_reader is not None:
                read(file_reader, path)


def load_rules(*directories: str | Path) -> RuleSet:
    """Load and check one or more rule packs into a :class:`RuleSet`.

    Later packs add claims, providers and rules to the first (ids must stay unique).  A
    locale pack (a directory with ``locale.yaml``) adds a locale to the rules of every other
    pack, whatever its place in the arguments, and must translate all of them.
    Raises :class:`RuleFileError` listing every problem, each with file, line and path.
    """
    if not directories:
        raise UsageError("load_rules: expected at least one rule pack directory (str or Path), got none")
    if bad := [d for d in directories if not isinstance(d, str | os.PathLike)]:
        raise UsageError(f"load_rules: expected rule pack directories (str or Path), got {shorten(bad[0])}")
    pack = _Pack()
    locale_packs: list[tuple[Path, str]] = []
    for index, directory in enumerate(directories):
        path = Path(directory)
        if not path.is_dir():
            pack.problems.append(
                Problem(path="$", file=str(directory), message="expected a rule pack directory, found none")
            )
            continue
        shown = _shown_name(path, Path(directories[0]).resolve().parent)
        if (path / LOCALE_PACK_FILE).is_file() and not (path / "ruleset.yaml").is_file():
            locale_packs.append((path, shown))
            continue
        _read_pack(pack, path, first=index == 0, shown=shown)
    _provider_fix_rules(pack)
    _check_network(pack)
    _cross_check(pack)
    _read_locale_packs(pack, locale_packs)
    if not pack.problems and not pack.rules:
        pack.problems.append(
            Problem(path="$", file=str(directories[0]), message="expected at least one rule, found none")
        )
    if pack.problems:
        raise RuleFileError(pack.problems)
    return RuleSet(
        name=pack.names[0],
        version=pack.versions[0],
        packs=tuple(pack.parts),
        locales=pack.locales,
        claims=pack.claims,
        rules=tuple(pack.rules),
        providers=pack.providers,
        labels=pack.labels,
        sources=tuple(str(Path(d)) for d in directories),
    )
