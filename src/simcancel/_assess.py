"""``assess()``: the one function most users need."""

from __future__ import annotations

import datetime as dt
import functools
from importlib import resources
from pathlib import Path

from simcancel._decide import decide
from simcancel._engine import compiled, evaluate
from simcancel._errors import InvalidStateError, Problem, UsageError, did_you_mean, shorten
from simcancel._facts import facts_for
from simcancel._loader import load_rules
from simcancel._ruleset import RuleSet
from simcancel.model import Assessment, UserState

__all__ = ["PUBLIC_FACTS", "assess", "builtin_packs", "builtin_rules_path", "default_rules"]


def builtin_rules_path() -> Path:
    """The directory of the article's rule pack shipped inside the package."""
    shipped = Path(str(resources.files("simcancel") / "rules"))
    if shipped.is_dir():
        return shipped
    # An editable install of a source checkout: rules/ sits beside src/.
    checkout = Path(__file__).resolve().parents[2] / "rules"
    if checkout.is_dir():
        return checkout
    raise UsageError(f"the built-in rules are missing: looked in {shipped} and {checkout}")


PUBLIC_FACTS = "public-facts"
"""The optional pack of public facts (claims B1-B5), inside the built-in rules directory."""


def builtin_packs(*, public_facts: bool = True) -> tuple[Path, ...]:
    """The built-in packs to load together: the article's, then the public facts'.

    ``load_rules(*builtin_packs(), "my_pack")`` extends the built-in rules with a pack
    of your own.
    """
    article = builtin_rules_path()
    return (article, article / PUBLIC_FACTS) if public_facts else (article,)


def default_rules(*, public_facts: bool = True) -> RuleSet:
    """The built-in rule set, loaded and checked once per process.

    ``public_facts=False`` leaves out the optional pack of public facts (claims B1-B5),
    so that every answer rests on the source article alone.
    """
    if not isinstance(public_facts, bool):
        raise UsageError(f"public_facts: expected True or False, got {shorten(public_facts)}")
    return _default_rules(public_facts)


@functools.cache
def _default_rules(public_facts: bool) -> RuleSet:
    return load_rules(*builtin_packs(public_facts=public_facts))


def assess(
    state: UserState, *, rules: RuleSet | None = None, locale: str = "zh-CN", as_of: dt.date | None = None
) -> Assessment:
    """Assess one SIM account: what blocks cancelling, what to watch, which route to take.

    ``rules`` defaults to the built-in rule set; ``locale`` is one of its locales
    (``"zh-CN"``, ``"en"``); ``as_of`` (default: today) selects the rules in effect.
    The same arguments always give an equal assessment.
    """
    ruleset = default_rules() if rules is None else rules
    if not isinstance(ruleset, RuleSet):
        raise UsageError(f"rules: expected a RuleSet from load_rules(), got {shorten(ruleset)}")
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
    if locale not in ruleset.locales:
        raise UsageError(
            f"locale: expected one of {', '.join(ruleset.locales)}, got "
            f"{shorten(locale)}{did_you_mean(str(locale), ruleset.locales)}"
        )
    if as_of is None:
        as_of = dt.date.today()
    elif not isinstance(as_of, dt.date) or isinstance(as_of, dt.datetime):
        # A datetime is a date subclass, yet comparing it with a rule's dates raises TypeError.
        raise UsageError(
            f"as_of: expected a datetime.date (for a datetime, pass its .date()), got {shorten(as_of)}"
        )
    activated = state.activated_on
    if activated is not None and dt.date(activated.year, activated.month, activated.day) > as_of:
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
    fired = evaluate(compiled(ruleset), facts)
    return decide(ruleset, fired, facts, locale=locale, as_of=as_of)
