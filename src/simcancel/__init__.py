"""simcancel: can I cancel my Pakistani SIM / data card, and how?

>>> from simcancel import UserState, assess
>>> result = assess(UserState.from_json(text), locale="en")  # doctest: +SKIP
>>> result.can_cancel_now, result.route.route, [i.code for i in result.blocking]  # doctest: +SKIP

Rules are data (``rules/`` inside the package), evaluated by durable-rules; every
answer cites the claims of the source article it rests on.
"""

from __future__ import annotations

from importlib import metadata as _metadata

from simcancel._assess import assess, builtin_packs, builtin_rules_path, default_rules
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
from simcancel._loader import load_rules
from simcancel._ruleset import Claim, Provider, Rule, RuleSet
from simcancel.model import (
    Assessment,
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
    Step,
    UnusedResources,
    UserState,
)


def _installed_version() -> str:
    """The version in the installed package's metadata, written once in ``pyproject.toml``.

    A source tree that was never installed (``PYTHONPATH=src``, no ``pip install``) has no
    metadata: its version is then ``"0+unknown"``, a valid PEP 440 local version that sorts
    before every release, so nothing mistakes it for one.
    """
    try:
        return _metadata.version("simcancel")
    except _metadata.PackageNotFoundError:
        return "0+unknown"


__version__ = _installed_version()

__all__ = [
    "Assessment",
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
    "Plan",
    "Problem",
    "Provider",
    "RegisteredOwner",
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
    "Step",
    "UnusedResources",
    "UsageError",
    "UserState",
    "__version__",
    "assess",
    "builtin_packs",
    "builtin_rules_path",
    "default_rules",
    "live_sessions",
    "load_rules",
]
