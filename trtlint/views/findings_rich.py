"""Findings for the terminal: grouped by rule, then by name scope, worst first.

A big graph can give dozens of findings from the same rule (one per unrolled NMS class,
one per engine); grouping them by rule and then by the scope of the node they are about
keeps the report readable, and a fix shared by every finding of a rule is printed once.
"""

from __future__ import annotations

from typing import Iterable, Optional

from rich.console import Group
from rich.text import Text
from rich.tree import Tree

from ..findings.base import rule_by_id
from ..findings.model import SEVERITY_RANK, Finding

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
SEVERITY_MARK = {"error": "x", "warning": "!", "info": "i"}
#: findings shown per rule before "... and N more"
PER_RULE_LIMIT = 12


def _worst(findings: list[Finding]) -> str:
    return max(findings, key=lambda f: f.rank).severity


def _counts(findings: Iterable[Finding]) -> dict[str, int]:
    counts = {s: 0 for s in SEVERITY_RANK}
    for f in findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    return counts


def _finding_text(f: Finding, shared_fix: Optional[str]) -> Text:
    text = Text()
    text.append(f"[{SEVERITY_MARK.get(f.severity, '?')}] ", style=SEVERITY_STYLE.get(f.severity))
    if f.node and f.node not in f.message:
        # the scope is the group heading; the node's own name completes it
        text.append(f"{_leaf(f.node)}: ", style="bold")
    text.append(f.message)
    if f.fix and f.fix != shared_fix:
        text.append("\n    fix: ", style="bold")
        text.append(f.fix, style="dim")
    return text


def _rule_label(rule_id: str, findings: list[Finding]) -> Text:
    cls = rule_by_id(rule_id)
    severity = _worst(findings)
    label = Text()
    label.append(rule_id, style=f"{SEVERITY_STYLE.get(severity, '')}")
    if cls is not None:
        label.append(f" {cls.name}", style="bold")
    label.append(f"  {severity}", style=SEVERITY_STYLE.get(severity))
    label.append(f"  ({len(findings)})", style="dim")
    if cls is not None:
        label.append(f"\n{cls.summary()}", style="dim")
    return label


def findings_tree(findings: list[Finding], per_rule: int = PER_RULE_LIMIT) -> Tree:
    """A tree: rule -> name scope -> finding, rules ordered worst severity first."""
    counts = _counts(findings)
    title = Text("Findings: ", style="bold")
    title.append(", ".join(f"{n} {sev}{'s' if n != 1 and sev != 'info' else ''}"
                           for sev, n in sorted(counts.items(),
                                                key=lambda kv: -SEVERITY_RANK[kv[0]]) if n))
    tree = Tree(title, guide_style="dim")
    by_rule: dict[str, list[Finding]] = {}
    for f in findings:
        by_rule.setdefault(f.rule, []).append(f)
    order = sorted(by_rule, key=lambda r: (-SEVERITY_RANK.get(_worst(by_rule[r]), 0), r))
    for rule_id in order:
        items = sorted(by_rule[rule_id], key=lambda f: (-f.rank, f.scope, f.node or ""))
        fixes = {f.fix for f in items}
        shared_fix = items[0].fix if len(fixes) == 1 and len(items) > 1 else None
        branch = tree.add(_rule_label(rule_id, items))
        if shared_fix:
            fix = Text("fix: ", style="bold")
            fix.append(shared_fix, style="dim")
            branch.add(fix)
        scopes: dict[str, list[Finding]] = {}
        for f in items[:per_rule]:
            scopes.setdefault(f.scope, []).append(f)
        flat = len(scopes) == 1
        for scope, group in scopes.items():
            holder = branch if flat else branch.add(Text(scope or "(model)", style="bold blue"))
            for f in group:
                holder.add(_finding_text(f, shared_fix))
        if len(items) > per_rule:
            branch.add(Text(f"... and {len(items) - per_rule} more (--format json lists all)",
                            style="dim"))
    return tree


def findings_renderable(findings: list[Finding]):
    """What ``trtlint analyze`` prints under its tables (rich renderable)."""
    if not findings:
        return Text("No findings.", style="green")
    return Group(findings_tree(list(findings)))


def _leaf(node: str) -> str:
    """The node's own name under its scope heading; TensorFlow's generated names
    (``while/enter/_12``) keep their last two components, "_12" alone says nothing."""
    parts = node.split("/")
    if len(parts) > 1 and parts[-1].startswith("_") and parts[-1][1:].isdigit():
        return "/".join(parts[-2:])
    return parts[-1]
