"""Hypothesis strategies for random but plausible rule packs, written to a directory.

A pack is drawn as plain data: ``{relative file path: YAML data}`` plus what the fuzz
needs to know about it (its providers, locales, effective dates, whether a defect was
put in).  Rules are drawn over the fact catalogue (:data:`simcancel._facts.FACTS`): plain
values, ``eq``/``ne``/``gt``/``gte``/``lt``/``lte``/``in``/``not_in`` and nested
``all``/``any``, with random kinds, stages, routes, priorities, effective dates, claims,
documents, steps, provider fixes and texts with ``{fact}`` placeholders (plural forms too)
in one to three locales.

As in Hypothesis and :mod:`simcancel.testing`, every argument that shapes a draw is a
keyword-only strategy (``None``: let Hypothesis choose), and a bad argument raises
:class:`hypothesis.errors.InvalidArgument` when the test runs, not when the strategy is
built.

With ``defects`` drawing ``True``, one plausible mistake (an unknown fact, a constant of the
wrong type or out of range, a missing locale, a placeholder that is not a fact, ...) is
put into an otherwise valid pack, and :attr:`RandomPack.defect` names it: the loader must
refuse such a pack, and load every pack without one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any, Never

import attrs
import yaml
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from simcancel._assess import builtin_rules_path
from simcancel._facts import FACTS, FactKind, FactSpec
from simcancel._limits import MAX_GROUPS, MAX_RULES, MAX_TESTS_PER_RULE
from simcancel._locales import plural_categories
from simcancel._ruleset import PLURAL_CATEGORIES
from simcancel._yaml import dump_yaml

__all__ = ["RandomPack", "conditions", "rule_packs", "texts"]

LOCALES = ("en", "zh-CN", "ur", "ar", "ru", "fr")
"""Locales a random pack may have: Arabic has all six CLDR plural categories, Russian four."""
STEP_STAGES = ("arrears", "balance", "services", "documents", "after")
ROUTES = ("online", "in_store", "ask_provider")
DOCUMENTS = ("passport_original", "passport_copy", "purchase_receipt", "sim_card", "visa_copy")
PROVIDER_IDS = ("jazz", "zong", "ufone", "telenor", "sim-x", "esim_1", "other")
FIRST_DAY = dt.date(2025, 1, 1)
LAST_DAY = dt.date(2028, 12, 31)
"""Effective dates, and the days the fuzz assesses on, fall between these."""

_LABEL_KEYS = tuple(
    key
    for key in yaml.safe_load((builtin_rules_path() / "locales" / "en.yaml").read_text(encoding="utf-8"))[
        "labels"
    ]
    if not key.startswith(("document.", "provider."))
)
"""The label keys of the shipped locales (headings, routes, stages, ...) but documents and providers."""
_COUNT_FACTS = tuple(name for name, spec in FACTS.items() if spec.kind is FactKind.COUNT)
_ORDERED = ("gt", "gte", "lt", "lte")


def _refused(message: str) -> st.SearchStrategy[Never]:
    """A strategy that raises ``InvalidArgument(message)`` when the test runs, not before."""

    def definition() -> st.SearchStrategy[Never]:
        raise InvalidArgument(message)

    return st.deferred(definition)


def _one_in(draw: st.DrawFn, chances: int) -> bool:
    """True about once in ``chances`` draws; false as Hypothesis shrinks (towards the common case)."""
    return draw(st.integers(min_value=1, max_value=chances)) == chances


# --- constants and conditions ----------------------------------------------------------------


def _numbers(spec: FactSpec) -> st.SearchStrategy[Any]:
    """Constants of a money (PKR, as rule files write it) or count fact, near the edges too."""
    upper = spec.upper if spec.kind is FactKind.COUNT else spec.upper // 100
    whole = st.one_of(
        st.sampled_from([0, 1, 2, upper - 1, upper]),
        st.integers(min_value=0, max_value=min(upper, 500)),
        st.integers(min_value=0, max_value=upper),
    )
    if spec.kind is FactKind.COUNT:
        return whole
    cents = st.integers(min_value=0, max_value=spec.upper).map(
        lambda paisa: f"{paisa // 100}.{paisa % 100:02d}"
    )
    # PKR as an int, a string with two decimals, or a float with at most two (0.5, 12.25).
    halves = st.integers(min_value=0, max_value=2 * min(upper, 10_000)).map(lambda half: half / 2)
    return st.one_of(whole, cents, halves, st.sampled_from(["0.01", "0.99", 0.01]))


def constants(spec: FactSpec, providers: tuple[str, ...]) -> st.SearchStrategy[Any]:
    """A valid constant of ``spec`` as a rule file writes it (money in PKR)."""
    if spec.kind is FactKind.BOOL:
        return st.booleans()
    if spec.kind is FactKind.ENUM:
        return st.sampled_from(spec.values)
    if spec.kind is FactKind.PROVIDER:
        return st.sampled_from(providers)
    return _numbers(spec)


def _test(draw: st.DrawFn, spec: FactSpec, providers: tuple[str, ...]) -> Any:
    """One fact's test: a plain value, or a mapping of one or two operators."""
    value = constants(spec, providers)
    if _one_in(draw, 4):
        return draw(value)
    ops = ["eq", "ne", "in", "not_in", *(_ORDERED if spec.numeric else ())]
    chosen = draw(st.lists(st.sampled_from(ops), min_size=1, max_size=2, unique=True))
    return {
        op: draw(st.lists(value, min_size=1, max_size=4)) if op in ("in", "not_in") else draw(value)
        for op in chosen
    }


def conditions(
    *, providers: st.SearchStrategy[tuple[str, ...]] | None = None, max_depth: int = 3
) -> st.SearchStrategy[Any]:
    """A rule's ``when``: ``always``, or a mapping of facts and ``all``/``any`` lists.

    ``providers`` draws the provider ids a ``provider`` test may name (default: ``other``).
    """
    given: object = providers  # typed a strategy, but a test may pass anything
    if given is not None and not isinstance(given, st.SearchStrategy):
        return _refused(f"conditions(providers={providers!r}): expected a SearchStrategy[tuple[str, ...]]")
    if isinstance(max_depth, bool) or not isinstance(max_depth, int) or not 0 <= max_depth <= 6:
        return _refused(f"conditions(max_depth={max_depth!r}): expected a whole number from 0 to 6")
    ids = st.just(("other",)) if providers is None else providers

    @st.composite
    def build(draw: st.DrawFn) -> Any:
        return _condition(draw, draw(ids), max_depth)

    return build()


def _condition(draw: st.DrawFn, providers: tuple[str, ...], depth: int) -> Any:
    if _one_in(draw, 10):
        return "always"
    names = draw(st.lists(st.sampled_from(list(FACTS)), min_size=0 if depth else 1, max_size=2, unique=True))
    found: dict[str, Any] = {name: _test(draw, FACTS[name], providers) for name in names}
    if depth:
        combinator = draw(st.sampled_from(["", "all", "any"]))
        if combinator:
            size = draw(st.integers(min_value=1, max_value=3))
            found[combinator] = [_condition(draw, providers, depth - 1) for _ in range(size)]
    if not found:
        name = draw(st.sampled_from(list(FACTS)))
        found[name] = _test(draw, FACTS[name], providers)
    return found


def measure(when: Any) -> tuple[int, int]:
    """(tests, all/any groups) of a valid ``when`` as the loader counts them against
    durable's limits (:func:`simcancel._limits.count_tests`, ``group_count``)."""
    if when == "always":
        return 1, 0
    parts: list[tuple[int, int]] = []
    for key, value in when.items():
        if key in ("all", "any"):
            children = [measure(child) for child in value]
            parts.append((sum(tests for tests, _ in children), 1 + sum(groups for _, groups in children)))
        elif not isinstance(value, dict):
            parts.append((1, 0))
        else:
            for op, operand in value.items():
                many = op in ("in", "not_in")
                parts.append((len(operand), int(len(operand) > 1)) if many else (1, 0))
    if len(parts) == 1:
        return parts[0]
    return sum(tests for tests, _ in parts), 1 + sum(groups for _, groups in parts)


def over_limits(when: Any) -> bool:
    """Whether the loader refuses ``when`` for durable's limits on one condition."""
    tests, groups = measure(when)
    return tests > MAX_TESTS_PER_RULE or groups > MAX_GROUPS


# --- texts -------------------------------------------------------------------------------------

_WORDS = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="{}", min_codepoint=32, max_codepoint=0x9FFF),
    min_size=1,
    max_size=12,
)


def _literal(draw: st.DrawFn) -> str:
    word = draw(st.sampled_from(["Pay", "余额", "بیلنس", "ok", "a {{literal}} brace", "50%"]) | _WORDS)
    return word if word.strip() else "text"


def _sentence(draw: st.DrawFn, placeholders: tuple[str, ...]) -> str:
    """Words with each of ``placeholders`` once, in a random order."""
    parts = [_literal(draw) for _ in range(draw(st.integers(min_value=1, max_value=3)))]
    for name in placeholders:
        parts.insert(draw(st.integers(min_value=0, max_value=len(parts))), f"{{{name}}}")
    return " ".join(parts)


def _text(draw: st.DrawFn, locale: str, placeholders: tuple[str, ...], plural: str | None) -> Any:
    """One locale's text: plain, or (``plural`` a count fact) the locale's plural forms."""
    if plural is None:
        return _sentence(draw, placeholders)
    forms: dict[str, Any] = {"plural": plural}
    for category in PLURAL_CATEGORIES:
        if category in plural_categories(locale):
            forms[category] = _sentence(draw, placeholders)
    return forms


def texts(
    *, locales: st.SearchStrategy[tuple[str, ...]] | None = None, placeholders: bool = True
) -> st.SearchStrategy[dict[str, Any]]:
    """Text by locale, with the same ``{fact}`` placeholders in every locale.

    ``locales`` draws the locales (default: ``zh-CN`` and ``en``); with ``placeholders``
    false the texts name no fact (labels, step texts of any kind).
    """
    given: object = locales  # typed a strategy, but a test may pass anything
    if given is not None and not isinstance(given, st.SearchStrategy):
        return _refused(f"texts(locales={locales!r}): expected a SearchStrategy[tuple[str, ...]]")
    chosen = st.just(("zh-CN", "en")) if locales is None else locales

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        return _texts(draw, draw(chosen), with_placeholders=placeholders)

    return build()


def _texts(draw: st.DrawFn, locales: tuple[str, ...], *, with_placeholders: bool) -> dict[str, Any]:
    names: tuple[str, ...] = ()
    plural = None
    if with_placeholders:
        names = tuple(draw(st.lists(st.sampled_from([*FACTS, "lock_lifts_on"]), max_size=2, unique=True)))
        if _one_in(draw, 5):
            plural = draw(st.sampled_from(_COUNT_FACTS))
    return {locale: _text(draw, locale, names, plural) for locale in locales}


# --- rules, providers, the pack ----------------------------------------------------------------


@attrs.frozen(kw_only=True)
class RandomPack:
    """A drawn pack: its files as data, and what the fuzz needs to know about it."""

    files: dict[str, Any]
    """Relative path (``rules.yaml``, ``providers/jazz.yaml``) to the YAML data of the file."""
    providers: tuple[str, ...]
    locales: tuple[str, ...]
    days: tuple[dt.date, ...]
    """The effective dates its rules name: the days around which it is worth assessing."""
    defect: str | None = None
    """The one mistake put into the pack, or ``None``: the loader must refuse exactly these."""
    locale_packs: tuple[str, ...] = ()
    """Locale packs inside the pack (``locale-de``), loaded after it: each adds its locale."""

    def directories(self, directory: Path) -> tuple[Path, ...]:
        """What to load, once written to ``directory``: the pack, then its locale packs."""
        return (directory, *(directory / name for name in self.locale_packs))

    @property
    def all_locales(self) -> tuple[str, ...]:
        """The pack's locales, then those its locale packs add."""
        return (*self.locales, *(name.removeprefix("locale-") for name in self.locale_packs))

    def write(self, directory: Path) -> Path:
        """Write the files into ``directory`` (created); return it."""
        for name, data in self.files.items():
            target = directory / name
            target.parent.mkdir(parents=True, exist_ok=True)
            # Quoted where YAML 1.2 would read a text as a number (PyYAML writes YAML 1.1).
            target.write_text(dump_yaml(data), encoding="utf-8")
        return directory


def _rule(  # noqa: PLR0913 (what a rule is drawn from)
    draw: st.DrawFn,
    index: int,
    *,
    providers: tuple[str, ...],
    locales: tuple[str, ...],
    claims: tuple[str, ...],
    days: list[dt.date],
) -> dict[str, Any]:
    kind = draw(st.sampled_from(["blocking", "warning", "advice", "route", "route"]))
    rule: dict[str, Any] = {
        "id": f"{kind}-{index}",
        "kind": kind,
        "claims": draw(st.lists(st.sampled_from(claims), min_size=1, max_size=3, unique=True)),
        "when": _condition(draw, providers, draw(st.integers(min_value=0, max_value=2))),
        "message": _texts(draw, locales, with_placeholders=True),
    }
    if kind == "route":
        rule["route"] = draw(st.sampled_from(ROUTES))
        if draw(st.booleans()):
            rule["priority"] = draw(st.sampled_from([0, 10, 20, 30, 1000]) | st.integers(0, 1000))
        if draw(st.booleans()):
            rule["documents"] = draw(st.lists(st.sampled_from(DOCUMENTS), max_size=3, unique=True))
        if draw(st.booleans()):
            rule["steps"] = [
                _texts(draw, locales, with_placeholders=draw(st.booleans()))
                for _ in range(draw(st.integers(min_value=0, max_value=3)))
            ]
    elif kind == "blocking" or draw(st.booleans()):
        rule["stage"] = draw(st.sampled_from(STEP_STAGES))
        rule["fix"] = _texts(draw, locales, with_placeholders=True)
    if _one_in(draw, 4):
        start = draw(st.dates(min_value=FIRST_DAY, max_value=LAST_DAY))
        rule["effective_from"] = start
        days.append(start)
    if _one_in(draw, 4):
        low = rule.get("effective_from", FIRST_DAY)
        end = draw(st.dates(min_value=low, max_value=LAST_DAY))
        rule["effective_until"] = end
        days.append(end)
    if _one_in(draw, 6):
        rule["note"] = "drawn by the fuzz"
    return rule


def _provider(draw: st.DrawFn, provider_id: str, claims: tuple[str, ...]) -> dict[str, Any]:
    review = draw(st.just("unknown") | st.tuples(st.integers(0, 365), st.integers(0, 365)).map(sorted))
    return {
        "id": provider_id,
        "name": provider_id.replace("-", " ").title(),
        "kind": draw(st.sampled_from(["local_operator", "esim_platform", "unknown"])),
        "online_cancellation": draw(st.sampled_from(["supported", "not_supported", "unknown"])),
        "in_person_confirmation": draw(st.sampled_from(["required", "not_required", "unknown"])),
        "channels": draw(
            st.lists(
                st.sampled_from(["app", "email", "helpline", "store", "website"]), max_size=3, unique=True
            )
        ),
        "review_days": review,
        "languages": draw(st.just("unknown") | st.lists(st.sampled_from(["en", "ur", "zh"]), min_size=1)),
        "sources": [{"title": "a source", "claims": draw(st.lists(st.sampled_from(claims), max_size=2))}],
        "checked": draw(st.dates(min_value=FIRST_DAY, max_value=LAST_DAY)),
    }


def _labels(draw: st.DrawFn, locale: str, documents: set[str]) -> dict[str, Any]:
    keys = [*_LABEL_KEYS, *sorted(f"document.{document}" for document in documents)]
    return {"labels": {key: f"{key} ({locale}) {_literal(draw)}" for key in keys}}


def _fallback(locales: tuple[str, ...], claims: tuple[str, ...]) -> dict[str, Any]:
    """A route rule that always fires, so most random packs give every state a route."""
    return {
        "id": "route-fallback",
        "kind": "route",
        "route": "ask_provider",
        "claims": [claims[0]],
        "when": "always",
        "message": {locale: f"Ask ({locale})" for locale in locales},
    }


_Defect = Callable[[st.DrawFn, dict[str, Any], "_Drawn"], None]


@attrs.frozen(kw_only=True)
class _Drawn:
    providers: tuple[str, ...]
    locales: tuple[str, ...]
    rules: list[dict[str, Any]]


def _any_rule(draw: st.DrawFn, drawn: _Drawn) -> dict[str, Any]:
    return draw(st.sampled_from(drawn.rules))


def _set_when(draw: st.DrawFn, drawn: _Drawn, when: Any) -> None:
    _any_rule(draw, drawn)["when"] = when


def _numeric_fact(draw: st.DrawFn) -> FactSpec:
    return FACTS[draw(st.sampled_from([name for name, spec in FACTS.items() if spec.numeric]))]


DEFECTS: dict[str, _Defect] = {
    "unknown fact": lambda draw, files, drawn: _set_when(draw, drawn, {"balanse": {"gt": 0}}),
    "bool fact with a number": lambda draw, files, drawn: _set_when(draw, drawn, {"discard_card": 1}),
    "enum value unknown": lambda draw, files, drawn: _set_when(draw, drawn, {"plan": "prepayed"}),
    "ordered operator on an enum": lambda draw, files, drawn: _set_when(
        draw, drawn, {"line_status": {"gt": "active"}}
    ),
    "number out of range": lambda draw, files, drawn: _set_when(
        draw, drawn, {(spec := _numeric_fact(draw)).name: {"lte": spec.upper + 1}}
    ),
    "money with three decimals": lambda draw, files, drawn: _set_when(draw, drawn, {"balance": "0.001"}),
    "count as a string": lambda draw, files, drawn: _set_when(draw, drawn, {"unused_sms": "3"}),
    "empty in list": lambda draw, files, drawn: _set_when(draw, drawn, {"plan": {"in": []}}),
    "empty any": lambda draw, files, drawn: _set_when(draw, drawn, {"any": []}),
    "unknown provider": lambda draw, files, drawn: _set_when(draw, drawn, {"provider": "nobody"}),
    "unknown operator": lambda draw, files, drawn: _set_when(draw, drawn, {"balance": {"greater": 1}}),
    "too many groups": lambda draw, files, drawn: _set_when(
        draw, drawn, {"all": [{"any": [{"plan": "prepaid"}, {"balance": index}]} for index in range(16)]}
    ),
    "too many tests": lambda draw, files, drawn: _set_when(
        draw, drawn, {"unused_sms": {"in": list(range(31))}}
    ),
    "unknown claim": lambda draw, files, drawn: _any_rule(draw, drawn).update(claims=["Z999"]),
    "no claims": lambda draw, files, drawn: _any_rule(draw, drawn).update(claims=[]),
    "missing locale": lambda draw, files, drawn: _any_rule(draw, drawn)["message"].pop(drawn.locales[0]),
    "placeholder not a fact": lambda draw, files, drawn: _any_rule(draw, drawn)["message"].update(
        dict.fromkeys(drawn.locales, "{balanse}")
    ),
    "broken brace": lambda draw, files, drawn: _any_rule(draw, drawn)["message"].update(
        dict.fromkeys(drawn.locales, "PKR {balance")
    ),
    "unknown rule key": lambda draw, files, drawn: _any_rule(draw, drawn).update(priorty=1),
    "duplicate rule id": lambda draw, files, drawn: drawn.rules.append(dict(drawn.rules[0])),
    "bad rule id": lambda draw, files, drawn: _any_rule(draw, drawn).update(id="Rule 1"),
    "effective_until before effective_from": lambda draw, files, drawn: _any_rule(draw, drawn).update(
        effective_from=dt.date(2027, 1, 2), effective_until=dt.date(2027, 1, 1)
    ),
    "unknown kind": lambda draw, files, drawn: _any_rule(draw, drawn).update(kind="blocker"),
    "stage without fix": lambda draw, files, drawn: _any_rule(draw, drawn).update(
        stage="balance", kind="warning", fix=None
    ),
    "unknown locale in manifest": lambda draw, files, drawn: files["ruleset.yaml"].update(locales=["xx_YY"]),
    "unknown document": lambda draw, files, drawn: drawn.rules.append(
        {**_fallback(drawn.locales, ("A1",)), "id": "route-doc", "documents": ["no_label_doc"]}
    ),
}


def _strip_none(rule: dict[str, Any]) -> None:
    for key in [key for key, value in rule.items() if value is None]:
        del rule[key]


def rule_packs(
    *,
    max_rules: int = 12,
    locales: st.SearchStrategy[tuple[str, ...]] | None = None,
    defects: st.SearchStrategy[bool] | None = None,
) -> st.SearchStrategy[RandomPack]:
    """Random plausible packs of up to ``max_rules`` rules (plus a fallback route, usually).

    ``locales`` draws the pack's locales (default: one to three of :data:`LOCALES`);
    ``defects`` whether to put one mistake in (default: about one pack in three).
    """
    if isinstance(max_rules, bool) or not isinstance(max_rules, int) or not 1 <= max_rules <= MAX_RULES - 2:
        return _refused(
            f"rule_packs(max_rules={max_rules!r}): expected a whole number from 1 to {MAX_RULES - 2}"
        )
    arguments: tuple[tuple[str, object], ...] = (("locales", locales), ("defects", defects))
    for name, value in arguments:
        if value is not None and not isinstance(value, st.SearchStrategy):
            return _refused(
                f"rule_packs({name}={value!r}): expected a SearchStrategy, got {type(value).__name__}"
            )
    chosen_locales = (
        st.lists(st.sampled_from(LOCALES), min_size=1, max_size=3, unique=True).map(tuple)
        if locales is None
        else locales
    )
    with_defect = st.sampled_from([False, False, True]) if defects is None else defects

    @st.composite
    def build(draw: st.DrawFn) -> RandomPack:
        return _pack(draw, draw(chosen_locales), max_rules=max_rules, defective=draw(with_defect))

    return build()


def _pack(draw: st.DrawFn, locales: tuple[str, ...], *, max_rules: int, defective: bool) -> RandomPack:
    providers = tuple(draw(st.lists(st.sampled_from(PROVIDER_IDS), min_size=1, max_size=4, unique=True)))
    claims = tuple(f"A{number}" for number in range(1, draw(st.integers(min_value=1, max_value=6)) + 1))
    days: list[dt.date] = []
    rules = [
        _rule(draw, index, providers=providers, locales=locales, claims=claims, days=days)
        for index in range(draw(st.integers(min_value=1, max_value=max_rules)))
    ]
    if not _one_in(draw, 5):
        rules.append(_fallback(locales, claims))
    cited = {claim for rule in rules for claim in rule["claims"]}
    files: dict[str, Any] = {
        "ruleset.yaml": {"name": "random", "version": "1.0", "locales": list(locales)},
        "claims.yaml": {
            "claims": [
                {
                    "id": claim,
                    "text": f"claim {claim}",
                    **({} if claim in cited else {"excuse": "not encoded"}),
                }
                for claim in claims
            ]
        },
    }
    for provider in providers:
        files[f"providers/{provider}.yaml"] = _provider(draw, provider, claims)
    fixable = [rule for rule in rules if "fix" in rule and "stage" in rule]
    if fixable and _one_in(draw, 4):
        target = draw(st.sampled_from(fixable))
        files[f"providers/{providers[0]}.yaml"]["fixes"] = [
            {
                "id": f"{target['id']}-{providers[0]}",
                "for": target["id"],
                "claims": [claims[0]],
                "message": _texts(draw, locales, with_placeholders=True),
                "fix": _texts(draw, locales, with_placeholders=True),
            }
        ]
    defect = None
    if defective:
        defect = draw(st.sampled_from(sorted(DEFECTS)))
        DEFECTS[defect](draw, files, _Drawn(providers=providers, locales=locales, rules=rules))
        for rule in rules:
            _strip_none(rule)
    if defect is None and any(over_limits(rule["when"]) for rule in rules):
        defect = "condition over durable's limits"
    documents = {document for rule in rules for document in rule.get("documents", ())}
    documents.discard("no_label_doc")
    for locale in locales:
        files[f"locales/{locale}.yaml"] = _labels(draw, locale, documents)
    # Rules go into one to three files, in order: which file a rule is in must not matter.
    cuts = sorted(draw(st.lists(st.integers(min_value=0, max_value=len(rules)), max_size=2)))
    for number, (start, end) in enumerate(zip([0, *cuts], [*cuts, len(rules)], strict=True)):
        if end > start or number == 0:
            files[f"rules-{number}.yaml"] = {"rules": rules[start:end]}
    locale_packs: tuple[str, ...] = ()
    if defect is None and _one_in(draw, 4):
        locale = draw(st.sampled_from([name for name in TRANSLATIONS if name not in locales]))
        fixes = files[f"providers/{providers[0]}.yaml"].get("fixes", [])
        pack = _locale_pack(draw, locale, locales[0], [*rules, *fixes], documents)
        defect = _locale_defect(draw, pack, locales[0])
        locale_packs = (f"locale-{locale}",)
        files[f"locale-{locale}/locale.yaml"] = pack
    return RandomPack(
        files=files,
        providers=providers,
        locales=locales,
        days=tuple(sorted(set(days))),
        defect=defect,
        locale_packs=locale_packs,
    )


TRANSLATIONS = ("de", "pl", "ar", "ur", "cy")
"""Locales a locale pack may add: Polish has one/few/many/other, Welsh all six categories."""


def _translated(text: Any, locale: str) -> Any:
    """A text of the pack's first locale in ``locale``: the same words and placeholders, in
    the plural forms ``locale`` has when the text has forms."""
    if not isinstance(text, dict):
        return text
    forms = {
        category: text["other"] for category in PLURAL_CATEGORIES if category in plural_categories(locale)
    }
    return {"plural": text["plural"], **forms}


def _locale_pack(
    draw: st.DrawFn, locale: str, first: str, rules: list[dict[str, Any]], documents: set[str]
) -> dict[str, Any]:
    """``locale.yaml`` translating every rule (provider fixes too) and every label."""
    texts: dict[str, Any] = {}
    for rule in rules:
        entry: dict[str, Any] = {"message": _translated(rule["message"][first], locale)}
        if "fix" in rule:
            entry["fix"] = _translated(rule["fix"][first], locale)
        if rule.get("steps"):
            entry["steps"] = [_translated(step[first], locale) for step in rule["steps"]]
        texts[rule["id"]] = entry
    return {"locale": locale, "texts": texts, "labels": _labels(draw, locale, documents)["labels"]}


def _locale_defect(draw: st.DrawFn, pack: dict[str, Any], first: str) -> str | None:
    """Now and then one mistake in a locale pack: a rule left untranslated, or a locale the
    rule set already has."""
    if not _one_in(draw, 4):
        return None
    if draw(st.booleans()):
        pack["texts"].pop(draw(st.sampled_from(sorted(pack["texts"]))))
        return "locale pack misses a rule"
    pack["locale"] = first
    return "locale pack of a locale the rule set has"
