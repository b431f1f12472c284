"""``trtlint rules`` (the catalog) and ``trtlint explain ID`` (one rule's documentation)."""

from __future__ import annotations

import json
import textwrap

import typer
from typing_extensions import Annotated

from ..errors import UsageError
from . import app
from .common import console, reports_errors, write_output
from .options import NoColorOpt

RULES_SCHEMA = "trtlint.rules/1"


def plain_summary(rule) -> str:
    """The rule's one-line summary without reStructuredText literal markers."""
    return rule.summary().replace("``", "")


def _catalog_json() -> dict:
    from ..findings import all_rules

    return {"schema": RULES_SCHEMA,
            "rules": [{"id": r.id, "name": r.name, "severity": r.severity,
                       "family": r.family(), "summary": plain_summary(r)} for r in all_rules()]}


def docstring_markdown(doc: str) -> str:
    """A rule docstring as Markdown: ``Title::`` blocks become a bold heading followed by a
    fenced code block (reStructuredText's literal-block convention, which the rules use)."""
    lines = doc.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.rstrip().endswith("::") and line.strip() != "::":
            out.append(f"**{line.strip()[:-2]}**")
            out.append("")
            i += 1
            block: list[str] = []
            while i < len(lines) and (not lines[i].strip() or lines[i].startswith((" ", "\t"))):
                block.append(lines[i])
                i += 1
            while block and not block[-1].strip():
                block.pop()
            while block and not block[0].strip():
                block.pop(0)
            out.append("```python")
            out.extend(textwrap.dedent("\n".join(block)).splitlines())
            out.append("```")
            out.append("")
            continue
        out.append(line)
        i += 1
    return "\n".join(out).strip() + "\n"


@app.command("rules")
@reports_errors
def rules_command(
    format: Annotated[str, typer.Option("--format", "-f", help="rich or json.")] = "rich",
    no_color: NoColorOpt = False,
) -> None:
    """List the lint rules: id, name, severity and what each one checks."""
    if format == "json":
        write_output(json.dumps(_catalog_json(), indent=2), None)
        return
    if format != "rich":
        raise UsageError(f"unknown --format '{format}'; choose rich or json")
    from rich.table import Table

    from ..findings import FAMILIES, all_rules
    from ..views.findings_rich import SEVERITY_STYLE

    table = Table(title="trtlint rules", title_justify="left")
    table.add_column("id", no_wrap=True)
    table.add_column("name", no_wrap=True)
    table.add_column("severity", no_wrap=True)
    table.add_column("checks", overflow="fold")
    family = None
    for rule in all_rules():
        if rule.family() != family:
            family = rule.family()
            table.add_row("", f"[bold]{family}[/bold]", "", "", end_section=False)
        table.add_row(rule.id, rule.name, f"[{SEVERITY_STYLE[rule.severity]}]{rule.severity}[/]",
                      plain_summary(rule))
    con = console(no_color)
    con.print(table)
    con.print(f"{len(all_rules())} rules in {len(FAMILIES)} families; "
              f"'trtlint explain ID' shows one in full.", style="dim")


@app.command("explain")
@reports_errors
def explain_command(
    rule_id: Annotated[str, typer.Argument(help="Rule id (TRT101) or name (unknown-engine-"
                                                "input-dims).", show_default=False)],
    format: Annotated[str, typer.Option("--format", "-f",
                                        help="rich, markdown or json.")] = "rich",
    no_color: NoColorOpt = False,
) -> None:
    """Show a rule's documentation: what it detects, the anti-pattern and the fix."""
    from ..findings import rule_by_id

    rule = rule_by_id(rule_id)
    if rule is None:
        raise UsageError(f"unknown rule '{rule_id}'; 'trtlint rules' lists them")
    doc = rule.description()
    heading = f"{rule.id} {rule.name} ({rule.severity}, {rule.family()})"
    if format == "json":
        write_output(json.dumps({"id": rule.id, "name": rule.name, "severity": rule.severity,
                                 "family": rule.family(), "summary": plain_summary(rule),
                                 "description": doc}, indent=2), None)
        return
    markdown = f"# {heading}\n\n{docstring_markdown(doc)}"
    if format == "markdown":
        write_output(markdown, None)
        return
    if format != "rich":
        raise UsageError(f"unknown --format '{format}'; choose rich, markdown or json")
    from rich.markdown import Markdown

    console(no_color).print(Markdown(markdown, code_theme="ansi_dark"))
