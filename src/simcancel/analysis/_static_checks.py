"""The checks that need no state: stages (the plan's order), traceability (rules <-> claims)
and i18n (texts, labels)."""

from __future__ import annotations

import string
import time
from collections.abc import Sequence

from simcancel._locales import plural_categories
from simcancel._questions import question_labels
from simcancel._ruleset import Plural, RuleKind, RuleSet, Text, claim_sort_key, text_forms
from simcancel.analysis._report import CheckResult, Counterexample
from simcancel.model import RouteKind, Stage

__all__ = ["check_i18n", "check_stages", "check_traceability"]


def _static(name: str, started: float, found: Sequence[Counterexample], ok: str, fail: str) -> CheckResult:
    return CheckResult(
        name=name,
        ok=not found,
        message=fail if found else ok,
        counterexamples=tuple(found),
        mode="static",
        seconds=time.perf_counter() - started,
    )


def check_traceability(rules: RuleSet) -> CheckResult:
    """Every rule cites claims of the register; every claim is cited by a rule or excused."""
    started = time.perf_counter()
    found: list[Counterexample] = []
    for rule in rules.rules:
        if not rule.claims:
            found.append(Counterexample(problem=f"rule {rule.id} ({rule.file}:{rule.line}) cites no claim"))
        found.extend(
            Counterexample(problem=f"rule {rule.id} cites unknown claim {claim}")
            for claim in rule.claims
            if claim not in rules.claims
        )
    cited = {claim for rule in rules.rules for claim in rule.claims}
    found.extend(
        Counterexample(problem=f"claim {claim_id} is neither encoded by a rule nor excused")
        for claim_id in sorted(rules.claims, key=claim_sort_key)
        if claim_id not in cited and rules.claims[claim_id].excuse is None
    )
    return _static(
        "traceability",
        started,
        found,
        f"{len(rules.rules)} rules cite claims; all {len(rules.claims)} claims are covered or excused",
        "rules or claims are not traceable",
    )


_STAGES = tuple(Stage)


def check_stages(rules: RuleSet) -> CheckResult:
    """Every blocking rule's step comes before the cancellation: no stage after ``route``.

    A blocking issue is a precondition of cancelling; the plan orders steps by stage, so a
    blocking rule with ``stage: after`` tells people to clear it once the SIM is gone.
    """
    started = time.perf_counter()
    route = _STAGES.index(Stage.ROUTE)
    found = [
        Counterexample(
            problem=f"blocking rule {rule.id} ({rule.file}:{rule.line}) has stage {rule.stage.value}: "
            "its step is scheduled after the cancellation it must precede"
        )
        for rule in rules.rules
        if rule.kind is RuleKind.BLOCKING and rule.stage is not None and _STAGES.index(rule.stage) > route
    ]
    blocking = sum(1 for rule in rules.rules if rule.kind is RuleKind.BLOCKING)
    return _static(
        "stages",
        started,
        found,
        f"the steps of all {blocking} blocking rules come before the cancellation",
        "some blocking rules are scheduled after the cancellation",
    )


_FIELDS = string.Formatter()


def _placeholders(text: Text) -> frozenset[str] | None:
    """The placeholders of one locale's text (of plural forms: every form's and the count)."""
    names = {text.count} if isinstance(text, Plural) else set()
    try:
        for form in text_forms(text):
            names.update(field for _, field, _, _ in _FIELDS.parse(form) if field is not None)
    except ValueError:
        return None
    return frozenset(names)


def check_i18n(rules: RuleSet) -> CheckResult:
    """Every text exists in every locale with the same placeholders; every label too, the
    questions of every field a rule reads and the interview's words among them."""
    started = time.perf_counter()
    found: list[Counterexample] = []
    for rule in rules.rules:
        texts = [("message", rule.message)]
        if rule.fix is not None:
            texts.append(("fix", rule.fix))
        texts.extend((f"steps[{index}]", step) for index, step in enumerate(rule.steps))
        for where, localized in texts:
            missing = [locale for locale in rules.locales if locale not in localized]
            if missing:
                found.append(
                    Counterexample(problem=f"rule {rule.id} {where}: no text for {', '.join(missing)}")
                )
                continue
            shapes = {_placeholders(localized[locale]) for locale in rules.locales}
            if len(shapes) > 1:
                found.append(
                    Counterexample(problem=f"rule {rule.id} {where}: the locales use different placeholders")
                )
            for locale in rules.locales:
                text = localized[locale]
                if isinstance(text, Plural) and not plural_categories(locale) <= set(text.forms):
                    found.append(
                        Counterexample(problem=f"rule {rule.id} {where}: plural forms missing in {locale}")
                    )
    needed = {f"route.{route.value}" for route in RouteKind}
    needed |= {f"document.{document}" for rule in rules.rules for document in rule.documents}
    needed |= {f"stage.{rule.stage.value}" for rule in rules.rules if rule.stage is not None}
    needed |= question_labels(rules)
    for locale in rules.locales:
        labels = rules.labels.get(locale, {})
        found.extend(
            Counterexample(problem=f"locale {locale}: missing label {key!r}")
            for key in sorted(needed - set(labels))
        )
    every_key = set().union(*(set(labels) for labels in rules.labels.values()))
    for locale, labels in sorted(rules.labels.items()):
        found.extend(
            Counterexample(problem=f"locale {locale}: missing label {key!r} (other locales have it)")
            for key in sorted(every_key - set(labels) - needed)
        )
    return _static(
        "i18n",
        started,
        found,
        f"every text is in {', '.join(rules.locales)} with the same placeholders",
        "texts or labels are missing in some locale",
    )
