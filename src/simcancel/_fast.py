"""Unchecked constructors of the answer's value objects, for :mod:`simcancel._decide` only.

The public constructors (``Issue(...)``, ``Assessment(...)``) run attrs' generated
``__init__``: keyword arguments, a converter per sequence (a list becomes a tuple, a
string is refused).  ``decide`` builds about ten of these objects per assessment from
values that already have their final types (tuples of strings, tuples of pairs, a
:class:`~simcancel._frozen.FrozenMapping`), so it sets the slots directly through their
descriptors instead: the same object, without the checks.

Each function takes every field, in the class's field order, and must be given values
of the types the public constructor would store; ``tests/test_decide.py`` checks that
each builds an object equal to, and of the same field values as, the public one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from simcancel.model import (
    Assessment,
    DisplayValue,
    Document,
    Issue,
    IssueKind,
    RouteKind,
    RouteOption,
    Stage,
    Step,
    WhatIf,
)

__all__ = ["assessment", "issue", "route_option", "step"]

_new = object.__new__


def _setters(cls: type) -> tuple[Callable[[Any, Any], None], ...]:
    """The slot descriptors' setters of ``cls``'s fields, in field order."""
    return tuple(vars(cls)[field.name].__set__ for field in attrs.fields(cls))


_ISSUE = _setters(Issue)
_ROUTE = _setters(RouteOption)
_STEP = _setters(Step)
_ASSESSMENT = _setters(Assessment)


def issue(  # noqa: PLR0913, PLR0917 (one argument per field, in order, as in C)
    code: str,
    kind: IssueKind,
    message: str,
    fix: str | None,
    claims: tuple[str, ...],
    facts: tuple[tuple[str, DisplayValue], ...],
) -> Issue:
    """``Issue(code=..., ...)`` without converters."""
    made: Issue = _new(Issue)
    set_code, set_kind, set_message, set_fix, set_claims, set_facts = _ISSUE
    set_code(made, code)
    set_kind(made, kind)
    set_message(made, message)
    set_fix(made, fix)
    set_claims(made, claims)
    set_facts(made, facts)
    return made


def route_option(
    route: RouteKind,
    code: str,
    reason: str,
    claims: tuple[str, ...],
    facts: tuple[tuple[str, DisplayValue], ...],
) -> RouteOption:
    """``RouteOption(route=..., ...)`` without converters."""
    made: RouteOption = _new(RouteOption)
    set_route, set_code, set_reason, set_claims, set_facts = _ROUTE
    set_route(made, route)
    set_code(made, code)
    set_reason(made, reason)
    set_claims(made, claims)
    set_facts(made, facts)
    return made


def step(stage: Stage, text: str, code: str, claims: tuple[str, ...]) -> Step:
    """``Step(stage=..., ...)`` without converters."""
    made: Step = _new(Step)
    set_stage, set_text, set_code, set_claims = _STEP
    set_stage(made, stage)
    set_text(made, text)
    set_code(made, code)
    set_claims(made, claims)
    return made


def assessment(  # noqa: PLR0913, PLR0917 (one argument per field, in order, as in C)
    provider: str,
    locale: str,
    as_of: dt.date,
    ruleset: str,
    blocking: tuple[Issue, ...],
    warnings: tuple[Issue, ...],
    advice: tuple[Issue, ...],
    route: RouteOption,
    alternatives: tuple[RouteOption, ...],
    documents: tuple[Document, ...],
    steps: tuple[Step, ...],
    claims: tuple[str, ...],
    labels: Mapping[str, str],
    what_if: WhatIf | None = None,
) -> Assessment:
    """``Assessment(provider=..., ...)`` without converters (``labels``: a FrozenMapping)."""
    made: Assessment = _new(Assessment)
    (
        set_provider,
        set_locale,
        set_as_of,
        set_ruleset,
        set_blocking,
        set_warnings,
        set_advice,
        set_route,
        set_alternatives,
        set_documents,
        set_steps,
        set_claims,
        set_labels,
        set_what_if,
    ) = _ASSESSMENT
    set_provider(made, provider)
    set_locale(made, locale)
    set_as_of(made, as_of)
    set_ruleset(made, ruleset)
    set_blocking(made, blocking)
    set_warnings(made, warnings)
    set_advice(made, advice)
    set_route(made, route)
    set_alternatives(made, alternatives)
    set_documents(made, documents)
    set_steps(made, steps)
    set_claims(made, claims)
    set_labels(made, labels)
    set_what_if(made, what_if)
    return made
