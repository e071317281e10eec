"""An assessment as text for people, from the assessment alone (its labels carry the words).

What ``simcancel assess`` prints without ``--json``.  It needs no rule set: headings,
route, stage and issue-kind names and the provider's display name are the assessment's
own ``labels``, so an assessment read back with :meth:`Assessment.from_dict` renders the
same text as the one :func:`simcancel.assess` returned.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from simcancel._errors import UsageError, shorten
from simcancel.model import Assessment, WhatIf

__all__ = ["render_text"]


def render_text(assessment: Assessment) -> str:
    """``assessment`` as text for people, in its locale; a missing label shows as its key."""
    if not isinstance(assessment, Assessment):
        raise UsageError(
            "assessment: expected an Assessment from assess() or Assessment.from_dict(), "
            f"got {shorten(assessment)}"
        )
    labels = assessment.labels

    def label(key: str) -> str:
        return labels.get(key, key)

    result = assessment
    provider = labels.get(f"provider.{result.provider}", result.provider)
    lines = [
        label("heading.verdict_ok" if result.can_cancel_now else "heading.verdict_blocked"),
        f"{label('heading.provider')}: {provider}",
        "",
    ]
    for kind, issues in (
        ("blocking", result.blocking),
        ("warning", result.warnings),
        ("advice", result.advice),
    ):
        if not issues:
            continue
        lines.append(f"{label('kind.' + kind)}:")
        for issue in issues:
            lines.append(f"  - [{issue.code}] {issue.message}  ({', '.join(issue.claims)})")
            if issue.fix:
                lines.append(f"    -> {issue.fix}")
        lines.append("")
    lines.append(f"{label('heading.route')}: {label('route.' + result.route.route.value)}")
    lines.append(f"  {result.route.reason}  ({', '.join(result.route.claims)})")
    if result.alternatives:
        lines.append(f"{label('heading.alternatives')}:")
        lines.extend(
            f"  - {label('route.' + option.route.value)}: {option.reason}" for option in result.alternatives
        )
    if result.documents:
        lines.append(f"{label('heading.documents')}:")
        lines.extend(f"  - {document.name}" for document in result.documents)
    lines.append(f"{label('heading.steps')}:")
    lines.extend(
        f"  {number}. [{label('stage.' + step.stage.value)}] {step.text}"
        for number, step in enumerate(result.steps, start=1)
    )
    if result.what_if is not None:
        lines.append("")
        lines.extend(_what_if_lines(result.what_if, label))
    lines.append("")
    lines.append(f"{label('heading.claims')}: {', '.join(result.claims)}")
    lines.append(f"{label('heading.ruleset')}: {result.ruleset}")
    return "\n".join(lines)


def _what_if_lines(what_if: WhatIf, label: Callable[[str], str]) -> list[str]:
    """The what-if section: per goal, each minimal change set with the steps it settles."""
    lines = [f"{label('heading.what_if')}:"]
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
