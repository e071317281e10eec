"""Registers the strategies of :mod:`simcancel.testing` for the model's types with Hypothesis.

Whichever of simcancel and hypothesis is imported second registers them: hypothesis through
its ``hypothesis`` entry point (``_simcancel_hypothesis``, a top-level module, so that
``import hypothesis`` alone never imports simcancel), simcancel at the end of its own
``__init__`` when hypothesis is already loaded, and :mod:`simcancel.testing` when imported.
Registering twice is harmless.  This module imports only inside its functions: the first
``import hypothesis`` may come from the middle of importing :mod:`simcancel.testing` or
:mod:`simcancel.analysis`, which are then half-initialised.  Registering a function instead
of a strategy defers :mod:`simcancel.testing` (and any rule set) to the first
``st.from_type(...)``.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

T = TypeVar("T")


def register() -> None:
    """Register ``UserState`` and each of its parts with ``st.register_type_strategy``."""
    from hypothesis.strategies import register_type_strategy

    from simcancel.model import Documents, Intentions, Service, Situation, UnusedResources, UserState

    for kind in (UserState, Service, UnusedResources, Documents, Intentions, Situation):
        register_type_strategy(kind, _strategy_for)


def register_if_hypothesis() -> None:
    """:func:`register`, if hypothesis' strategies are loaded (they are by the time any
    ``hypothesis`` entry point runs) and plugins are not turned off
    (``HYPOTHESIS_NO_PLUGINS``, which keeps the entry point from running too)."""
    if "hypothesis.strategies" in sys.modules and not os.environ.get("HYPOTHESIS_NO_PLUGINS"):
        register()


def _strategy_for(kind: type[T]) -> SearchStrategy[T]:
    """The default strategy of :mod:`simcancel.testing` for ``kind``."""
    from simcancel.testing import _strategy_for as strategy_for

    return strategy_for(kind)
