"""An assessment as text for people, from the assessment alone (its labels carry the words).

What ``simcancel assess`` prints without ``--json``.  It needs no rule set: headings,
route, stage and issue-kind names and the provider's display name are the assessment's
own ``labels``, so an assessment read back with :meth:`Assessment.from_dict` renders the
same text as the one :func:`simcancel.assess` returned.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from simcancel._errors import UsageError, shorten
from simcancel.model import Assessment, RouteKind, WhatIf

if TYPE_CHECKING:
    from simcancel._partial_model import PartialAssessment, PartialIssue

__all__ = ["REPORT_LABELS", "render_partial_text", "render_text"]

REPORT_LABELS = (
    "heading.alternatives",
    "heading.claims",
    "heading.documents",
    "heading.provider",
    "heading.route",
    "heading.ruleset",
    "heading.steps",
    "heading.verdict_blocked",
    "heading.verdict_ok",
    "heading.what_if",
    "kind.advice",
    "kind.blocking",
    "kind.warning",
    "what_if.impossible",
    "what_if.incomplete",
    "what_if.none",
    "what_if.route",
    "what_if.unblock",
)
"""The labels the readable report shows in every locale (``heading.verdict_ask`` and
``format.colon`` have fallbacks): a rule set without one would print its raw key."""


def render_text(assessment: Assessment | PartialAssessment) -> str:
    """``assessment`` as text for people, in its locale; a missing label shows as its key.

    A :class:`~simcancel.PartialAssessment` (from :func:`~simcancel.assess_partial`) shows
    what is certain, what is possible and the unanswered fields it depends on.
    """
    if not isinstance(assessment, Assessment):
        from simcancel._partial_model import PartialAssessment  # noqa: PLC0415 - on first use

        if isinstance(assessment, PartialAssessment):
            return render_partial_text(assessment)
        raise UsageError(
            "assessment: expected an Assessment from assess() or Assessment.from_dict(), or a "
            f"PartialAssessment from assess_partial(), got {shorten(assessment)}"
        )
    labels = assessment.labels

    def label(key: str) -> str:
        return labels.get(key, key)

    result = assessment
    colon = labels.get("format.colon", ": ")
    provider = labels.get(f"provider.{result.provider}", result.provider)
    lines = [label(_verdict(result)), f"{label('heading.provider')}{colon}{provider}", ""]
    for kind, issues in (
        ("blocking", result.blocking),
        ("warning", result.warnings),
        ("advice", result.advice),
    ):
        if not issues:
            continue
        lines.append(f"{label('kind.' + kind)}{colon.rstrip()}")
        for issue in issues:
            lines.append(f"  - [{issue.code}] {issue.message}  ({', '.join(issue.claims)})")
            if issue.fix:
                lines.append(f"    -> {issue.fix}")
        lines.append("")
    lines.append(f"{label('heading.route')}{colon}{label('route.' + result.route.route.value)}")
    lines.append(f"  {result.route.reason}  ({', '.join(result.route.claims)})")
    if result.alternatives:
        lines.append(f"{label('heading.alternatives')}{colon.rstrip()}")
        lines.extend(
            f"  - {label('route.' + option.route.value)}{colon}{option.reason}"
            for option in result.alternatives
        )
    if result.documents:
        lines.append(f"{label('heading.documents')}{colon.rstrip()}")
        lines.extend(f"  - {document.name}" for document in result.documents)
    lines.append(f"{label('heading.steps')}{colon.rstrip()}")
    lines.extend(
        f"  {number}. [{label('stage.' + step.stage.value)}] {step.text}"
        for number, step in enumerate(result.steps, start=1)
    )
    if result.what_if is not None:
        lines.append("")
        lines.extend(_what_if_lines(result.what_if, label, colon))
    lines.append("")
    lines.append(f"{label('heading.claims')}{colon}{labels.get('format.list', ', ').join(result.claims)}")
    lines.append(f"{label('heading.ruleset')}{colon}{result.ruleset}")
    return "\n".join(lines)


def _verdict(result: Assessment) -> str:
    """The verdict line's label: blocked; nothing blocks but ask the provider first; or nothing blocks."""
    if not result.can_cancel_now:
        return "heading.verdict_blocked"
    if result.route.route is RouteKind.ASK_PROVIDER and "heading.verdict_ask" in result.labels:
        return "heading.verdict_ask"
    return "heading.verdict_ok"


def _what_if_lines(what_if: WhatIf, label: Callable[[str], str], colon: str) -> list[str]:
    """The what-if section: per goal, each minimal change set with the steps it settles."""
    lines = [f"{label('heading.what_if')}{colon.rstrip()}"]
    goals = ([what_if.unblock] if what_if.unblock is not None else []) + list(what_if.routes)
    if not goals:
        lines.append(f"  {label('what_if.none')}")
    for goal in goals:
        if goal.route is None:
            lines.append(f"  {label('what_if.unblock')}")
        else:
            lines.append(f"  {label('what_if.route').replace('{route}', label('route.' + goal.route.value))}")
        for number, found in enumerate(goal.change_sets, start=1):
            marker = f"{number}) "
            for index, change in enumerate(found.changes):
                shown = json.dumps(change.json_value, ensure_ascii=False)
                lines.append(f"    {marker if index == 0 else ' ' * len(marker)}{change.path} → {shown}")
            lines.extend(
                f"    {' ' * len(marker)}[{label('stage.' + step.stage.value)}] {step.text}"
                for step in found.steps
            )
        if not goal.change_sets and goal.complete:
            lines.append(f"    {label('what_if.impossible')}")
        if not goal.complete:
            lines.append(f"    {label('what_if.incomplete')}")
    return lines


def render_partial_text(result: PartialAssessment) -> str:
    """A partial assessment as text for people, in its locale: what is certain, what is
    possible and on which unanswered fields it depends."""
    from simcancel._partial_model import PartialAssessment  # noqa: PLC0415 - on first use

    if not isinstance(result, PartialAssessment):
        raise UsageError(f"result: expected a PartialAssessment from assess_partial(), got {shorten(result)}")
    labels = result.labels

    def label(key: str) -> str:
        return labels.get(key, key)

    colon = labels.get("format.colon", ": ")
    separator = labels.get("partial.separator", ", ")

    def fields(template: str, names: tuple[str, ...]) -> str:
        return label(template).replace("{fields}", separator.join(names))

    unknown = labels.get("partial.unknown_value", "?")
    provider = (
        unknown if result.provider is None else labels.get(f"provider.{result.provider}", result.provider)
    )
    lines = [label(_partial_verdict(result)), f"{label('heading.provider')}{colon}{provider}", ""]

    def issue_lines(issue: PartialIssue) -> list[str]:
        found = issue.issue
        mark = "" if issue.certain else fields("partial.possible", issue.depends_on) + " "
        shown = [f"  - [{found.code}] {mark}{found.message}  ({', '.join(found.claims)})"]
        if found.fix:
            shown.append(f"    -> {found.fix}")
        return shown

    for kind, issues in (
        ("blocking", result.blocking),
        ("warning", result.warnings),
        ("advice", result.advice),
    ):
        if issues:
            lines.append(f"{label('kind.' + kind)}{colon.rstrip()}")
            for issue in issues:
                lines.extend(issue_lines(issue))
            lines.append("")
    route = result.route
    if route is not None:
        lines.append(f"{label('heading.route')}{colon}{label('route.' + route.route.value)}")
        lines.append(f"  {route.reason}  ({', '.join(route.claims)})")
    else:
        lines.append(f"{label('partial.routes')}{colon.rstrip()}")
        for option in result.routes:
            where = " " + fields("partial.depends_on", option.depends_on) if option.depends_on else ""
            lines.append(
                f"  - {label('route.' + option.option.route.value)}{where}{colon}{option.option.reason}"
            )
    lines.append("")
    lines.append(f"{label('heading.ruleset')}{colon}{result.ruleset}")
    return "\n".join(lines)


def _partial_verdict(result: PartialAssessment) -> str:
    from simcancel._partial_model import Certainty  # noqa: PLC0415 - loaded with the result

    if result.nothing_blocks is Certainty.IMPOSSIBLE:
        return "heading.verdict_blocked"
    if result.nothing_blocks is Certainty.OPEN:
        return "partial.verdict_open"
    route = result.route
    if route is not None and route.route is RouteKind.ASK_PROVIDER and "heading.verdict_ask" in result.labels:
        return "heading.verdict_ask"
    return "heading.verdict_ok"
