"""``--format github``: GitHub Actions workflow commands that annotate the model file.

A step that prints ``::error file=models/ssd.pb,title=TRT101 ...::message`` makes GitHub
show an annotation on that file in the pull request and the run summary.  Levels map
error -> ``error``, warning -> ``warning``, info -> ``notice``.

GitHub parses these lines itself, so values are escaped as its toolkit does
(``@actions/core``): in the message ``%``, CR and LF become ``%25``, ``%0D``, ``%0A``;
in properties (``file``, ``title``) also ``:`` -> ``%3A`` and ``,`` -> ``%2C``, which
would otherwise end the property.  A node name or a message can therefore never inject
a command of its own.

Each model also gets one plain summary line (not a command), readable in the log.
"""

from __future__ import annotations

from ..outcome import ModelOutcome, OutcomeInput, as_outcomes

LEVELS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    """Escape a command's message part."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value (file=..., title=...)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(level: str, message: str, **properties: str) -> str:
    """One workflow command line: ``::level k=v,k=v::message``."""
    props = ",".join(f"{k}={escape_property(v)}" for k, v in properties.items() if v)
    head = f"::{level} {props}" if props else f"::{level}"
    return f"{head}::{escape_data(message)}"


def _title(rule_id: str) -> str:
    from ..findings import rule_by_id

    rule = rule_by_id(rule_id)
    return f"{rule_id} {rule.name}" if rule is not None and rule.name else rule_id


def _summary(outcome: ModelOutcome) -> str:
    counts = outcome.counts()
    report = outcome.report or {}
    segments = report.get("segments", [])
    built = sum(1 for s in segments if s["will_build"])
    coverage = report.get("coverage", {}).get("nodes", 0.0)
    line = (f"trtlint: {outcome.path}: {built} TensorRT engine(s), "
            f"{100 * coverage:.1f}% of nodes in engines; {counts['error']} error(s), "
            f"{counts['warning']} warning(s), {counts['info']} info")
    if outcome.baselined:
        line += f"; {outcome.baselined} baselined finding(s) not shown"
    # A plain log line must not look like a command.
    return line.replace("::", ": :")


def render_github(items: OutcomeInput) -> str:
    """Workflow-command lines for every finding of every model, then a summary line each."""
    lines: list[str] = []
    for outcome in as_outcomes(items):
        if outcome.error is not None:
            lines.append(command("error", outcome.error, file=outcome.artifact,
                                 title="trtlint: cannot analyse this model"))
            continue
        for finding in outcome.findings:
            message = f"{finding.node}: {finding.message}" if finding.node else finding.message
            if finding.fix:
                message += f"\nFix: {finding.fix}"
            line = outcome.line_of(finding.node)
            lines.append(command(LEVELS.get(finding.severity, "warning"), message,
                                 file=outcome.artifact,
                                 line=str(line) if line is not None else "",
                                 title=_title(finding.rule)))
        lines.append(_summary(outcome))
    return "\n".join(lines) + ("\n" if lines else "")
