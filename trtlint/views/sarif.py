"""``--format sarif``: findings as a SARIF 2.1.0 log, for code-scanning tools.

SARIF (OASIS Static Analysis Results Interchange Format) is what GitHub code scanning,
Azure DevOps and most IDE "problems" panes import.  The mapping:

- one ``run`` whose ``tool.driver`` carries every lint rule's metadata (id, name,
  summary, the docstring as help, default level, family as a tag);
- one ``artifact`` per analysed model: the model file (a SavedModel's saved_model.pb),
  with trtlint's prediction summary (target, engines, coverage) in its properties;
- one ``result`` per finding: ``ruleId``/``ruleIndex``, level (info -> ``note``), the
  model file as ``physicalLocation.artifactLocation`` and the node name as a
  ``logicalLocation`` (a binary graph has no lines: the node is the real place; for a
  text graph the ``region`` also gives the line of the node's definition);
- models that could not be analysed become ``toolExecutionNotifications`` and set
  ``executionSuccessful`` to false.

Everything here is a pure function of outcomes: no file is read (an Analysis given
instead is turned into an outcome first, which looks up text-graph lines).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any, Optional, Sequence
from urllib.parse import quote

from ..outcome import ModelOutcome, OutcomeInput, as_outcomes

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = ("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
                    "sarif-schema-2.1.0.json")
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
FINGERPRINT_KEY = "trtlintFinding/v1"


def artifact_uri(path: str) -> str:
    """A URI reference for a model path: relative paths stay relative (code scanning
    resolves them against the repository root), absolute ones become file:// URIs."""
    if path.startswith("/"):
        return "file://" + quote(path)
    win = PureWindowsPath(path)
    if win.drive:
        return "file:///" + quote(win.as_posix())
    return quote(PurePosixPath(path.replace("\\", "/")).as_posix())


def rule_descriptors() -> list[dict[str, Any]]:
    """``reportingDescriptor`` objects for every registered lint rule, sorted by id."""
    from ..findings import all_rules

    out = []
    for rule in all_rules():
        description = rule.description()
        out.append({
            "id": rule.id,
            "name": rule.name or rule.id,
            "shortDescription": {"text": rule.summary() or rule.name or rule.id},
            "fullDescription": {"text": description or rule.summary() or rule.id},
            "help": {"text": description or rule.summary() or rule.id,
                     "markdown": description or rule.summary() or rule.id},
            "defaultConfiguration": {"level": LEVELS.get(rule.severity, "warning")},
            "properties": {"tags": ["tf-trt", rule.family()], "family": rule.family()},
        })
    return out


def _fingerprint(outcome: ModelOutcome, finding) -> str:
    # Hash rather than embed: the raw fingerprint contains the whole message.
    return hashlib.sha256(finding.fingerprint().encode("utf-8")).hexdigest()[:32]


def _result(outcome: ModelOutcome, artifact_index: int, finding,
            rule_index: dict[str, int]) -> dict[str, Any]:
    text = finding.message
    if finding.fix:
        text = f"{text} Fix: {finding.fix}"
    location: dict[str, Any] = {
        "physicalLocation": {"artifactLocation": {"uri": artifact_uri(outcome.artifact),
                                                  "index": artifact_index}}}
    line = outcome.line_of(finding.node)
    if line is not None:  # text graphs: the node's definition
        location["physicalLocation"]["region"] = {"startLine": line}
    if finding.node:
        location["logicalLocations"] = [{
            "name": finding.node.rpartition("/")[2] or finding.node,
            "fullyQualifiedName": finding.node,
            "kind": "function",
        }]
    properties: dict[str, Any] = {"severity": finding.severity, "model": outcome.path}
    if finding.node:
        properties["node"] = finding.node
    if finding.segment:
        properties["segment"] = finding.segment
    if finding.fix:
        properties["fix"] = finding.fix
    if finding.data:
        properties["data"] = finding.data
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "level": LEVELS.get(finding.severity, "warning"),
        "message": {"text": text},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: _fingerprint(outcome, finding)},
        "properties": properties,
    }
    if finding.rule in rule_index:
        result["ruleIndex"] = rule_index[finding.rule]
    return result


def _artifact(outcome: ModelOutcome) -> dict[str, Any]:
    artifact: dict[str, Any] = {"location": {"uri": artifact_uri(outcome.artifact)},
                                "roles": ["analysisTarget"]}
    report = outcome.report
    if report is not None:
        segments = report.get("segments", [])
        artifact["properties"] = {
            "format": report["model"]["format"],
            "nodes": report["model"]["nodes"],
            "target": report["target"],
            "engines": sum(1 for s in segments if s["will_build"]),
            "enginesFallingBack": sum(1 for s in segments if not s["will_build"]),
            "coverage": report["coverage"],
            "unconverted": {"count": report["unconverted"]["count"],
                            "types": len(report["unconverted"]["types"])},
        }
        if outcome.baselined:
            artifact["properties"]["baselined"] = outcome.baselined
    return artifact


def sarif_log(items: OutcomeInput, tool_version: Optional[str] = None) -> dict[str, Any]:
    """The SARIF log object for one or several models."""
    from .. import __version__

    outcomes = as_outcomes(items)
    descriptors = rule_descriptors()
    known = {d["id"] for d in descriptors}
    # A finding from a rule the registry does not list (a plugin, an old baseline) still
    # needs a descriptor for ruleIndex to point at.
    for outcome in outcomes:
        for finding in outcome.findings:
            if finding.rule not in known:
                known.add(finding.rule)
                descriptors.append({"id": finding.rule, "name": finding.rule,
                                    "shortDescription": {"text": finding.rule}})
    rule_index = {d["id"]: i for i, d in enumerate(descriptors)}

    results: list[dict[str, Any]] = []
    notifications: list[dict[str, Any]] = []
    for index, outcome in enumerate(outcomes):
        if outcome.error is not None:
            notifications.append({
                "level": "error",
                "message": {"text": outcome.error},
                "locations": [{"physicalLocation": {"artifactLocation": {
                    "uri": artifact_uri(outcome.artifact), "index": index}}}],
            })
        for finding in outcome.findings:
            results.append(_result(outcome, index, finding, rule_index))

    invocation: dict[str, Any] = {"executionSuccessful": not notifications}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    run = {
        "tool": {"driver": {
            "name": "trtlint",
            "version": tool_version or __version__,
            "semanticVersion": tool_version or __version__,
            "rules": descriptors,
        }},
        "invocations": [invocation],
        "artifacts": [_artifact(o) for o in outcomes],
        "results": results,
        "columnKind": "unicodeCodePoints",
    }
    return {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


def render_sarif(items: OutcomeInput, tool_version: Optional[str] = None) -> str:
    """SARIF 2.1.0 JSON text (two-space indent, stable key order)."""
    return json.dumps(sarif_log(items, tool_version), indent=2, ensure_ascii=False)


__all__: Sequence[str] = ("render_sarif", "sarif_log", "rule_descriptors", "artifact_uri")
