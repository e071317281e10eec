"""Fired rules -> :class:`~simcancel.Assessment`: route choice, step order, messages.

Everything here depends only on the *set* of fired rule ids, never on the order in
which rule files or rules were read: issues are ordered by stage, then rule id.
"""

from __future__ import annotations

import datetime as dt
import operator
import string
import weakref
from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

from simcancel import _fast
from simcancel._errors import NoRouteError
from simcancel._facts import FACTS, SHOWN, EngineValue, FactKind, display_value, pkr
from simcancel._frozen import FrozenMapping
from simcancel._locales import plural_category
from simcancel._memo import ForkSafeLock
from simcancel._ruleset import Plural, Rule, RuleKind, RuleSet, claim_sort_key
from simcancel.model import (
    Assessment,
    Document,
    Issue,
    IssueKind,
    RouteOption,
    Stage,
    Step,
)

__all__ = ["SHOWN_LABELS", "decide", "issue_rank", "render_partial", "route_order", "shown_labels"]

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


_ROUTE_STAGE = _STAGE_ORDER[Stage.ROUTE]
_FINITE_KINDS = frozenset({FactKind.BOOL, FactKind.ENUM, FactKind.PROVIDER})
_FIELDS = string.Formatter()
_MEMO_LIMIT = 4096
"""At most this many memoized issues, claim lists, ... per plan (a bound, not a tuning)."""
_NUMBER_MEMO_LIMIT = 256
"""At most this many memoized issues per rule that reads an amount, a count or a day: its
values are countless, so the memo keeps the first ones seen (0 comes early), and a few
hundred kilobytes per rule set and locale at most."""


class _Text:
    """One localized text of a rule in one locale: constant, a template and its facts, or
    plural forms of a count fact, each a template."""

    __slots__ = ("constant", "count", "forms", "locale", "names", "template")

    def __init__(self, text: str | Plural, locale: str) -> None:
        self.locale = locale
        self.count = ""
        self.forms: dict[str, _Text] | None = None
        self.constant: str | None = None
        self.template = ""
        self.names: tuple[str, ...] = ()
        if isinstance(text, Plural):
            self.count = text.count
            self.forms = {category: _Text(form, locale) for category, form in text.forms.items()}
            every = [text.count, *(name for form in self.forms.values() for name in form.names)]
            self.names = tuple(dict.fromkeys(every))
            return
        self.template = text
        names: list[str] = []
        for _, field, _, _ in _FIELDS.parse(text):
            if field is not None and field not in names:
                names.append(field)
        self.names = tuple(names)
        # Placeholders were checked at load time: fact names only, no format specs.
        self.constant = text.format_map({}) if not names else None


def _no_key(_facts: Mapping[str, EngineValue]) -> object:
    return ()


_BUCKET = {IssueKind.BLOCKING: 0, IssueKind.WARNING: 1, IssueKind.ADVICE: 2}
"""Where an issue goes: the assessment's blocking, warnings or advice."""


class _RulePlan:
    """What decide needs of one rule in one locale, computed once per rule set and locale."""

    __slots__ = (
        "after_route",
        "bucket",
        "by_day",
        "dated",
        "documents",
        "fix",
        "issue_kind",
        "key",
        "limit",
        "memo",
        "message",
        "needs",
        "rank",
        "read",
        "rule",
        "steps",
    )

    def __init__(self, rule: Rule, rank: int, locale: str, documents: tuple[Document, ...]) -> None:
        self.rule = rule
        self.rank = rank
        self.dated = rule.effective_from is not None or rule.effective_until is not None
        self.issue_kind = _ISSUE_KIND.get(rule.kind)
        self.bucket = _BUCKET[self.issue_kind] if self.issue_kind is not None else -1
        # A step of this rule's fix comes after the route's steps (else before them).
        self.after_route = rule.stage is not None and _STAGE_ORDER[rule.stage] > _ROUTE_STAGE
        self.message = _Text(rule.message[locale], locale)
        self.fix = _Text(rule.fix[locale], locale) if rule.fix is not None else None
        self.steps = tuple(_Text(step[locale], locale) for step in rule.steps)
        self.documents = documents
        needs = dict.fromkeys(rule.facts)
        for text in (self.message, self.fix, *self.steps):
            if text is not None:
                needs.update(dict.fromkeys(text.names))
        self.needs = tuple(needs)
        # A shown value (a date) is keyed by the facts it is computed from and by as_of.
        keyed = dict.fromkeys(
            fact for name in self.needs for fact in (SHOWN[name].facts if name in SHOWN else (name,))
        )
        self.by_day = any(name in SHOWN for name in self.needs)
        # The memo key: the needed facts' values (one value, or a tuple), read in C.
        self.key: Callable[[Mapping[str, EngineValue]], object] = (
            operator.itemgetter(*keyed) if keyed else _no_key
        )
        # A rule's issue, step and route option are immutable values of the facts it reads
        # (and of the day, for a shown date): built once per key, then shared.  A rule of
        # finite facts only (flags, enums, providers) has few keys; one reading numbers has
        # countless, and keeps the first _NUMBER_MEMO_LIMIT.
        finite = not self.by_day and all(
            name in FACTS and FACTS[name].kind in _FINITE_KINDS for name in self.needs
        )
        self.limit = _MEMO_LIMIT if finite else _NUMBER_MEMO_LIMIT
        self.memo: dict[object, object] = {}
        # What decide reads of an issue's plan, in one tuple (one unpacking, not five
        # attribute reads per issue): the plan, its memo key, memo, whether keyed by day,
        # bucket, and whether its step comes after the route's.
        self.read = (self, self.key, self.memo, self.by_day, self.bucket, self.after_route)


class _Shape:
    """What an assessment looks like for one set of fired rules (and, when a dated rule
    fired, one day): the issues in order, the primary route, the alternatives, the claims.
    Only the texts and trigger values of the rules that read numbers vary with the facts."""

    __slots__ = ("alternatives", "claims", "dated", "issues", "primary", "reads", "routes")

    def __init__(
        self, issues: list[_RulePlan], routes: list[_RulePlan], claims: tuple[str, ...], *, dated: bool
    ) -> None:
        self.issues = tuple(issues)
        self.primary = routes[0]
        self.alternatives = tuple(routes[1:])
        self.routes = tuple(routes)
        self.claims = claims
        self.dated = dated
        self.reads = tuple([plan.read for plan in issues])


class _Plan:
    """Per rule set and locale: every rule's plan by id, labels by provider, memos."""

    def __init__(self, rules: RuleSet, locale: str) -> None:
        # Weakly: the plan is kept per rule set in a weak dictionary, whose key its value
        # must not hold (or no rule set used once would ever be freed).
        self.rules = weakref.ref(rules)
        self.locale = locale
        self.label = rules.label
        labels = rules.labels.get(locale, {})
        self.by_id: dict[str, _RulePlan] = {}
        for rule in rules.rules:
            if rule.id in self.by_id:
                continue  # decide reads the first rule of an id, as the rule loop did
            documents = tuple(
                Document(id=doc, name=labels.get(f"document.{doc}", f"document.{doc}"))
                for doc in rule.documents
            )
            self.by_id[rule.id] = _RulePlan(rule, 0, locale, documents)
        # An issue's rank: stage, then id; a route's: priority, then id.
        for index, plan in enumerate(sorted(self.by_id.values(), key=lambda p: _issue_order(p.rule))):
            plan.rank = index
        self.route_rank = {
            rule.id: index for index, rule in enumerate(sorted(self.by_id_rules(), key=route_order))
        }
        # Every claim's place in the sorted claims of an answer (A2 before A10; ties by id).
        every = {claim for rule in rules.rules for claim in rule.claims}
        self.claim_rank = {
            claim: index
            for index, claim in enumerate(sorted(every, key=lambda claim: (claim_sort_key(claim), claim)))
        }
        self.labels: dict[str, FrozenMapping[str, str]] = {}
        self.shapes: dict[frozenset[str], _Shape] = {}
        self.dated_shapes: dict[tuple[frozenset[str], dt.date], _Shape] = {}

    def by_id_rules(self) -> list[Rule]:
        return [plan.rule for plan in self.by_id.values()]

    def provider_labels(self, provider: str) -> FrozenMapping[str, str]:
        found = self.labels.get(provider)
        if found is None:
            rules = self.rules()
            assert rules is not None, "a plan is used only through its living rule set"
            found = FrozenMapping(shown_labels(rules, self.locale, provider))
            if len(self.labels) < _MEMO_LIMIT:
                self.labels[provider] = found
        return found

    def sorted_claims(self, used: list[_RulePlan]) -> tuple[str, ...]:
        claims = {claim for plan in used for claim in plan.rule.claims}
        return tuple(sorted(claims, key=self.claim_rank.__getitem__))

    def shape(self, fired: frozenset[str], as_of: dt.date) -> _Shape | None:
        """The shape of an assessment in which ``fired`` fired on ``as_of`` (``None``: no
        route among them), remembered per fired set, and per day when a dated rule fired."""
        found = self.shapes.get(fired)
        if found is not None and not found.dated:
            return found
        if found is not None:
            found = self.dated_shapes.get((fired, as_of))
            if found is not None:
                return found
        found = self._shape(fired, as_of)
        if found is None:
            return None
        if len(self.shapes) < _MEMO_LIMIT and fired not in self.shapes:
            self.shapes[fired] = found
        if found.dated and len(self.dated_shapes) < _MEMO_LIMIT:
            self.dated_shapes[fired, as_of] = found
        return found

    def _shape(self, fired: frozenset[str], as_of: dt.date) -> _Shape | None:
        dated = False
        issues: list[_RulePlan] = []
        routes: list[_RulePlan] = []
        for rule_id in fired:
            plan = self.by_id.get(rule_id)
            if plan is None:
                continue
            if plan.dated:
                dated = True
                if not plan.rule.in_effect(as_of):
                    continue
            (issues if plan.issue_kind is not None else routes).append(plan)
        if not routes:
            return None
        issues.sort(key=_rank)
        route_rank = self.route_rank
        routes.sort(key=lambda plan: route_rank[plan.rule.id])
        primary = routes[0]
        alternatives: list[_RulePlan] = []
        for plan in routes[1:]:
            route = plan.rule.route
            if route is not primary.rule.route and all(route is not alt.rule.route for alt in alternatives):
                alternatives.append(plan)
        claims = self.sorted_claims([*issues, primary, *alternatives])
        return _Shape(issues, [primary, *alternatives], claims, dated=dated)


_PLANS: weakref.WeakKeyDictionary[RuleSet, dict[str, _Plan]] = weakref.WeakKeyDictionary()
_PLANS_LOCK = ForkSafeLock()


_last_plan: tuple[weakref.ref[RuleSet], str, _Plan] | None = None
"""The plan ``_plan`` gave last, with its rule set (held weakly) and locale: most calls
ask for the same one, and this check is cheaper than the weak dictionary's look-up."""


def _plan(rules: RuleSet, locale: str) -> _Plan:
    """The plan of ``rules`` in ``locale``, built on first use."""
    global _last_plan  # noqa: PLW0603 - one tuple, replaced whole (atomic under the GIL)
    last = _last_plan
    if last is not None and last[0]() is rules and last[1] == locale:
        return last[2]
    try:
        found = _PLANS[rules][locale]
    except KeyError:
        with _PLANS_LOCK.lock:
            by_locale = _PLANS.setdefault(rules, {})
            if locale not in by_locale:
                by_locale[locale] = _Plan(rules, locale)
            found = by_locale[locale]
    _last_plan = (weakref.ref(rules), locale, found)
    return found


_Made = TypeVar("_Made")


class _Renderer:
    """Turns a rule's texts into one locale, filling placeholders with fact values."""

    __slots__ = ("as_of", "facts", "providers", "values")

    def __init__(self, rules: RuleSet, facts: Mapping[str, EngineValue], as_of: dt.date) -> None:
        self.facts = facts
        self.as_of = as_of
        self.providers = rules.providers
        self.values: dict[str, EngineValue] = {}

    def need(self, names: tuple[str, ...]) -> None:
        values = self.values
        for name in names:
            if name in SHOWN:
                values[name] = SHOWN[name].show(self.facts, self.as_of)
            elif name not in values:
                value = self.facts[name]
                spec = FACTS[name]
                if spec.kind is FactKind.MONEY and type(value) is int:
                    value = pkr(value)
                elif spec.kind is FactKind.PROVIDER and isinstance(value, str):
                    value = self.providers[value].name
                else:
                    value = display_value(name, value)
                values[name] = value

    def text(self, text: _Text) -> str:
        if text.constant is not None:
            return text.constant
        if text.forms is not None:
            # The loader checked that the forms cover every plural category of the locale.
            count = self.facts[text.count]
            assert isinstance(count, int)
            return self.text(text.forms[plural_category(text.locale, count)])
        return text.template.format_map(self.values)

    def trigger(self, rule: Rule) -> tuple[tuple[str, EngineValue], ...]:
        values = self.values
        return tuple([(name, values[name]) for name in rule.facts])

    def issue(self, plan: _RulePlan) -> tuple[Issue, Step | None]:
        """The rule's issue and the step its fix makes (``None``: not a step): what it gave
        before for the same values of the facts it reads, when remembered."""
        return self._remembered(plan, self._issue)

    def _remembered(self, plan: _RulePlan, build: Callable[[_RulePlan], _Made]) -> _Made:
        """``build(plan)``, or what it gave before for the same values of the plan's facts
        (and day, for a text showing a date)."""
        key = plan.key(self.facts)
        if plan.by_day:
            key = (key, self.as_of)
        found = plan.memo.get(key)
        if found is None:
            return self._remember(plan, key, build)
        return found  # type: ignore[return-value]

    @staticmethod
    def _remember(plan: _RulePlan, key: object, build: Callable[[_RulePlan], _Made]) -> _Made:
        """``build(plan)``, remembered under ``key`` while the plan's memo has room."""
        found = build(plan)
        if len(plan.memo) < plan.limit:
            plan.memo[key] = found
        return found

    def new_issue(self, plan: _RulePlan, key: object) -> tuple[Issue, Step | None]:
        """:meth:`issue` for a ``key`` the caller found nothing under (not looked up again)."""
        return self._remember(plan, key, self._issue)

    def new_route(self, plan: _RulePlan, key: object) -> tuple[RouteOption, tuple[Step, ...]]:
        """:meth:`route` for a ``key`` the caller found nothing under (not looked up again)."""
        return self._remember(plan, key, self._route)

    def _issue(self, plan: _RulePlan) -> tuple[Issue, Step | None]:
        self.need(plan.needs)
        rule = plan.rule
        assert plan.issue_kind is not None
        fix = self.text(plan.fix) if plan.fix is not None else None
        issue = _fast.issue(
            rule.id, plan.issue_kind, self.text(plan.message), fix, rule.claims, self.trigger(rule)
        )
        step = None
        if rule.stage is not None and fix is not None:
            step = _fast.step(rule.stage, fix, rule.id, rule.claims)
        return issue, step

    def route(self, plan: _RulePlan) -> tuple[RouteOption, tuple[Step, ...]]:
        """The rule's route option and the steps it gives when it is the primary route
        (remembered as :meth:`issue`'s)."""
        return self._remembered(plan, self._route)

    def _route(self, plan: _RulePlan) -> tuple[RouteOption, tuple[Step, ...]]:
        self.need(plan.needs)
        rule = plan.rule
        assert rule.route is not None
        option = _fast.route_option(
            rule.route, rule.id, self.text(plan.message), rule.claims, self.trigger(rule)
        )
        steps = tuple(_fast.step(Stage.ROUTE, self.text(step), rule.id, rule.claims) for step in plan.steps)
        return option, steps


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


def decide(
    rules: RuleSet, fired: Iterable[str], facts: Mapping[str, EngineValue], *, locale: str, as_of: dt.date
) -> Assessment:
    """Build the assessment from the ids of the rules that fired for ``facts``."""
    plan = _plan(rules, locale)
    shape = plan.shape(fired if type(fired) is frozenset else frozenset(fired), as_of)
    if shape is None:
        raise NoRouteError(
            f"rule set {rules.label} gives no route for provider "
            f"{facts.get('provider')!r} with these facts; run "
            f"`simcancel verify` on it to find the gap"
        )
    render: _Renderer | None = None  # built at the first rule not remembered
    buckets: tuple[list[Issue], list[Issue], list[Issue]] = ([], [], [])
    before: list[Step] = []
    after: list[Step] = []
    for found, key_of, memo, by_day, bucket, late in shape.reads:
        key = (key_of(facts), as_of) if by_day else key_of(facts)
        made: tuple[Issue, Step | None] | None = memo.get(key)  # type: ignore[assignment]
        if made is None:
            if render is None:
                render = _Renderer(rules, facts, as_of)
            made = render.new_issue(found, key)
        issue, step = made
        buckets[bucket].append(issue)
        if step is not None:
            (after if late else before).append(step)
    options: list[RouteOption] = []
    for found in shape.routes:  # the primary route, then the alternatives
        key = (found.key(facts), as_of) if found.by_day else found.key(facts)
        route: tuple[RouteOption, tuple[Step, ...]] | None = found.memo.get(key)  # type: ignore[assignment]
        if route is None:
            if render is None:
                render = _Renderer(rules, facts, as_of)
            route = render.new_route(found, key)
        if not options:
            before.extend(route[1])  # the primary route's steps
        options.append(route[0])
    before.extend(after)
    blocking, warnings, advice = buckets
    provider = str(facts["provider"])
    return _fast.assessment(
        provider,
        locale,
        as_of,
        plan.label,
        tuple(blocking),
        tuple(warnings),
        tuple(advice),
        options[0],
        tuple(options[1:]),
        shape.primary.documents,
        tuple(before),
        shape.claims,
        plan.provider_labels(provider),
    )


def _rank(plan: _RulePlan) -> int:
    return plan.rank


class _PartialRenderer(_Renderer):
    """A renderer for what is known so far: a value nobody knows shows as ``unknown_text``.

    Nothing is memoized (the memo is keyed by complete facts), a plural form of an unknown
    count is the ``other`` form, and an issue's trigger facts list only known values.
    """

    __slots__ = ("unknown", "unknown_text")

    def __init__(
        self,
        rules: RuleSet,
        facts: Mapping[str, EngineValue],
        as_of: dt.date,
        *,
        unknown: frozenset[str],
        unknown_text: str,
    ) -> None:
        super().__init__(rules, facts, as_of)
        self.unknown = unknown
        self.unknown_text = unknown_text

    def _is_unknown(self, name: str) -> bool:
        facts = SHOWN[name].facts if name in SHOWN else (name,)
        return any(fact in self.unknown for fact in facts)

    def need(self, names: tuple[str, ...]) -> None:
        super().need(tuple(name for name in names if not self._is_unknown(name)))
        for name in names:
            if self._is_unknown(name):
                self.values[name] = self.unknown_text

    def text(self, text: _Text) -> str:
        if text.forms is not None and text.count in self.unknown:
            return self.text(text.forms["other"])
        return super().text(text)

    def trigger(self, rule: Rule) -> tuple[tuple[str, EngineValue], ...]:
        values = self.values
        return tuple((name, values[name]) for name in rule.facts if name not in self.unknown)

    def _remembered(self, plan: _RulePlan, build: Callable[[_RulePlan], _Made]) -> _Made:
        return build(plan)


def render_partial(  # noqa: PLR0913 - keyword-only: what is known, and how to word it
    rules: RuleSet,
    rule_ids: Iterable[str],
    facts: Mapping[str, EngineValue],
    *,
    unknown: frozenset[str],
    unknown_text: str,
    locale: str,
    as_of: dt.date,
) -> dict[str, Issue | RouteOption]:
    """Each rule's issue or route option, worded with what is known (``facts`` outside
    ``unknown``); a placeholder whose value is unknown shows ``unknown_text``."""
    plan = _plan(rules, locale)
    render = _PartialRenderer(rules, facts, as_of, unknown=unknown, unknown_text=unknown_text)
    made: dict[str, Issue | RouteOption] = {}
    for rule_id in rule_ids:
        found = plan.by_id[rule_id]
        made[rule_id] = render.issue(found)[0] if found.issue_kind is not None else render.route(found)[0]
    return made


def issue_rank(rules: RuleSet, rule_id: str) -> int:
    """Where an issue of rule ``rule_id`` stands among issues: by stage, then id."""
    return _plan(rules, rules.locales[0]).by_id[rule_id].rank
