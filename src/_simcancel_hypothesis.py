"""simcancel's ``hypothesis`` entry point, outside the ``simcancel`` package.

Hypothesis calls every ``hypothesis`` entry point while ``import hypothesis`` runs.  A hook
inside the package would import ``simcancel`` (its rules machinery, attrs classes, YAML:
about 100 ms) into every test run of every project that merely has simcancel installed.
This module imports nothing: if simcancel is already imported it registers its strategies
now; otherwise ``import simcancel`` registers them itself, since hypothesis is loaded by
then (:func:`simcancel._hypothesis_plugin.register_if_hypothesis`).
"""

from __future__ import annotations

import importlib
import sys

__all__ = ["_hypothesis_setup_hook"]


def _hypothesis_setup_hook() -> None:
    """Register simcancel's model types with Hypothesis if simcancel is imported, else nothing."""
    if "simcancel" in sys.modules:
        importlib.import_module("simcancel._hypothesis_plugin").register()
