"""Hypothesis profiles: ``ci`` (deterministic, bounded: `make test`), ``dev`` and ``long``;
the rule-set cache directory of the run."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

from hypothesis import HealthCheck, settings

# The on-disk cache of the built-in rule set (simcancel._rules_cache) goes to a directory
# of this test run, inherited by the subprocesses tests start, not to the user's ~/.cache.
if "SIMCANCEL_CACHE_DIR" not in os.environ:
    _CACHE = tempfile.mkdtemp(prefix="simcancel-test-cache-")
    os.environ["SIMCANCEL_CACHE_DIR"] = _CACHE
    atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)

settings.register_profile(
    "ci",
    max_examples=200,
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile(
    "long",
    max_examples=20_000,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
