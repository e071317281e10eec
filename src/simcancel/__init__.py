"""simcancel: can I cancel my Pakistani SIM / data card, and how?

>>> from simcancel import UserState, assess
>>> result = assess(UserState.from_json(text), locale="en")  # doctest: +SKIP
>>> result.can_cancel_now, result.route.route, [i.code for i in result.blocking]  # doctest: +SKIP

Rules are data (``rules/`` inside the package), evaluated by durable-rules; every
answer cites the claims of the source article it rests on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simcancel._assess import assess, builtin_packs, builtin_rules_path, default_rules, what_if
from simcancel._batch import assess_many
from simcancel._contracts import json_schema
from simcancel._engine import live_sessions
from simcancel._errors import (
    EngineError,
    InvalidStateError,
    NoRouteError,
    Problem,
    RuleFileError,
    SimcancelError,
    UsageError,
)
from simcancel._hypothesis_plugin import register_if_hypothesis
from simcancel._loader import load_rules
from simcancel._render import render_text
from simcancel._ruleset import Claim, Provider, Rule, RuleSet
from simcancel.model import (
    Assessment,
    ChangeSet,
    Document,
    Documents,
    Intentions,
    Issue,
    IssueKind,
    LineStatus,
    Plan,
    RegisteredOwner,
    RouteKind,
    RouteOption,
    Service,
    ServiceKind,
    SimForm,
    Situation,
    Stage,
    StateChange,
    Step,
    UnusedResources,
    UserState,
    WhatIf,
    WhatIfGoal,
)


def _installed_version() -> str:
    """The version in the installed package's metadata, written once in ``pyproject.toml``.

    A source tree that was never installed (``PYTHONPATH=src``, no ``pip install``) has no
    metadata: its version is then ``"0+unknown"``, a valid PEP 440 local version that sorts
    before every release, so nothing mistakes it for one.
    """
    from importlib import metadata  # noqa: PLC0415 - it imports email, zipfile, csv: only when asked

    try:
        return metadata.version("simcancel")
    except metadata.PackageNotFoundError:
        return "0+unknown"


if TYPE_CHECKING:
    from simcancel._partial import assess_partial
    from simcancel._partial_model import (
        Certainty,
        Choice,
        PartialAssessment,
        PartialIssue,
        PossibleRoute,
        Question,
        Reply,
    )
    from simcancel._partial_state import PartialState
    from simcancel._questions import next_questions

    __version__: str

_LAZY = {
    "Certainty": "simcancel._partial_model",
    "Choice": "simcancel._partial_model",
    "PartialAssessment": "simcancel._partial_model",
    "PartialIssue": "simcancel._partial_model",
    "PartialState": "simcancel._partial_state",
    "PossibleRoute": "simcancel._partial_model",
    "Question": "simcancel._partial_model",
    "Reply": "simcancel._partial_model",
    "assess_partial": "simcancel._partial",
    "next_questions": "simcancel._questions",
}
"""Names of the conversation API (partial states, the next question), imported on first use:
``simcancel assess FILE`` never needs them."""


def __getattr__(name: str) -> object:
    # ``__version__`` is read on first use (PEP 562): reading the package metadata costs
    # more start-up than the rest of ``simcancel assess FILE``'s assessment.  So are the
    # names of the conversation API (_LAZY).
    if name == "__version__":
        version = _installed_version()
        globals()["__version__"] = version
        return version
    if name in _LAZY:
        import importlib  # noqa: PLC0415

        found = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = found
        return found
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Assessment",
    "Certainty",
    "ChangeSet",
    "Choice",
    "Claim",
    "Document",
    "Documents",
    "EngineError",
    "Intentions",
    "InvalidStateError",
    "Issue",
    "IssueKind",
    "LineStatus",
    "NoRouteError",
    "PartialAssessment",
    "PartialIssue",
    "PartialState",
    "Plan",
    "PossibleRoute",
    "Problem",
    "Provider",
    "Question",
    "RegisteredOwner",
    "Reply",
    "RouteKind",
    "RouteOption",
    "Rule",
    "RuleFileError",
    "RuleSet",
    "Service",
    "ServiceKind",
    "SimForm",
    "SimcancelError",
    "Situation",
    "Stage",
    "StateChange",
    "Step",
    "UnusedResources",
    "UsageError",
    "UserState",
    "WhatIf",
    "WhatIfGoal",
    "__version__",
    "assess",
    "assess_many",
    "assess_partial",
    "builtin_packs",
    "builtin_rules_path",
    "default_rules",
    "json_schema",
    "live_sessions",
    "load_rules",
    "next_questions",
    "render_text",
    "what_if",
]

# Hypothesis loaded first: its entry point found no simcancel to register (_simcancel_hypothesis).
register_if_hypothesis()
