"""Random rule packs through the whole library, each in a worker process with timeouts.

For every pack drawn by :func:`tests.pack_strategies.rule_packs`:

1. ``load_rules`` loads it or raises :class:`~simcancel.RuleFileError` (a pack with a
   defect put in must be refused, one without must load);
2. ``verify_paths`` returns a report (never a traceback) whose ``differential`` and
   ``purity`` checks pass when the pack loaded;
3. random states are assessed with durable and with the reference evaluator: both give an
   equal :class:`~simcancel.Assessment`, or both the same ``SimcancelError``
   (``NoRouteError``, or ``InvalidStateError`` for a provider the pack lacks);
4. each assessment renders (``render_text``), goes to JSON and comes back equal through
   ``Assessment.from_dict``; the first state is assessed with ``what_if=True`` too (the
   same answer, with a what-if that renders and round-trips).

Each pack runs in a long-lived worker process (``spawn``) that reports each phase as it
starts: a phase that outlives its timeout (a durable hang) is reported with the phase and
the pack, the worker is killed and a new one started; a worker that dies (a segfault) is
reported the same way.  Nothing hangs the run.

``python -m tests.fuzz_packs --minutes 14`` is the long run (``make fuzz``);
``tests/test_fuzz_packs.py`` runs a few packs in the normal suite.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import datetime as dt
import itertools
import json
import multiprocessing
import multiprocessing.connection
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simcancel import (
    Assessment,
    EngineError,
    InvalidStateError,
    NoRouteError,
    RuleFileError,
    SimcancelError,
    UserState,
    _engine,
    assess,
    load_rules,
    render_text,
)
from simcancel._reference import assess_reference
from simcancel.analysis import verify_paths
from simcancel.testing import user_states
from tests.pack_strategies import FIRST_DAY, LAST_DAY, RandomPack, rule_packs

PHASES = ("load", "compile", "verify", "assess", "render", "what_if")
TIMEOUTS = {"load": 30.0, "compile": 30.0, "verify": 60.0, "assess": 30.0, "render": 30.0, "what_if": 60.0}
"""Seconds a phase may take before it counts as a hang (generous: the machine is shared)."""
_UNKNOWN_PROVIDER = "nobody"


# --- what the worker is given and what it answers --------------------------------------------


@attrs.frozen(kw_only=True)
class Job:
    """One pack on disk and the states to assess with it."""

    directories: tuple[str, ...]
    """The pack, then its locale packs."""
    defect: str | None
    states: tuple[tuple[dict[str, Any], dt.date, str], ...]
    """(state as JSON data, the day to assess on, the locale)."""
    max_classes: int = 5_000
    samples: int = 20


@attrs.frozen(kw_only=True)
class Failure:
    """Something the library did that it must not: what, in which phase, with what input."""

    phase: str
    what: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.phase}] {self.what}: {self.detail}"


Send = Callable[[tuple[str, Any]], None]


def _attempt(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except SimcancelError as error:
        return error


def _check_load(job: Job, counts: collections.Counter[str], failures: list[Failure]) -> Any:
    """The rule set, or ``None`` when refused (a refusal must be a RuleFileError with problems)."""
    outcome = _attempt(lambda: load_rules(*job.directories))
    if isinstance(outcome, SimcancelError):
        counts["refused"] += 1
        if not isinstance(outcome, RuleFileError) or not outcome.problems:
            failures.append(
                Failure(phase="load", what="refused without a RuleFileError", detail=repr(outcome))
            )
        elif not all(problem.file and problem.message for problem in outcome.problems):
            failures.append(
                Failure(phase="load", what="a problem without file or message", detail=str(outcome))
            )
        if job.defect is None:
            failures.append(
                Failure(phase="load", what="a pack without a defect was refused", detail=str(outcome))
            )
        else:
            counts["defects refused"] += 1
        return None
    counts["loaded"] += 1
    if job.defect is not None:
        failures.append(Failure(phase="load", what=f"a pack with a defect ({job.defect}) loaded", detail=""))
    return outcome


def _check_compile(rules: Any, counts: collections.Counter[str], failures: list[Failure]) -> None:
    """A loaded rule set registers with durable: a refusal is a limit the loader missed."""
    try:
        _engine.compiled(rules)
    except EngineError as error:
        failures.append(Failure(phase="compile", what="durable refused a loaded rule set", detail=str(error)))
    else:
        counts["compiled"] += 1


def _check_verify(
    job: Job, loaded: bool, counts: collections.Counter[str], failures: list[Failure]
) -> dt.date | None:
    """Verify the pack; the day on which it proved every state has a route, if it did."""
    as_of = job.states[0][1] if job.states else FIRST_DAY
    report = verify_paths(*job.directories, as_of=as_of, max_classes=job.max_classes, samples=job.samples)
    counts["verified"] += 1
    counts["verified ok"] += report.ok
    report.render()
    json.dumps(report.to_dict())
    if not loaded:
        if report.ok:
            failures.append(
                Failure(phase="verify", what="a refused pack verified ok", detail=report.render())
            )
        return None
    for name in ("differential", "purity"):
        result = report.result(name)
        if not result.ok:
            failures.append(
                Failure(phase="verify", what=f"check {name} failed", detail=report.render()[:4000])
            )
    totality = report.result("totality")
    proved = totality.ok and totality.mode == "exhaustive" and not totality.fallbacks
    counts["totality proved"] += proved
    return as_of if proved else None


def _same(durable: Any, reference: Any) -> bool:
    if isinstance(durable, Assessment) or isinstance(reference, Assessment):
        return bool(durable == reference)
    return type(durable) is type(reference) and str(durable) == str(reference)


def _check_render(
    assessment: Assessment, counts: collections.Counter[str], failures: list[Failure], key: str = "rendered"
) -> None:
    text = render_text(assessment)
    if not isinstance(text, str) or not text.strip():
        failures.append(Failure(phase="render", what="render_text gave no text", detail=repr(text)))
    data = json.loads(assessment.to_json())
    if data != json.loads(json.dumps(assessment.to_dict(), ensure_ascii=False)):
        failures.append(Failure(phase="render", what="to_json differs from to_dict", detail=str(data)[:2000]))
    failures.extend(
        Failure(phase="render", what="from_dict(to_dict()) differs", detail=assessment.to_json()[:2000])
        for back in (Assessment.from_dict(assessment.to_dict()), Assessment.from_dict(data))
        if back != assessment
    )
    counts[key] += 1


def _check_state(  # noqa: PLR0913 (one state of one job)
    rules: Any,
    data: dict[str, Any],
    as_of: dt.date,
    locale: str,
    *,
    counts: collections.Counter[str],
    failures: list[Failure],
    send: Send,
    what_if: bool = False,
    total: bool = False,
) -> None:
    """Assess one state with durable and the reference; ``total``: verify proved that every
    state has a route on this day, so a NoRouteError would be a hole in the proof."""
    send(("phase", "assess"))
    state = UserState.from_dict(data)
    durable = _attempt(lambda: assess(state, rules=rules, locale=locale, as_of=as_of))
    reference = _attempt(lambda: assess_reference(state, rules=rules, locale=locale, as_of=as_of))
    counts["states assessed"] += 1
    where = f"state {json.dumps(data, default=str)} as of {as_of} in {locale}"
    if not _same(durable, reference):
        failures.append(
            Failure(
                phase="assess",
                what="durable and the reference differ",
                detail=f"{where}: {durable!r} / {reference!r}",
            )
        )
    if isinstance(durable, SimcancelError):
        counts[f"assess: {type(durable).__name__}"] += 1
        expected: type[SimcancelError] = (
            InvalidStateError if data["provider"] == _UNKNOWN_PROVIDER else NoRouteError
        )
        if isinstance(durable, NoRouteError) and total:
            failures.append(
                Failure(phase="assess", what="verify proved totality, yet no route", detail=where)
            )
        if not isinstance(durable, expected) or isinstance(durable, EngineError):
            failures.append(
                Failure(
                    phase="assess",
                    what=f"assess raised {type(durable).__name__}",
                    detail=f"{where}: {durable}",
                )
            )
        return
    counts["assessments"] += 1
    send(("phase", "render"))
    _check_render(durable, counts, failures)
    if what_if:
        send(("phase", "what_if"))
        found = _attempt(lambda: assess(state, rules=rules, locale=locale, as_of=as_of, what_if=True))
        if not isinstance(found, Assessment) or found.what_if is None:
            failures.append(
                Failure(phase="what_if", what="assess(what_if=True) gave no what-if", detail=where)
            )
            return
        if attrs.evolve(found, what_if=None) != durable:
            failures.append(Failure(phase="what_if", what="what_if=True changed the answer", detail=where))
        _check_render(found, counts, failures, key="what-ifs rendered")
        counts["what-ifs"] += 1


def check_pack(job: Job, send: Send) -> tuple[dict[str, int], list[Failure]]:
    """Every phase for one pack; ``send`` reports each phase as it starts."""
    counts: collections.Counter[str] = collections.Counter()
    failures: list[Failure] = []
    send(("phase", "load"))
    rules = _check_load(job, counts, failures)
    if rules is not None:
        # Registered with durable by itself first: a hang here is durable's create_ruleset.
        send(("phase", "compile"))
        _check_compile(rules, counts, failures)
    send(("phase", "verify"))
    total_on = _check_verify(job, rules is not None, counts, failures)
    if rules is not None:
        for index, (data, as_of, locale) in enumerate(job.states):
            # The what-if search for the first state: it costs a search, the others do not.
            _check_state(
                rules,
                data,
                as_of,
                locale,
                counts=counts,
                failures=failures,
                send=send,
                what_if=index == 0,
                total=as_of == total_on,
            )
    return dict(counts), failures


def _serve(conn: multiprocessing.connection.Connection) -> None:  # pragma: no cover (a worker process)
    """The worker's loop: jobs in, phases and results out, until the pipe closes."""
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        try:
            counts, failures = check_pack(job, conn.send)
        except Exception:
            conn.send(("error", traceback.format_exc()))
        else:
            conn.send(("done", (counts, failures)))


# --- the parent: one worker, restarted after a hang or a crash --------------------------------


@attrs.frozen(kw_only=True)
class Outcome:
    """What one pack did: counts, failures, and the phase it hung or crashed in, if any."""

    counts: dict[str, int]
    failures: tuple[Failure, ...] = ()
    hung: str | None = None
    crashed: str | None = None


class Worker:
    """A worker process that runs :func:`check_pack`, with a timeout per phase."""

    def __init__(self, timeouts: dict[str, float] | None = None) -> None:
        self.timeouts = dict(TIMEOUTS if timeouts is None else timeouts)
        self._context = multiprocessing.get_context("spawn")
        self._process: BaseProcess | None = None
        self._conn: multiprocessing.connection.Connection | None = None
        self.started = 0

    def _start(self) -> multiprocessing.connection.Connection:
        if self._conn is None or self._process is None or not self._process.is_alive():
            self.close()
            parent, child = self._context.Pipe()
            self._process = self._context.Process(target=_serve, args=(child,), daemon=True)
            self._process.start()
            child.close()
            self._conn = parent
            self.started += 1
        return self._conn

    def close(self) -> None:
        """Stop the worker (killed if it does not stop by itself at once)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._process is not None:
            self._process.join(timeout=2)
            if self._process.is_alive():
                self._process.kill()
                self._process.join()
            self._process = None

    def _kill(self) -> None:
        if self._process is not None and self._process.is_alive():
            self._process.kill()
        self.close()

    def run(self, job: Job) -> Outcome:
        """Send ``job``; wait for each phase within its timeout."""
        conn = self._start()
        conn.send(job)
        phase = "start"
        timeout = max(self.timeouts.values())
        while True:
            try:
                ready = conn.poll(timeout)
                message = conn.recv() if ready else None
            except (EOFError, OSError):
                code = None if self._process is None else self._process.exitcode
                self._kill()
                return Outcome(counts={}, crashed=f"{phase} (exit code {code})")
            if message is None:
                self._kill()
                return Outcome(counts={}, hung=phase)
            kind, payload = message
            if kind == "phase":
                phase = payload
                timeout = self.timeouts[phase]
            elif kind == "error":
                return Outcome(
                    counts={}, failures=(Failure(phase=phase, what="an exception escaped", detail=payload),)
                )
            else:
                counts, failures = payload
                return Outcome(counts=counts, failures=tuple(failures))


# --- drawing jobs and tallying ----------------------------------------------------------------


@st.composite
def assessment_days(draw: st.DrawFn, pack: RandomPack) -> dt.date:
    """A day to assess on: one of the pack's effective dates or a day next to one, or any day."""
    near = [day + dt.timedelta(days=shift) for day in pack.days for shift in (-1, 0, 1)]
    if near and draw(st.sampled_from([True, False])):
        return draw(st.sampled_from(near))
    return draw(st.dates(min_value=FIRST_DAY, max_value=LAST_DAY))


@st.composite
def states_for(
    draw: st.DrawFn, pack: RandomPack, max_states: int
) -> tuple[tuple[dict[str, Any], dt.date, str], ...]:
    """States of the pack's providers (now and then one it lacks), each with a day and a locale."""
    found = []
    for _ in range(draw(st.integers(min_value=1, max_value=max_states))):
        as_of = draw(assessment_days(pack))
        unknown = draw(st.integers(min_value=1, max_value=20)) == 20
        provider = _UNKNOWN_PROVIDER if unknown else draw(st.sampled_from(pack.providers))
        state = draw(
            user_states(
                provider=st.just(provider),
                activated_on=st.none() | st.dates(min_value=dt.date(2000, 1, 1), max_value=as_of),
            )
        )
        data = state.to_dict()
        data["registered_owner"] = draw(st.sampled_from(["self", "someone_else", "unknown"]))
        data["sim_form"] = draw(st.sampled_from(["physical", "esim"]))
        data["documents"]["sim_card_at_hand"] = draw(st.booleans())
        found.append((data, as_of, draw(st.sampled_from(pack.all_locales))))
    return tuple(found)


@attrs.define
class Tally:
    """Counts over a run, every failure, and the packs that hung or crashed (kept on disk)."""

    counts: collections.Counter[str] = attrs.field(factory=collections.Counter)
    failures: list[tuple[Failure, str]] = attrs.field(factory=list)
    hangs: list[tuple[str, str]] = attrs.field(factory=list)
    crashes: list[tuple[str, str]] = attrs.field(factory=list)

    def add(self, outcome: Outcome, kept: str) -> None:
        """Count one pack's outcome; ``kept`` is where its files stay when something went wrong."""
        self.counts["packs generated"] += 1
        self.counts.update(outcome.counts)
        self.failures.extend((failure, kept) for failure in outcome.failures)
        self.counts.update(f"failure: {failure.what}" for failure in outcome.failures)
        if outcome.hung is not None:
            self.counts[f"hung in {outcome.hung}"] += 1
            self.hangs.append((outcome.hung, kept))
        if outcome.crashed is not None:
            self.counts["crashed"] += 1
            self.crashes.append((outcome.crashed, kept))

    def summary(self) -> str:
        """The counts, then each failure, hang and crash with where its pack is kept."""
        order = [
            "packs generated",
            "loaded",
            "compiled",
            "refused",
            "defects refused",
            "verified",
            "verified ok",
            "totality proved",
            "states assessed",
            "assessments",
            "rendered",
            "what-ifs",
        ]
        keys = [*order, *sorted(key for key in self.counts if key not in order)]
        lines = ["random packs:"] + [f"  {key}: {self.counts[key]}" for key in keys]
        lines.append(
            f"  failures: {len(self.failures)}, hangs: {len(self.hangs)}, crashes: {len(self.crashes)}"
        )
        lines += [f"  FAILURE {failure} (pack: {kept})"[:3000] for failure, kept in self.failures]
        lines += [f"  HANG in {phase} (pack: {kept})" for phase, kept in self.hangs]
        lines += [f"  CRASH in {phase} (pack: {kept})" for phase, kept in self.crashes]
        return "\n".join(lines)


@contextlib.contextmanager
def scratch() -> Iterator[Path]:
    """A temporary directory for the packs of one run."""
    with tempfile.TemporaryDirectory(prefix="simcancel-packs-") as name:
        yield Path(name)


_RUNS = itertools.count(1)


def fuzz_packs(  # noqa: PLR0913 (the knobs of one run)
    *,
    examples: int,
    max_rules: int,
    max_states: int,
    worker: Worker,
    tally: Tally,
    work: Path,
    keep: Path | None = None,
    derandomize: bool = False,
    shrink: bool = True,
) -> None:
    """One Hypothesis run of ``examples`` packs, each counted in ``tally``; a hang or a crash
    has its pack copied to ``keep``, and so has a failure.  With ``shrink``, a failure is
    raised and Hypothesis shrinks it (each step a pack through the worker: minutes); without,
    it is counted and the run goes on, as the long run wants."""
    run = next(_RUNS)

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=derandomize,
        suppress_health_check=list(HealthCheck),
    )
    @given(rule_packs(max_rules=max_rules), st.data())
    def one_pack(pack: RandomPack, data: st.DataObject) -> None:
        # Everything is drawn before anything is written: a draw that ends the example
        # (Hypothesis ran out of data) leaves no files behind for a later pack to pick up.
        states = data.draw(states_for(pack, max_states))
        directory = pack.write(Path(tempfile.mkdtemp(prefix="pack-", dir=work)))
        try:
            job = Job(
                directories=tuple(str(path) for path in pack.directories(directory)),
                defect=pack.defect,
                states=states,
            )
            outcome = worker.run(job)
            kept = str(directory)
            if keep is not None and (outcome.hung or outcome.crashed):
                kept = str(keep / directory.name)
                shutil.copytree(directory, kept)
            elif keep is not None and outcome.failures:
                # Shrinking runs the smallest failing example last: one directory per run,
                # overwritten, ends up holding it.  Without shrinking, every failure is kept.
                kept = str(keep / (f"failure-{run}" if shrink else f"failure-{directory.name}"))
                shutil.rmtree(kept, ignore_errors=True)
                shutil.copytree(directory, kept)
            tally.add(outcome, kept)
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        if shrink:
            assert not outcome.failures, "\n".join(str(failure) for failure in outcome.failures)

    one_pack()


def main(argv: list[str] | None = None) -> int:
    """The long run: rounds of packs until the time is up, then the summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--minutes", type=float, default=14.0)
    parser.add_argument("--round", type=int, default=40, help="packs per Hypothesis run")
    parser.add_argument("--max-rules", type=int, default=24)
    parser.add_argument("--max-states", type=int, default=12)
    parser.add_argument("--keep", type=Path, default=Path("fuzz-packs-found"))
    args = parser.parse_args(argv)
    deadline = time.monotonic() + 60 * args.minutes
    tally = Tally()
    worker = Worker()
    rounds = errors = 0
    try:
        with scratch() as work:
            while time.monotonic() < deadline:
                rounds += 1
                try:
                    fuzz_packs(
                        examples=args.round,
                        max_rules=args.max_rules,
                        max_states=args.max_states,
                        worker=worker,
                        tally=tally,
                        work=work,
                        keep=args.keep,
                        shrink=False,
                    )
                except Exception as error:  # a failed round is reported, and the run goes on
                    errors += 1
                    notes = "\n".join(getattr(error, "__notes__", []))
                    print(f"round {rounds}: shrunk failure:\n{error}\n{notes}\n", flush=True)
                print(f"round {rounds}: {tally.counts['packs generated']} packs so far", flush=True)
    finally:
        worker.close()
    print(tally.summary())
    print(f"rounds: {rounds}, rounds that failed: {errors}, workers started: {worker.started}")
    return 1 if tally.failures or tally.hangs or tally.crashes else 0


if __name__ == "__main__":
    sys.exit(main())
