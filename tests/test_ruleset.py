"""Frozen means frozen: nothing reachable from a rule set or an assessment can be changed.

``default_rules()`` is cached for the process, so one caller changing a mapping inside it
would change every later answer.  These tests walk every object inside the rule set and
inside a real assessment, try every way of mutating each mapping and sequence, and check
that the next answers are the ones given before.
"""

from __future__ import annotations

import copy
import datetime as dt
import enum
import functools
import json
import operator
import pickle
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

import simcancel
from simcancel import RuleSet, UserState, assess, default_rules, load_rules
from simcancel._ruleset import FrozenMapping, Plural

CASES = [
    json.loads(path.read_text(encoding="utf-8"))
    for path in sorted((Path(__file__).parent / "cases").glob("*.json"))
]
STATES = [
    (UserState.from_dict(case["state"]), dt.date.fromisoformat(case["as_of"]))
    for case in CASES
    if "packs" not in case
]
LEAVES = (str, int, bool, float, Decimal, dt.date, enum.Enum, type(None))

Mutation = Callable[[Any, Any], object]


def _or_update(mapping: Any, key: object) -> None:
    mapping |= {key: "HACKED"}  # in place on a dict; a read-only mapping has neither |= nor |


MAPPING_MUTATIONS: dict[str, Mutation] = {
    "m[key] = v": lambda m, key: operator.setitem(m, key, "HACKED"),
    "m[new] = v": lambda m, key: operator.setitem(m, "new.key", "HACKED"),
    "del m[key]": operator.delitem,
    "m.clear()": lambda m, key: m.clear(),
    "m.update()": lambda m, key: m.update({key: "HACKED"}),
    "m.update(**kw)": lambda m, key: m.update(hacked="HACKED"),
    "m.setdefault()": lambda m, key: m.setdefault("new.key", "HACKED"),
    "m.pop()": lambda m, key: m.pop(key),
    "m.popitem()": lambda m, key: m.popitem(),
    "m |= other": _or_update,
}
SEQUENCE_MUTATIONS: dict[str, Mutation] = {
    "s[0] = v": lambda s, item: operator.setitem(s, 0, "HACKED"),
    "del s[0]": lambda s, item: operator.delitem(s, 0),
    "s.append()": lambda s, item: s.append(item),
    "s.extend()": lambda s, item: s.extend([item]),
    "s.insert()": lambda s, item: s.insert(0, item),
    "s.clear()": lambda s, item: s.clear(),
    "s.pop()": lambda s, item: s.pop(),
    "s.remove()": lambda s, item: s.remove(item),
    "s.sort()": lambda s, item: s.sort(),
}


def _walk(obj: Any, path: str) -> Iterator[tuple[str, Any]]:
    """Every object reachable from ``obj`` (attrs fields, mapping values, sequence items), with its path."""
    yield path, obj
    if attrs.has(type(obj)):
        for field in attrs.fields(type(obj)):
            yield from _walk(getattr(obj, field.name), f"{path}.{field.name}")
    elif isinstance(obj, Mapping):
        for key, value in obj.items():
            yield from _walk(value, f"{path}[{key!r}]")
    elif isinstance(obj, tuple):
        for index, item in enumerate(obj):
            yield from _walk(item, f"{path}[{index}]")


def _containers(root: object, name: str) -> tuple[dict[str, Mapping[Any, Any]], dict[str, tuple[Any, ...]]]:
    """The mappings and the non-empty tuples inside ``root``; fails on any other kind of object."""
    mappings: dict[str, Mapping[Any, Any]] = {}
    sequences: dict[str, tuple[Any, ...]] = {}
    for path, obj in _walk(root, name):
        if isinstance(obj, Mapping):
            assert type(obj) is FrozenMapping, f"{path} is a {type(obj).__name__}, not read-only"
            mappings[path] = obj
        elif isinstance(obj, tuple):
            if obj:
                sequences[path] = obj
        else:
            assert attrs.has(type(obj)) or isinstance(obj, LEAVES), f"{path} is a {type(obj).__name__}"
    return mappings, sequences


def _answers(rules: RuleSet | None = None) -> list[dict[str, Any]]:
    """The answers to every golden case's state (built-in rules only), in every locale."""
    return [
        assess(state, rules=rules, locale=locale, as_of=as_of).to_dict()
        for state, as_of in STATES
        for locale in default_rules().locales
    ]


def _refused(mutate: Callable[[], object]) -> bool:
    """Whether ``mutate()`` raises the TypeError or AttributeError of a read-only object."""
    try:
        mutate()
    except (TypeError, AttributeError):
        return True
    return False


def _attack(mappings: Mapping[str, Mapping[Any, Any]], sequences: Mapping[str, tuple[Any, ...]]) -> None:
    """Try every mutation on every container; each must raise and leave the container as it was."""
    for path, mapping in mappings.items():
        before = dict(mapping)
        key = next(iter(mapping), "some.key")
        for name, mutate in MAPPING_MUTATIONS.items():
            assert _refused(functools.partial(mutate, mapping, key)), f"{name} changed {path}"
        mapping.__init__({key: "HACKED"})  # type: ignore[misc]  # built in __new__: a no-op
        assert dict(mapping) == before, path
    for path, sequence in sequences.items():
        before_items = list(sequence)
        for name, mutate in SEQUENCE_MUTATIONS.items():
            assert _refused(functools.partial(mutate, sequence, sequence[0])), f"{name} changed {path}"
        assert list(sequence) == before_items, path


def test_the_reported_label_change_raises_and_changes_nothing() -> None:
    """The issue's ``default_rules().labels['en']['route.online'] = 'HACKED'`` raises TypeError."""
    before = _answers()
    with pytest.raises(TypeError):
        simcancel.default_rules().labels["en"]["route.online"] = "HACKED"  # type: ignore[index]
    assert default_rules().labels["en"]["route.online"] != "HACKED"
    assert _answers() == before


@pytest.mark.parametrize("public_facts", [True, False])
def test_no_mapping_or_sequence_inside_the_default_rules_can_be_changed(public_facts: bool) -> None:
    """Every mapping (nested ones too) and tuple in a cached rule set refuses every mutation."""
    rules = default_rules(public_facts=public_facts)
    before = _answers(rules)
    mappings, sequences = _containers(rules, "rules")
    expected = (
        3  # claims, providers, labels
        + len(rules.labels)  # labels per locale
        + len(rules.rules)  # each rule's message
        + sum(rule.fix is not None for rule in rules.rules)
        + sum(len(rule.steps) for rule in rules.rules)
        + sum(  # each plural text's forms
            isinstance(text, Plural)
            for rule in rules.rules
            for localized in (rule.message, rule.fix or {}, *rule.steps)
            for text in localized.values()
        )
    )
    assert len(mappings) == expected
    assert {"rules.claims", "rules.providers", "rules.labels", "rules.labels['en']"} <= set(mappings)
    _attack(mappings, sequences)
    assert _answers(rules) == before


def test_no_mapping_or_sequence_inside_an_assessment_can_be_changed() -> None:
    """An assessment holds only tuples, read-only labels and frozen objects; mutating those or
    to_dict() changes no answer."""
    before = _answers()
    for state, as_of in STATES:
        result = assess(state, locale="en", as_of=as_of)
        shown = result.to_dict()
        mappings, sequences = _containers(result, "result")
        assert set(mappings) == {"result.labels"}
        assert "result.steps" in sequences
        _attack(mappings, sequences)
        for path, obj in _walk(result, "result"):
            if attrs.has(type(obj)):
                field = attrs.fields(type(obj))[0].name
                assert _refused(functools.partial(setattr, obj, field, None)), f"{path}.{field} was set"
        data = result.to_dict()
        data["route"]["reason"] = "HACKED"
        data["steps"].clear()
        data["claims"].append("HACKED")
        data["labels"]["route.online"] = "HACKED"
        assert result.to_dict() == shown
    assert _answers() == before


def test_rule_sets_built_from_plain_dicts_hold_read_only_copies() -> None:
    """Building from plain dicts and lists (``attrs.evolve``) freezes copies: the caller's stay theirs."""
    rules = default_rules()
    labels = {locale: dict(texts) for locale, texts in rules.labels.items()}
    claims = dict(rules.claims)
    evolved = attrs.evolve(rules, labels=labels, claims=claims, locales=list(rules.locales))
    labels["en"]["route.online"] = "HACKED"
    del claims[next(iter(claims))]
    assert evolved.labels == rules.labels
    assert evolved.claims == rules.claims
    assert type(evolved.locales) is tuple
    mappings, _ = _containers(evolved, "evolved")
    assert {"evolved.labels", "evolved.labels['en']", "evolved.claims"} <= set(mappings)
    rule = rules.rules[0]
    message = dict(rule.message)
    steps = [dict(step) for step in rule.steps]
    copied = attrs.evolve(rule, message=message, claims=list(rule.claims), steps=steps)
    message["en"] = "HACKED"
    assert copied == rule
    assert type(copied.message) is FrozenMapping
    assert type(copied.claims) is tuple
    assert all(type(step) is FrozenMapping for step in copied.steps)
    with pytest.raises(TypeError):
        attrs.evolve(rule, claims="A1")


def test_rule_sets_pickle_and_deep_copy_with_their_mappings_still_read_only() -> None:
    """A rule set survives pickle and deepcopy: equal rules, read-only mappings, the same answers."""
    rules = default_rules()
    state, as_of = STATES[0]
    expected = assess(state, rules=rules, locale="en", as_of=as_of)
    for twin in (pickle.loads(pickle.dumps(rules)), copy.deepcopy(rules)):
        assert isinstance(twin, RuleSet)
        assert twin.rules == rules.rules
        assert twin.labels == rules.labels
        assert twin.claims == rules.claims
        assert twin.providers == rules.providers
        mappings, _ = _containers(twin, "twin")
        assert len(mappings) == len(_containers(rules, "rules")[0])
        assert assess(state, rules=twin, locale="en", as_of=as_of) == expected


def test_rules_are_hashable_and_compared_by_value() -> None:
    """Rules loaded twice are equal with equal hashes; rule sets stay compared by identity."""
    first = default_rules()
    second = load_rules(*simcancel.builtin_packs(locale_packs=True))
    assert first != second
    assert first.rules == second.rules
    assert [hash(rule) for rule in first.rules] == [hash(rule) for rule in second.rules]
    assert len(set(first.rules) | set(second.rules)) == len(first.rules)


def test_frozen_mapping_reads_like_a_dict() -> None:
    """FrozenMapping compares equal to a dict with the same items, reads like one and hashes by its items."""
    items = {"en": "Online", "zh-CN": "在线"}
    frozen = FrozenMapping(items)
    items["en"] = "HACKED"
    assert frozen == {"en": "Online", "zh-CN": "在线"}
    assert operator.eq({"en": "Online", "zh-CN": "在线"}, frozen)
    assert frozen != {"en": "Online"}
    assert frozen != [("en", "Online"), ("zh-CN", "在线")]
    assert frozen == FrozenMapping(frozen.items())
    assert hash(frozen) == hash(FrozenMapping({"zh-CN": "在线", "en": "Online"}))
    assert frozen["en"] == "Online"
    assert frozen.get("ur") is None
    assert frozen.get("ur", "-") == "-"
    assert "en" in frozen
    assert list(frozen) == list(frozen.keys()) == ["en", "zh-CN"]
    assert list(frozen.values()) == ["Online", "在线"]
    assert len(frozen) == 2
    assert dict(frozen) == {"en": "Online", "zh-CN": "在线"}
    assert repr(frozen) == "FrozenMapping({'en': 'Online', 'zh-CN': '在线'})"
    assert pickle.loads(pickle.dumps(frozen)) == frozen
    with pytest.raises(AttributeError):
        frozen._items = {}
    with pytest.raises(TypeError):
        frozen.keys().mapping["en"] = "HACKED"  # type: ignore[attr-defined]
