"""Registers the strategies of :mod:`simcancel.testing` for the model's types with Hypothesis.

Hypothesis calls :func:`_hypothesis_setup_hook` from its ``hypothesis`` entry point
(see ``pyproject.toml``) while ``import hypothesis`` is still running, and
:mod:`simcancel.testing` calls it when it is imported.  That is why this module is apart
and imports only inside its functions: the first ``import hypothesis`` may come from the
middle of importing :mod:`simcancel.testing` or :mod:`simcancel.analysis`, which are then
half-initialised.  Registering a function instead of a strategy defers
:mod:`simcancel.testing` (and any rule set) to the first ``st.from_type(...)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

T = TypeVar("T")


def _hypothesis_setup_hook() -> None:
    """Register ``UserState`` and each of its parts with ``st.register_type_strategy``."""
    from hypothesis.strategies import register_type_strategy

    from simcancel.model import Documents, Intentions, Service, Situation, UnusedResources, UserState

    for kind in (UserState, Service, UnusedResources, Documents, Intentions, Situation):
        register_type_strategy(kind, _strategy_for)


def _strategy_for(kind: type[T]) -> SearchStrategy[T]:
    """The default strategy of :mod:`simcancel.testing` for ``kind``."""
    from simcancel.testing import _strategy_for as strategy_for

    return strategy_for(kind)
