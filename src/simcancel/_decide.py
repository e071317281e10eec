"""Fired rules -> :class:`~simcancel.Assessment`: route choice, step order, messages.

Everything here depends only on the *set* of fired rule ids, never on the order in
which rule files or rules were read: issues are ordered by stage, then rule id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from simcancel._errors import NoRouteError
from simcancel._facts import FACTS, EngineValue, FactKind, display_value
from simcancel._locales import plural_category
from simcancel._ruleset import Localized, Plural, Rule, RuleKind, RuleSet, claim_sort_key
from simcancel.model import (
    Assessment,
    Document,
    Issue,
    IssueKind,
    RouteOption,
    Stage,
    Step,
)

__all__ = ["SHOWN_LABELS", "decide", "route_order", "shown_labels"]

_STAGE_ORDER = {stage: index for index, stage in enumerate(Stage)}
_ISSUE_KIND = {
    RuleKind.BLOCKING: IssueKind.BLOCKING,
    RuleKind.WARNING: IssueKind.WARNING,
    RuleKind.ADVICE: IssueKind.ADVICE,
}


def route_order(rule: Rule) -> tuple[int, str]:
    """Sort key of route rules: highest priority first, then rule id."""
    return (-rule.priority, rule.id)


def _issue_order(rule: Rule) -> tuple[int, str]:
    return (_STAGE_ORDER[rule.stage] if rule.stage else len(_STAGE_ORDER), rule.id)


class _Renderer:
    """Turns a rule's texts into one locale, filling placeholders with fact values."""

    def __init__(self, rules: RuleSet, facts: Mapping[str, EngineValue], locale: str) -> None:
        self.rules = rules
        self.facts = facts
        self.locale = locale
        self.values = {name: self._shown(name, value) for name, value in facts.items() if name in FACTS}

    def _shown(self, name: str, value: EngineValue) -> EngineValue:
        if FACTS[name].kind is FactKind.PROVIDER and isinstance(value, str):
            return self.rules.providers[value].name
        return display_value(name, value)

    def text(self, localized: Localized) -> str:
        # Placeholders were checked at load time: fact names only, no format specs.
        text = localized[self.locale]
        if isinstance(text, Plural):
            # The loader checked that the forms cover every plural category of the locale.
            count = self.facts[text.count]
            assert isinstance(count, int)
            text = text.forms[plural_category(self.locale, count)]
        return text.format_map(self.values)

    def label(self, key: str) -> str:
        return self.rules.labels[self.locale].get(key, key)

    def trigger(self, rule: Rule) -> tuple[tuple[str, EngineValue], ...]:
        return tuple((name, self.values[name]) for name in rule.facts)

    def issue(self, rule: Rule) -> Issue:
        return Issue(
            code=rule.id,
            kind=_ISSUE_KIND[rule.kind],
            message=self.text(rule.message),
            fix=self.text(rule.fix) if rule.fix is not None else None,
            claims=rule.claims,
            facts=self.trigger(rule),
        )

    def route(self, rule: Rule) -> RouteOption:
        assert rule.route is not None
        return RouteOption(
            route=rule.route,
            code=rule.id,
            reason=self.text(rule.message),
            claims=rule.claims,
            facts=self.trigger(rule),
        )


SHOWN_LABELS = ("format.", "heading.", "kind.", "route.", "stage.", "what_if.")
"""The label keys every assessment carries, so that it can be shown without its rule set."""


def shown_labels(rules: RuleSet, locale: str, provider: str) -> dict[str, str]:
    """The labels an assessment of ``provider`` in ``locale`` carries, sorted by key.

    ``provider.<id>`` is the provider's display name: its label in the locale when it has
    one (the catch-all ``other`` is translated), else its name (a brand).
    """
    texts = rules.labels.get(locale, {})
    found = {key: text for key, text in texts.items() if key.startswith(SHOWN_LABELS)}
    name = f"provider.{provider}"
    found[name] = texts.get(name, rules.providers[provider].name)
    return dict(sorted(found.items()))


def _claims(rules: Iterable[Rule]) -> tuple[str, ...]:
    return tuple(sorted({claim for rule in rules for claim in rule.claims}, key=claim_sort_key))


def decide(
    rules: RuleSet, fired: Iterable[str], facts: Mapping[str, EngineValue], *, locale: str, as_of: dt.date
) -> Assessment:
    """Build the assessment from the ids of the rules that fired for ``facts``."""
    fired_ids = set(fired)
    active = [rule for rule in rules.rules if rule.id in fired_ids and rule.in_effect(as_of)]
    render = _Renderer(rules, facts, locale)

    issues = sorted((rule for rule in active if rule.kind is not RuleKind.ROUTE), key=_issue_order)
    routes = sorted((rule for rule in active if rule.kind is RuleKind.ROUTE), key=route_order)
    if not routes:
        raise NoRouteError(
            f"rule set {rules.label} gives no route for provider "
            f"{facts.get('provider')!r} with these facts; run "
            f"`simcancel verify` on it to find the gap"
        )
    primary = routes[0]
    alternatives: list[Rule] = []
    for rule in routes[1:]:
        if rule.route is not primary.route and all(rule.route is not alt.route for alt in alternatives):
            alternatives.append(rule)

    steps = [
        Step(stage=rule.stage, text=render.text(rule.fix), code=rule.id, claims=rule.claims)
        for rule in issues
        if rule.stage is not None and rule.fix is not None
    ]
    steps.extend(
        Step(stage=Stage.ROUTE, text=render.text(step), code=primary.id, claims=primary.claims)
        for step in primary.steps
    )
    steps.sort(key=lambda step: _STAGE_ORDER[step.stage])  # stable: keeps order within a stage

    used = [*issues, primary, *alternatives]
    return Assessment(
        provider=str(facts["provider"]),
        locale=locale,
        as_of=as_of,
        ruleset=rules.label,
        blocking=tuple(render.issue(r) for r in issues if r.kind is RuleKind.BLOCKING),
        warnings=tuple(render.issue(r) for r in issues if r.kind is RuleKind.WARNING),
        advice=tuple(render.issue(r) for r in issues if r.kind is RuleKind.ADVICE),
        route=render.route(primary),
        alternatives=tuple(render.route(rule) for rule in alternatives),
        documents=tuple(Document(id=doc, name=render.label(f"document.{doc}")) for doc in primary.documents),
        steps=tuple(steps),
        claims=_claims(used),
        labels=shown_labels(rules, locale, str(facts["provider"])),
    )
