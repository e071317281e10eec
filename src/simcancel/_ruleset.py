"""A loaded rule set: rules, their conditions, providers, claims and labels, all checked."""

from __future__ import annotations

import datetime as dt
import enum
import functools
import re
from collections.abc import Iterable, Mapping

import attrs

from simcancel._errors import InvalidStateError, Problem, did_you_mean, shorten
from simcancel._facts import EngineValue
from simcancel._frozen import FrozenMapping, frozen_tuple
from simcancel._frozen import frozen as _frozen
from simcancel.model import RouteKind, Stage

__all__ = [
    "AllOf",
    "Always",
    "AnyOf",
    "Claim",
    "Condition",
    "InPersonConfirmation",
    "Localized",
    "OnlineCancellation",
    "Op",
    "PLURAL_CATEGORIES",
    "Plural",
    "Provider",
    "ProviderKind",
    "Rule",
    "RuleKind",
    "RuleSet",
    "Source",
    "Text",
    "Comparison",
    "FrozenMapping",
    "claim_sort_key",
    "text_forms",
]


# attrs' mypy plugin takes a converter's parameter type as the field's __init__ type, but
# cannot solve a generic converter: one concretely typed converter per element type.


def _strings(items: Iterable[str]) -> tuple[str, ...]:
    return frozen_tuple(items)


class RuleKind(enum.Enum):
    """What a rule contributes to an assessment."""

    BLOCKING = "blocking"
    WARNING = "warning"
    ADVICE = "advice"
    ROUTE = "route"


class Op(enum.Enum):
    """The operators of a comparison."""

    EQ = "eq"
    NE = "ne"
    GT = "gt"
    GTE = "gte"
    LT = "lt"
    LTE = "lte"
    IN = "in"
    NOT_IN = "not_in"


def _value(value: EngineValue | Iterable[EngineValue]) -> EngineValue | tuple[EngineValue, ...]:
    if isinstance(value, (str, int)):
        return value
    return frozen_tuple(value)


@attrs.frozen(kw_only=True)
class Comparison:
    """``fact <op> value``; values are engine-typed (money already in paisa)."""

    fact: str
    op: Op
    value: EngineValue | tuple[EngineValue, ...] = attrs.field(converter=_value)


def _conditions(parts: Iterable[Condition]) -> tuple[Condition, ...]:
    return frozen_tuple(parts)


@attrs.frozen(kw_only=True)
class AllOf:
    """True when every part is true."""

    parts: tuple[Condition, ...] = attrs.field(converter=_conditions)


@attrs.frozen(kw_only=True)
class AnyOf:
    """True when some part is true."""

    parts: tuple[Condition, ...] = attrs.field(converter=_conditions)


@attrs.frozen(kw_only=True)
class Always:
    """True for every state (``when: always``)."""


Condition = Comparison | AllOf | AnyOf | Always


def condition_facts(condition: Condition) -> tuple[str, ...]:
    """The fact names a condition reads, in first-use order, without repeats."""
    seen: dict[str, None] = {}

    def walk(node: Condition) -> None:
        if isinstance(node, Comparison):
            seen.setdefault(node.fact, None)
        elif isinstance(node, (AllOf, AnyOf)):
            for part in node.parts:
                walk(part)

    walk(condition)
    return tuple(seen)


PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")
"""CLDR's plural categories, in CLDR's order."""


def _forms(forms: Mapping[str, str]) -> Mapping[str, str]:
    return _frozen(forms)


@attrs.frozen(kw_only=True)
class Plural:
    """One locale's text in plural forms: the form for the CLDR plural category of the
    value of ``count`` (``{plural: active_services, one: ..., other: ...}``)."""

    count: str
    """The count fact whose value picks the form."""
    forms: Mapping[str, str] = attrs.field(converter=_forms)
    """Text by CLDR plural category (``one``, ``other``, ...); ``other`` is always there."""

    def texts(self) -> tuple[str, ...]:
        """Every form, in CLDR's category order."""
        return tuple(self.forms[category] for category in PLURAL_CATEGORIES if category in self.forms)


Text = str | Plural
"""One locale's text: a string, or its plural forms."""

Localized = Mapping[str, Text]
"""Text by locale (``{"zh-CN": ..., "en": ...}``); a rule holds it read-only."""


def text_forms(text: Text) -> tuple[str, ...]:
    """The strings of one locale's text: itself, or each of its plural forms."""
    return text.texts() if isinstance(text, Plural) else (text,)


def _localized(text: Mapping[str, Text]) -> Localized:
    return _frozen(text)


def _optional_localized(text: Mapping[str, Text] | None) -> Localized | None:
    return None if text is None else _frozen(text)


def _localized_tuple(texts: Iterable[Mapping[str, Text]]) -> tuple[Localized, ...]:
    return tuple(_frozen(text) for text in frozen_tuple(texts))


@attrs.frozen(kw_only=True)
class Rule:
    """One rule: when its condition holds, it adds an issue or a route option."""

    id: str
    kind: RuleKind
    claims: tuple[str, ...] = attrs.field(converter=_strings)
    when: Condition
    message: Localized = attrs.field(converter=_localized)
    """The issue's message, or the route's reason."""
    fix: Localized | None = attrs.field(default=None, converter=_optional_localized)
    stage: Stage | None = None
    """Where the fix goes in the ordered steps (``None``: it is not a step)."""
    route: RouteKind | None = None
    priority: int = 0
    """Among route rules that fire, the highest priority is the primary route."""
    documents: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    steps: tuple[Localized, ...] = attrs.field(default=(), converter=_localized_tuple)
    effective_from: dt.date | None = None
    effective_until: dt.date | None = None
    file: str = "<memory>"
    line: int = 0
    facts: tuple[str, ...] = attrs.field(
        init=False, default=attrs.Factory(lambda rule: condition_facts(rule.when), takes_self=True)
    )
    """The facts this rule's condition reads, in first-use order."""

    def in_effect(self, on: dt.date) -> bool:
        """Whether the rule applies on ``on`` (its effective dates are inclusive)."""
        if self.effective_from is not None and on < self.effective_from:
            return False
        return self.effective_until is None or on <= self.effective_until


class ProviderKind(enum.Enum):
    """A local operator (Jazz, Zong, ...) or an international eSIM platform (A7)."""

    LOCAL_OPERATOR = "local_operator"
    ESIM_PLATFORM = "esim_platform"
    UNKNOWN = "unknown"


class OnlineCancellation(enum.Enum):
    """Whether the provider accepts cancellation online, as far as a source says."""

    SUPPORTED = "supported"
    NOT_SUPPORTED = "not_supported"
    UNKNOWN = "unknown"


class InPersonConfirmation(enum.Enum):
    """Whether the provider requires an in-person confirmation, as far as a source says."""

    REQUIRED = "required"
    NOT_REQUIRED = "not_required"
    UNKNOWN = "unknown"


@attrs.frozen(kw_only=True)
class Source:
    """Where a provider fact comes from."""

    title: str
    url: str | None = None
    claims: tuple[str, ...] = attrs.field(default=(), converter=_strings)


def _sources(sources: Iterable[Source]) -> tuple[Source, ...]:
    return frozen_tuple(sources)


def _review_days(days: Iterable[int] | None) -> tuple[int, int] | None:
    if days is None:
        return None
    fewest, most = frozen_tuple(days)
    return (fewest, most)


@attrs.frozen(kw_only=True)
class Provider:
    """One provider's cancellation policy; anything no source states is ``unknown``."""

    id: str
    name: str
    kind: ProviderKind
    online_cancellation: OnlineCancellation
    in_person_confirmation: InPersonConfirmation
    channels: tuple[str, ...] = attrs.field(converter=_strings)
    """Where requests are made: ``store``, ``website``, ``app``, ``helpline``..."""
    review_days: tuple[int, int] | None = attrs.field(converter=_review_days)
    """Typical review time in days (fewest, most), or ``None`` when unknown."""
    languages: tuple[str, ...] = attrs.field(converter=_strings)
    """Languages of support; empty when unknown."""
    sources: tuple[Source, ...] = attrs.field(converter=_sources)
    checked: dt.date
    """The day the sources were last read."""
    file: str = "<memory>"

    @property
    def has_store(self) -> bool:
        """The provider has stores a person can visit."""
        return "store" in self.channels


@attrs.frozen(kw_only=True)
class Claim:
    """A statement of the source article (A*) or a public fact (B*)."""

    id: str
    text: str
    section: str | None = None
    source: str | None = None
    excuse: str | None = None
    """Why no rule encodes it (one line), or ``None`` when rules must cover it."""


_CLAIM_ID = re.compile(r"([A-Z]+)(\d+)")


@functools.lru_cache(maxsize=4096)
def claim_sort_key(claim_id: str) -> tuple[str, int, str]:
    """Sort ``A2`` before ``A10``."""
    match = _CLAIM_ID.fullmatch(claim_id)
    return (match.group(1), int(match.group(2)), "") if match else ("~", 0, claim_id)


def _rules(rules: Iterable[Rule]) -> tuple[Rule, ...]:
    return frozen_tuple(rules)


def _claims(claims: Mapping[str, Claim]) -> Mapping[str, Claim]:
    return _frozen(claims)


def _providers(providers: Mapping[str, Provider]) -> Mapping[str, Provider]:
    return _frozen(providers)


def _labels(labels: Mapping[str, Mapping[str, str]]) -> Mapping[str, Mapping[str, str]]:
    if type(labels) is FrozenMapping and all(type(texts) is FrozenMapping for texts in labels.values()):
        return labels
    return FrozenMapping({locale: _frozen(texts) for locale, texts in labels.items()})


@attrs.frozen(kw_only=True, eq=False)
class RuleSet:
    """A checked rule set, ready to evaluate.  Build it with :func:`simcancel.load_rules`.

    Compared by identity: the engine compiles each rule set once and keeps it.  Every
    mapping in it, nested ones included, is a read-only :class:`FrozenMapping` over a
    copy, and every sequence a tuple: the cached rule set cannot be changed by its users.
    """

    name: str
    version: str
    locales: tuple[str, ...] = attrs.field(converter=_strings)
    claims: Mapping[str, Claim] = attrs.field(converter=_claims)
    rules: tuple[Rule, ...] = attrs.field(converter=_rules)
    providers: Mapping[str, Provider] = attrs.field(converter=_providers)
    labels: Mapping[str, Mapping[str, str]] = attrs.field(converter=_labels)
    """Per locale, the names of documents, routes, stages and headings."""
    sources: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    """The directories it was loaded from."""
    packs: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    """Every pack that took part, in load order: ``name@version`` from its ``ruleset.yaml``,
    or its directory name when it has none.  ``name`` and ``version`` are the first's."""

    @property
    def label(self) -> str:
        """Which rules answered, as recorded in every assessment: every pack that took part
        (``simcancel-builtin@2026.11.0+public-facts@2026.11.0+my_pack``), or ``name@version``."""
        return "+".join(self.packs) if self.packs else f"{self.name}@{self.version}"

    def provider(self, provider_id: str) -> Provider:
        """The provider with this id; an unknown id is an :class:`InvalidStateError`."""
        try:
            return self.providers[provider_id]
        except KeyError:
            known = ", ".join(sorted(self.providers))
            raise InvalidStateError(
                [
                    Problem(
                        path="$.provider",
                        message=f"expected a provider of rule set "
                        f"{self.label} ({known}), got {shorten(provider_id)}"
                        f"{did_you_mean(provider_id, self.providers)}",
                    )
                ]
            ) from None

    def rule(self, rule_id: str) -> Rule:
        """The rule with this id (``KeyError`` if there is none)."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)
