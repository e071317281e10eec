"""The finite state space a rule set can tell apart.

Every fact of the catalogue (:mod:`simcancel._facts`) is cut into the classes the rules'
tests distinguish: booleans into false/true, enums into their values, numbers into
intervals between the constants the rules compare against (every test ``x op c`` is
constant on ``[.., c-1]``, ``{c}`` and ``[c+1, ..]``).  The facts of one catalogue group
(one derivation: provider policy, service counts, activation months) move together and
are one *variable*, so that every combination of variable values is a state a person can
be in:

* the provider policy comes from the rule set's providers, so the providers are
  enumerated, not the derived facts;
* any other group is the product of its facts' classes, each box of that product kept
  when its derivation finds a state inside it (``recurring_services <= active_services``;
  ``months_held`` is 0 when ``activation_known`` is false).

Values of a variable that agree on every fact a rule reads (or a check inspects) are the
same class and collapse into one, keeping the first as representative; so a fact no rule
reads is a single class.  Each class remembers the boxes it was made of, so that
:meth:`Variable.draw` can pick a state anywhere inside the class, not only its
representative.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterable, Iterator, Mapping, Sequence

import attrs

from simcancel._facts import CATALOGUE, Box, Catalogue, Derivation, EngineValue, FactKind, Interval
from simcancel._memo import per_rule_set
from simcancel._ruleset import AllOf, AnyOf, Comparison, Condition, RuleSet

__all__ = ["CHECKED_FACTS", "NEW_PROVIDER", "StateSpace", "Variable", "intervals", "space_of", "state_space"]

CHECKED_FACTS = frozenset({"provider_online", "provider_in_person", "provider_has_store", "can_visit_store"})
"""Facts the route-soundness check inspects: kept apart even when no rule reads them."""

_DRAW_TRIES = 20


@attrs.frozen(kw_only=True)
class Variable:
    """Facts that vary together, and one representative assignment per class."""

    name: str
    facts: tuple[str, ...]
    values: tuple[Mapping[str, EngineValue], ...]
    labels: tuple[str, ...]
    """Each class as people read it (``balance in [1, 1000000000]`` in paisa, ...)."""
    members: tuple[tuple[Box, ...], ...] = ()
    """Per class, the boxes of values it covers (more than one when classes collapsed)."""
    derivation: Derivation | None = None
    caps: Mapping[str, int] = attrs.field(factory=dict)
    """Per numeric fact, the largest value :meth:`draw` picks (the fact's ``draw_upper``)."""

    def draw(self, index: int, chooser: random.Random) -> dict[str, EngineValue]:
        """A random assignment inside class ``index``: numbers anywhere in their interval."""
        representative = dict(self.values[index])
        if not self.members:
            return representative
        box = chooser.choice(self.members[index])
        for _ in range(_DRAW_TRIES):
            point = {
                fact: chooser.randint(int(low), max(int(low), min(int(high), self.caps.get(fact, int(high)))))
                if low != high
                else low
                for fact, (low, high) in box.items()
            }
            if self._possible(point):
                return point
        return representative

    def holding(self, facts: Mapping[str, EngineValue]) -> int | None:
        """The class whose values ``facts`` has (``None``: no class holds them)."""
        for index, boxes in enumerate(self.members):
            for box in boxes:
                if all(low <= facts[name] <= high for name, (low, high) in box.items()):  # type: ignore[operator]
                    return index
        if not self.members:
            for index, values in enumerate(self.values):
                if all(facts[name] == value for name, value in values.items()):
                    return index
        return None

    def _possible(self, point: Mapping[str, EngineValue]) -> bool:
        if self.derivation is None or self.derivation.representative is None:
            return True
        return (
            self.derivation.representative({fact: (value, value) for fact, value in point.items()})
            is not None
        )


@attrs.frozen(kw_only=True)
class StateSpace:
    """The product of the variables' classes: every class is one state to check."""

    variables: tuple[Variable, ...]
    base: Mapping[str, EngineValue]
    """A complete fact made of each variable's first class."""

    @property
    def size(self) -> int:
        """How many classes the whole product has."""
        return math.prod(len(variable.values) for variable in self.variables)

    def variable(self, name: str) -> Variable:
        """The variable called ``name``."""
        return next(variable for variable in self.variables if variable.name == name)

    def variables_for(self, facts: Iterable[str]) -> tuple[Variable, ...]:
        """The variables holding any of ``facts``, in space order."""
        wanted = set(facts)
        return tuple(variable for variable in self.variables if wanted & set(variable.facts))

    @staticmethod
    def count(variables: Sequence[Variable]) -> int:
        """How many combinations of ``variables`` there are."""
        return math.prod(len(variable.values) for variable in variables)

    def assignments(self, variables: Sequence[Variable]) -> Iterator[dict[str, EngineValue]]:
        """Every combination of ``variables``' classes, the other facts as in :attr:`base`."""
        for combination in itertools.product(*(variable.values for variable in variables)):
            facts = dict(self.base)
            for values in combination:
                facts.update(values)
            yield facts

    def representatives(self, variables: Sequence[Variable]) -> Iterator[dict[str, EngineValue]]:
        """:attr:`base`, then every class of each of ``variables`` with the others as in
        :attr:`base`: every class representative (each constant a rule compares with
        included) in ``1 + sum(classes - 1)`` states, tried before random ones."""
        yield dict(self.base)
        for variable in variables:
            for values in variable.values[1:]:
                facts = dict(self.base)
                facts.update(values)
                yield facts

    def draw(self, chooser: random.Random) -> dict[str, EngineValue]:
        """A random complete fact: a random class of every variable, drawn inside it."""
        facts = dict(self.base)
        for variable in self.variables:
            facts.update(variable.draw(chooser.randrange(len(variable.values)), chooser))
        return facts


def _comparisons(condition: Condition) -> Iterator[Comparison]:
    if isinstance(condition, Comparison):
        yield condition
    elif isinstance(condition, (AllOf, AnyOf)):
        for part in condition.parts:
            yield from _comparisons(part)


def _constants(rules: RuleSet, catalogue: Catalogue) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    for rule in rules.rules:
        for test in _comparisons(rule.when):
            if not catalogue[test.fact].numeric:
                continue
            values = test.value if isinstance(test.value, tuple) else (test.value,)
            found.setdefault(test.fact, set()).update(
                value for value in values if isinstance(value, int) and not isinstance(value, bool)
            )
    return found


def intervals(constants: Iterable[int], upper: int) -> list[Interval]:
    """``[0, upper]`` cut at ``constants``: each constant alone, and the gaps between them."""
    points = sorted({c for c in constants if 0 <= c <= upper})
    result: list[Interval] = []
    low = 0
    for point in points:
        if low <= point - 1:
            result.append((low, point - 1))
        result.append((point, point))
        low = point + 1
    if low <= upper:
        result.append((low, upper))
    return result


def _interval_label(name: str, low: EngineValue, high: EngineValue) -> str:
    if low == high:
        shown = str(low).lower() if isinstance(low, bool) else low
        return f"{name} = {shown}"
    return f"{name} in [{low}, {high}]"


_Class = tuple[dict[str, EngineValue], str, Box]
"""A representative assignment, its label and the box it stands for."""


def _scalar_boxes(
    name: str, catalogue: Catalogue, cuts: Mapping[str, set[int]]
) -> list[tuple[EngineValue, EngineValue]]:
    spec = catalogue[name]
    if spec.kind is FactKind.BOOL:
        return [(False, False), (True, True)]
    if spec.kind is FactKind.ENUM:
        return [(value, value) for value in spec.values]
    if spec.numeric:
        return list(intervals(cuts.get(name, ()), spec.upper))
    raise ValueError(f"fact {name!r} of kind {spec.kind.value} comes from the rule set, not a box")


def _boxed(
    facts: tuple[str, ...], derivation: Derivation | None, catalogue: Catalogue, cuts: Mapping[str, set[int]]
) -> list[_Class]:
    """Every box of the facts' classes that a state can be in, with its representative."""
    classes: list[_Class] = []
    per_fact = [_scalar_boxes(name, catalogue, cuts) for name in facts]
    for combination in itertools.product(*per_fact):
        box = dict(zip(facts, combination, strict=True))
        if derivation is not None and derivation.representative is not None:
            representative = derivation.representative(box)
            if representative is None:
                continue
        else:
            representative = {name: low for name, (low, _high) in box.items()}
        label = ", ".join(_interval_label(name, low, high) for name, (low, high) in box.items())
        classes.append((representative, label, box))
    return classes


def _providers(facts: tuple[str, ...], derivation: Derivation, rules: RuleSet) -> list[_Class]:
    assert derivation.read_provider is not None
    classes: list[_Class] = []
    for key in sorted(rules.providers):
        provider = rules.providers[key]
        values = {name: value for name, value in derivation.read_provider(provider).items() if name in facts}
        classes.append((values, f"provider = {provider.id}", {name: (v, v) for name, v in values.items()}))
    return classes


NEW_PROVIDER = "(a provider the pack lacks)"
"""The provider id of :func:`state_space` with ``any_policy``: no rule can pin it."""


def _any_policy(facts: tuple[str, ...], catalogue: Catalogue) -> list[_Class]:
    """A provider the rule set lacks, with every policy a provider file could state.

    Not the rule set's own provider ids: their policy is in their files, so a rule pinned
    to one of them (``provider: acme``) that its policy never lets fire is dead, not
    waiting for a provider to come.
    """
    choices: list[list[EngineValue]] = []
    for name in facts:
        spec = catalogue[name]
        if spec.kind is FactKind.PROVIDER:
            choices.append([NEW_PROVIDER])
        elif spec.kind is FactKind.BOOL:
            choices.append([False, True])
        else:
            choices.append(list(spec.values))
    classes: list[_Class] = []
    for combination in itertools.product(*choices):
        values = dict(zip(facts, combination, strict=True))
        policy = (
            str(value) for name, value in values.items() if catalogue[name].kind is not FactKind.PROVIDER
        )
        label = "new provider with policy " + "/".join(policy)
        classes.append((values, label, {name: (v, v) for name, v in values.items()}))
    return classes


@attrs.frozen(kw_only=True)
class _Group:
    """A catalogue group on its way to becoming a variable."""

    name: str
    facts: tuple[str, ...]
    derivation: Derivation | None = None
    caps: Mapping[str, int] = attrs.field(factory=dict)


def _collapse(group: _Group, classes: list[_Class], read: frozenset[str]) -> Variable:
    """One class per distinct projection onto the facts that matter; labels and boxes merge."""
    facts = group.facts
    kept: dict[tuple[EngineValue, ...], tuple[dict[str, EngineValue], list[str], list[Box]]] = {}
    for assignment, label, box in classes:
        key = tuple(assignment[fact] for fact in facts if fact in read)
        if key in kept:
            kept[key][1].append(label)
            kept[key][2].append(box)
        else:
            kept[key] = (assignment, [label], [box])
    return Variable(
        name=group.name,
        facts=facts,
        values=tuple(assignment for assignment, _, _ in kept.values()),
        labels=tuple(_merge(labels) for _, labels, _ in kept.values()),
        members=tuple(tuple(boxes) for _, _, boxes in kept.values()),
        derivation=group.derivation,
        caps=group.caps,
    )


def _merge(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else f"{labels[0]} (also: {'; '.join(labels[1:])})"


def state_space(rules: RuleSet, *, any_policy: bool = False, catalogue: Catalogue = CATALOGUE) -> StateSpace:
    """The classes ``rules`` can tell apart (plus those the route checks inspect).

    ``any_policy``: instead of the rule set's providers, a provider it lacks
    (:data:`NEW_PROVIDER`) with every policy a provider file could state (for rules
    written for providers a pack adds later).
    """
    cuts = _constants(rules, catalogue)
    read = frozenset(fact for rule in rules.rules for fact in rule.facts) | CHECKED_FACTS
    variables: list[Variable] = []
    for facts in catalogue.groups():
        source = catalogue[facts[0]].source
        derivation = source if isinstance(source, Derivation) else None
        name = derivation.name if derivation is not None else facts[0]
        if derivation is not None and derivation.read_provider is not None:
            classes = _any_policy(facts, catalogue) if any_policy else _providers(facts, derivation, rules)
            variables.append(_collapse(_Group(name=name, facts=facts), classes, read))
        else:
            caps = {fact: cap for fact in facts if (cap := catalogue[fact].draw_upper) is not None}
            boxes = _boxed(facts, derivation, catalogue, cuts)
            group = _Group(name=name, facts=facts, derivation=derivation, caps=caps)
            variables.append(_collapse(group, boxes, read))
    base: dict[str, EngineValue] = {}
    for variable in variables:
        base.update(variable.values[0])
    return StateSpace(variables=tuple(variables), base=base)


@per_rule_set
def space_of(rules: RuleSet) -> StateSpace:
    """``state_space(rules)``, computed once per rule set and kept while it lives."""
    return state_space(rules)
