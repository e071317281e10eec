"""``assess()``: the one function most users need."""

from __future__ import annotations

import datetime as dt
import functools
import weakref
from pathlib import Path

import attrs

from simcancel._clock import today_in_pakistan
from simcancel._decide import decide
from simcancel._engine import CompiledRules, compiled, evaluate
from simcancel._errors import InvalidStateError, Problem, UsageError, did_you_mean, shorten
from simcancel._facts import facts_for
from simcancel._loader import load_rules
from simcancel._locales import negotiate_locale
from simcancel._rules_cache import cached_rules
from simcancel._ruleset import RuleSet
from simcancel._whatif import DEFAULT_MAX_SETS, explore
from simcancel.model import Assessment, UserState, WhatIf

__all__ = [
    "PUBLIC_FACTS",
    "assess",
    "checked_arguments",
    "builtin_packs",
    "builtin_rules_path",
    "default_rules",
    "what_if",
]


def builtin_rules_path() -> Path:
    """The directory of the article's rule pack shipped inside the package."""
    # The package's directory, as importlib.resources.files("simcancel") names it for a
    # package on the file system (without importing importlib.resources at start-up).
    shipped = Path(__file__).parent / "rules"
    if shipped.is_dir():
        return shipped
    # An editable install of a source checkout: rules/ sits beside src/.
    checkout = Path(__file__).resolve().parents[2] / "rules"
    if checkout.is_dir():
        return checkout
    raise UsageError(f"the built-in rules are missing: looked in {shipped} and {checkout}")


SHIPPED_LOCALE_PACKS = ("locale-ur",)
"""The locale packs shipped inside each built-in pack (``locale-ur``: Urdu)."""

PUBLIC_FACTS = "public-facts"
"""The optional pack of public facts (claims B1-B12), inside the built-in rules directory."""


def builtin_packs(*, public_facts: bool = True, locale_packs: bool = False) -> tuple[Path, ...]:
    """The built-in packs to load together: the article's, then the public facts', and
    with ``locale_packs=True`` the locale packs translating them (Urdu).

    ``load_rules(*builtin_packs(), "my_pack")`` extends the built-in rules with a pack
    of your own.  A locale pack must translate every rule loaded with it, so the Urdu
    packs are left out unless asked for: :func:`default_rules` has them.
    """
    article = builtin_rules_path()
    packs = (article, article / PUBLIC_FACTS) if public_facts else (article,)
    if not locale_packs:
        return packs
    # The shipped locale packs, after the packs they translate.
    return (*packs, *(pack / name for pack in packs for name in SHIPPED_LOCALE_PACKS))


def default_rules(*, public_facts: bool = True) -> RuleSet:
    """The built-in rule set, loaded and checked once per process.

    A later process reads the checked rule set back from an on-disk cache (under
    ``~/.cache/simcancel``) as long as nothing it depends on changed: the rule files, the
    simcancel code, Python, PyYAML, Babel or attrs.  ``SIMCANCEL_CACHE_DIR`` moves it; set
    to the empty string, it turns it off.

    ``public_facts=False`` leaves out the optional pack of public facts (claims B1-B12),
    so that every answer rests on the source article alone.
    """
    if not isinstance(public_facts, bool):
        raise UsageError(f"public_facts: expected True or False, got {shorten(public_facts)}")
    return _default_rules(public_facts)


@functools.cache
def _default_rules(public_facts: bool) -> RuleSet:  # noqa: FBT001 (a cache key, called once above)
    return cached_rules(
        builtin_rules_path(),
        public_facts=public_facts,
        load=lambda: load_rules(*builtin_packs(public_facts=public_facts, locale_packs=True)),
    )


def assess(
    state: UserState,
    *,
    rules: RuleSet | None = None,
    locale: str = "zh-CN",
    as_of: dt.date | None = None,
    what_if: bool = False,
) -> Assessment:
    """Assess one SIM account: what blocks cancelling, what to watch, which route to take.

    ``rules`` defaults to the built-in rule set; ``locale`` is one of its locales
    (``"zh-CN"``, ``"en"``) or a name CLDR matches to one (``zh``, ``zh_Hans``, ``en-GB``),
    and the assessment's ``locale`` is that pack locale; ``as_of`` (default: today in
    Pakistan, Asia/Karachi) selects the rules in effect.
    ``what_if=True`` adds :attr:`Assessment.what_if`, the smallest changes of the state
    that would change the answer (it costs a search: see :func:`what_if`).
    The same arguments always give an equal assessment.
    """
    if what_if is False:  # the common case first: two identity tests, not an isinstance
        return _assess(state, rules, locale, as_of, 0)
    if what_if is not True:
        raise UsageError(f"what_if: expected True or False, got {shorten(what_if)}")
    return _assess(state, rules, locale, as_of, DEFAULT_MAX_SETS)


def what_if(
    state: UserState,
    *,
    rules: RuleSet | None = None,
    locale: str = "zh-CN",
    as_of: dt.date | None = None,
    max_sets: int = DEFAULT_MAX_SETS,
) -> WhatIf:
    """What would change the answer for ``state``: the smallest sets of changes that make
    nothing block, and each that makes an alternative route the recommended one.

    The other arguments are :func:`assess`'s; ``max_sets`` (1 to 100) caps the change sets
    reported per goal.  Provider policy is never changed: who the person is with is not a
    change they can make.
    """
    if isinstance(max_sets, bool) or not isinstance(max_sets, int) or not 1 <= max_sets <= _MAX_SETS:
        raise UsageError(f"max_sets: expected a whole number from 1 to {_MAX_SETS}, got {shorten(max_sets)}")
    found = _assess(state, rules, locale, as_of, max_sets).what_if
    assert found is not None
    return found


_MAX_SETS = 100


def _pack_locale(locale: object, ruleset: RuleSet) -> str:
    """The rule set's locale that ``locale`` means (``zh``, ``zh_CN``, ``zh-Hans``: ``zh-CN``)."""
    found = negotiate_locale(locale, ruleset.locales) if isinstance(locale, str) else None
    if found is None:
        raise UsageError(
            f"locale: expected one of {', '.join(ruleset.locales)}, "
            f"got {shorten(locale)}{did_you_mean(str(locale), ruleset.locales)}"
        )
    return found


def checked_arguments(
    rules: RuleSet | None, locale: object, as_of: dt.date | None
) -> tuple[RuleSet, str, dt.date]:
    """The rule set (default: the built-in one), its locale that ``locale`` means, and the
    day (default: today in Pakistan), or a :class:`UsageError` naming the wrong one."""
    ruleset = default_rules() if rules is None else rules
    if not isinstance(ruleset, RuleSet):
        raise UsageError(f"rules: expected a RuleSet from load_rules(), got {shorten(ruleset)}")
    found = _pack_locale(locale, ruleset)
    if type(as_of) is dt.date:  # the common case: one identity test
        return ruleset, found, as_of
    if as_of is None:
        as_of = today_in_pakistan()
    elif not isinstance(as_of, dt.date) or isinstance(as_of, dt.datetime):
        # A datetime is a date subclass, yet comparing it with a rule's dates raises TypeError.
        raise UsageError(
            f"as_of: expected a datetime.date (for a datetime, pass its .date()), got {shorten(as_of)}"
        )
    return ruleset, found, as_of


_last_compiled: tuple[weakref.ref[RuleSet], weakref.ref[CompiledRules]] | None = None
"""The rule set ``_compiled`` was last asked for and its registration, both held weakly."""


def _compiled(ruleset: RuleSet) -> CompiledRules:
    """``compiled(ruleset)``; the one asked for last is found without the weak dictionary's
    look-up (most calls ask for the same rule set)."""
    global _last_compiled  # noqa: PLW0603 - one tuple, replaced whole (atomic under the GIL)
    last = _last_compiled
    if last is not None and last[0]() is ruleset:
        found = last[1]()
        if found is not None:
            return found
    found = compiled(ruleset)
    _last_compiled = (weakref.ref(ruleset), weakref.ref(found))
    return found


def _assess(
    state: UserState, rules: RuleSet | None, locale: str, as_of: dt.date | None, max_sets: int
) -> Assessment:
    """:func:`assess`, with the what-if search when ``max_sets`` is positive (positional
    arguments: this runs on every assessment)."""
    ruleset, locale, as_of = checked_arguments(rules, locale, as_of)
    if not isinstance(state, UserState):
        raise InvalidStateError(
            [
                Problem(
                    path="$",
                    message=f"expected a UserState (build one with UserState.from_dict), "
                    f"got {shorten(state)}",
                )
            ]
        )
    activated = state.activated_on
    # A datetime is a date, yet compares only with datetimes: its day is compared.
    if activated is not None and (
        activated > as_of
        if type(activated) is dt.date
        else dt.date(activated.year, activated.month, activated.day) > as_of
    ):
        raise InvalidStateError(
            [
                Problem(
                    path="$.activated_on",
                    message=f"expected a day on or before the assessment day {as_of.isoformat()}, "
                    f"got {activated.isoformat()!r}, which is after it",
                )
            ]
        )
    provider = ruleset.provider(state.provider)
    facts = facts_for(state, provider, as_of)
    fired = evaluate(_compiled(ruleset), facts)
    result = decide(ruleset, fired, facts, locale=locale, as_of=as_of)
    if max_sets:
        result = attrs.evolve(result, what_if=explore(ruleset, facts, result, as_of=as_of, max_sets=max_sets))
    return result
