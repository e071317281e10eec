"""An assessment as text for people, from the assessment alone (its labels carry the words).

What ``simcancel assess`` prints without ``--json``.  It needs no rule set: headings,
route, stage and issue-kind names and the provider's display name are the assessment's
own ``labels``, so an assessment read back with :meth:`Assessment.from_dict` renders the
same text as the one :func:`simcancel.assess` returned.
"""

from __future__ import annotations

from simcancel._errors import UsageError, shorten
from simcancel.model import Assessment

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
    lines.append("")
    lines.append(f"{label('heading.claims')}: {', '.join(result.claims)}")
    lines.append(f"{label('heading.ruleset')}: {result.ruleset}")
    return "\n".join(lines)
