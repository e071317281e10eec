"""Prove a rule set consistent: public checks over any :class:`~simcancel.RuleSet`.

>>> from simcancel import default_rules
>>> from simcancel.analysis import verify
>>> report = verify(default_rules())
>>> report.ok, report.exhaustive
(True, True)

Each ``check_*`` function takes a rule set and returns a :class:`CheckResult`;
:func:`verify` runs them all and returns a :class:`Report`.  Failures carry
:class:`Counterexample` s: a concrete state, as the JSON ``simcancel assess`` reads, and
what went wrong for it.

How the state-based checks search (see ``docs/verify.md``): the state space is cut into
the finite classes the rules can tell apart (:func:`state_space`).  Each check looks
only at the variables that can change its verdict (the route rules' facts for totality,
one rule's facts for dead rules, ...), and walks every combination of their classes with
the reference evaluator, which makes it a proof over all states.  When a walk's
combinations exceed ``max_classes`` it samples states with Hypothesis instead, and says
so (``mode == "sampled"``).  The durable engine itself is checked against the reference
(``differential``) and for isolation (``purity``) on sampled states.

One job per module: ``_report`` (the result types), ``_options`` (what a run is told),
``_search`` (the walks and the one skeleton every state-based check runs on),
``_sampling`` (Hypothesis, imported only when a walk samples), ``_state_checks``,
``_engine_checks`` (differential, purity), ``_static_checks`` (stages, traceability, i18n) and
``_verify`` (all of them).
"""

from __future__ import annotations

from simcancel._statespace import StateSpace, state_space
from simcancel.analysis._engine_checks import check_differential, check_purity
from simcancel.analysis._options import DEFAULT_MAX_CLASSES
from simcancel.analysis._options import DEFAULT_SAMPLES as DEFAULT_SAMPLES  # cli and testing read it
from simcancel.analysis._report import CHECKS, CheckResult, Counterexample, Report
from simcancel.analysis._state_checks import (
    check_clearable,
    check_dead_rules,
    check_monotonicity,
    check_overlaps,
    check_route_soundness,
    check_totality,
)
from simcancel.analysis._static_checks import check_i18n, check_stages, check_traceability
from simcancel.analysis._verify import verify, verify_paths

__all__ = [
    "CHECKS",
    "CheckResult",
    "Counterexample",
    "DEFAULT_MAX_CLASSES",
    "Report",
    "StateSpace",
    "check_clearable",
    "check_dead_rules",
    "check_differential",
    "check_i18n",
    "check_monotonicity",
    "check_overlaps",
    "check_purity",
    "check_route_soundness",
    "check_stages",
    "check_totality",
    "check_traceability",
    "state_space",
    "verify",
    "verify_paths",
]
