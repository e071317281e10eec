"""Shared test helpers: known-good states, and rule packs written into a temporary directory.

Hostile and fuzzed rule files are generated here at test time, never committed.
"""

from __future__ import annotations

import datetime as dt
import resource
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

import simcancel

VALID_STATE: dict[str, Any] = {
    "provider": "jazz",
    "plan": "prepaid",
    "balance": "150.00",
    "arrears": "0",
    "line_status": "suspended",
    "services": [{"kind": "data", "active": True, "recurring": True, "name": "Weekly data"}],
    "unused": {"data_mb": 2048, "minutes": 30, "sms": 0},
    "documents": {
        "passport_original": True,
        "passport_copy": False,
        "purchase_receipt": False,
        "sim_card_usable": True,
    },
    "situation": {"can_visit_store": True, "reads_english": False},
    "intentions": {"discard_card": True},
}
"""A valid state (jazz, balance left, one recurring service): a known-good input."""


def issued_by(day: dt.date) -> st.SearchStrategy[dt.date | None]:
    """``activated_on`` values that ``assess(..., as_of=day)`` accepts: unknown, or a day
    on or before ``day`` (``user_states()`` alone draws issue dates up to 2030)."""
    return st.one_of(st.none(), st.dates(min_value=dt.date(2000, 1, 1), max_value=day))


def clean_state(**changes: Any) -> dict[str, Any]:
    """A valid state with nothing blocking (jazz, no money, no services, every document);
    ``changes`` replace top-level fields."""
    return {
        "provider": "jazz",
        "plan": "prepaid",
        "balance": "0",
        "arrears": "0",
        "line_status": "active",
        "services": [],
        "unused": {"data_mb": 0, "minutes": 0, "sms": 0},
        "documents": {
            "passport_original": True,
            "passport_copy": True,
            "purchase_receipt": True,
            "sim_card_usable": True,
        },
        "situation": {"can_visit_store": True, "reads_english": True},
        **changes,
    }


MINIMAL_CLAIMS = """\
claims:
  - {id: A1, text: "one"}
  - {id: A2, text: "two"}
  - {id: A3, text: "three"}
"""

MINIMAL_PROVIDER = """\
id: other
name: Other
kind: unknown
online_cancellation: unknown
in_person_confirmation: unknown
channels: []
review_days: unknown
languages: unknown
sources: [{title: "the article", claims: [A1]}]
checked: 2026-11-24
"""

ROUTE_RULE = """\
rules:
  - id: route-ask
    kind: route
    route: ask_provider
    claims: [A1]
    when: always
    message: {zh-CN: "问客服", en: "Ask customer service"}
"""


BROKEN_PACKS = Path(__file__).parent / "fixtures" / "broken_packs"
"""``good/``, a minimal pack that verifies clean, and one delta directory per defect."""


def broken_pack(name: str, tmp_path: Path) -> Path:
    """``good/`` with the files of ``broken_packs/<name>/`` added or replaced, in ``tmp_path/<name>``.

    ``name`` may be ``good`` (an unchanged copy).  Each delta holds only the file(s) that
    carry its one defect, so a change to ``good/`` reaches every broken pack.
    """
    delta = BROKEN_PACKS / name
    if not delta.is_dir():
        known = ", ".join(sorted(path.name for path in BROKEN_PACKS.iterdir() if path.is_dir()))
        raise ValueError(f"broken pack {name!r}: expected one of {known}, found no directory {delta}")
    dest = tmp_path / name
    shutil.copytree(BROKEN_PACKS / "good", dest)
    for source in sorted(delta.rglob("*.yaml")):
        target = dest / source.relative_to(delta)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return dest


def copy_builtin(dest: Path) -> Path:
    """A copy of the shipped rule pack at ``dest`` (edit one file, then load it)."""
    shutil.copytree(simcancel.builtin_rules_path(), dest)
    return dest


def minimal_pack(dest: Path, extra: dict[str, str | bytes] | None = None) -> Path:
    """A small valid pack (one provider, three claims, one route rule) plus ``extra`` files.

    It loads in milliseconds, so fuzzing and hostile-file tests spend their time on the
    file under test, not on re-reading the shipped rules.
    """
    dest.mkdir(parents=True, exist_ok=True)
    builtin = simcancel.builtin_rules_path()
    (dest / "ruleset.yaml").write_text('name: mini\nversion: "1"\nlocales: [zh-CN, en]\n')
    (dest / "claims.yaml").write_text(MINIMAL_CLAIMS)
    (dest / "locales").mkdir(exist_ok=True)
    for locale in ("zh-CN", "en"):
        shutil.copy(builtin / "locales" / f"{locale}.yaml", dest / "locales" / f"{locale}.yaml")
    (dest / "providers").mkdir(exist_ok=True)
    (dest / "providers" / "other.yaml").write_text(MINIMAL_PROVIDER)
    (dest / "routes.yaml").write_text(ROUTE_RULE)
    for name, content in (extra or {}).items():
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return dest


def _rss_bytes() -> int:
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def measured(call: Callable[[], object]) -> tuple[BaseException | object, float, int]:
    """Run ``call``; return its result or exception, the CPU seconds it took, and an upper bound
    on the memory it added (peak RSS of the process minus RSS before the call).

    Not tracemalloc: it slows allocation-heavy code (YAML parsing) several times over,
    which would turn a time bound into a test of the tracer.
    """
    before = _rss_bytes()
    # CPU seconds of this process: other work on a shared machine does not count against it.
    started = time.process_time()
    try:
        outcome: BaseException | object = call()
    except BaseException as error:  # the caller asserts on what it got
        outcome = error
    elapsed = time.process_time() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return outcome, elapsed, max(peak - before, 0)


def report_labels(locale: str) -> str:
    """The labels the readable report needs in ``locale`` (the built-in ones), as YAML lines
    of a ``labels:`` mapping, for packs a test writes by hand."""
    import json as _json

    from simcancel import default_rules
    from simcancel._render import REPORT_LABELS

    texts = default_rules().labels[locale]
    return "".join(f"  {key}: {_json.dumps(texts[key], ensure_ascii=False)}\n" for key in REPORT_LABELS)


def freed_after(use: Callable[[simcancel.RuleSet], object]) -> bool:
    """Whether a rule set loaded afresh is freed once ``use(rules)`` has run and nothing else
    holds it (no cache of the library may keep a rule set alive)."""
    import gc
    import weakref

    rules = simcancel.load_rules(simcancel.builtin_rules_path())
    use(rules)
    gone = weakref.ref(rules)
    del rules
    gc.collect()
    return gone() is None
