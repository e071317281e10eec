"""simcancel.analysis._static_checks: stages, traceability and i18n findings on a loaded rule set."""

from __future__ import annotations

from pathlib import Path

import attrs

from simcancel import default_rules, load_rules
from simcancel.analysis import check_i18n, check_stages, check_traceability
from tests.packs import BROKEN_PACKS, broken_pack


def test_static_checks_find_uncovered_claims_and_missing_labels() -> None:
    """A claim no rule cites and no excuse covers, and a missing route label, are reported."""
    rules = load_rules(BROKEN_PACKS / "good")
    claims = dict(rules.claims)
    claims["A1"] = attrs.evolve(claims["A1"], excuse=None)
    labels = {
        locale: {k: v for k, v in labels.items() if k != "route.in_store"}
        for locale, labels in rules.labels.items()
    }
    broken = attrs.evolve(rules, claims=claims, labels=labels)
    trace = check_traceability(broken)
    assert not trace.ok
    assert "A1" in trace.counterexamples[0].problem
    i18n = check_i18n(broken)
    assert not i18n.ok
    assert "route.in_store" in i18n.counterexamples[0].problem


def test_static_checks_pass_on_the_good_pack() -> None:
    """The good pack's rules all cite claims and every text is in both locales."""
    rules = load_rules(BROKEN_PACKS / "good")
    assert check_traceability(rules).ok
    assert check_i18n(rules).ok
    assert check_i18n(rules).mode == "static"


def test_a_blocking_rule_staged_after_the_cancellation_is_named(tmp_path: Path) -> None:
    """stages fails a blocking rule with stage after, naming it and where it is; a static finding."""
    result = check_stages(load_rules(broken_pack("blocking_after", tmp_path)))
    assert (result.ok, result.mode) == (False, "static")
    problem = result.counterexamples[0].problem
    assert problem.startswith("blocking rule balance-not-zero (")
    assert "preconditions.yaml:3) has stage after" in problem


def test_shipped_blocking_rules_come_before_the_cancellation() -> None:
    """The shipped blocking rules pass stages (the two stage-after rules are advice, not blocking)."""
    result = check_stages(default_rules())
    assert result.ok, result.counterexamples
    assert result.message == "the steps of all 4 blocking rules come before the cancellation"
