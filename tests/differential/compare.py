"""The comparison harness: trtlint's prediction against TF-TRT 2.17's conversion, as a diff.

    diff = compare_model(path, config, oracle_result)       # runs trtlint, returns a ModelDiff
    assert diff.agrees, diff.describe()

What is compared (the questions a user asks trtlint):

* engines -- the exact node sets TF-TRT replaces by TRTEngineOps (the oracle's ``members``,
  trtlint's segments that will build).  Equal sets are matched whatever the engine numbers;
  an engine found on one side only is paired with the other side's engine it overlaps most
  (Jaccard index of the node sets), which usually shows a split or a merge at a glance;
* the unconverted-op report -- its count and the count per op type (TF 2.17's "TensorRT
  unsupported/non-converted OP Report");
* per-node decisions -- accepted as a TF-TRT candidate or rejected with which reason, on
  both sides, for every node whose fate differs.  A node can also be *absent* on one side:
  grappler (or trtlint's emulation of it) removed it.  TF-TRT's own graph after grappler
  (kept by the oracle client) tells "accepted" from "absent" for nodes it did not reject.

``agrees`` is the acceptance criterion: same engines, same unconverted count, same count
per type.  Decision differences explain a disagreement; reason-text differences alone
(both sides reject, in different words) are reported but do not break agreement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Optional, Sequence

from trtlint.analysis import Analysis, analyze
from trtlint.load import load_model, sink_outputs

from .configs import Config

ACCEPTED = "accepted"
ABSENT = "absent"
UNKNOWN = "not rejected (accepted, or removed by grappler)"


@dataclass(frozen=True)
class EngineDiff:
    """An engine found on one side only, and the other side's engine closest to it."""

    side: str                        # "trtlint" or "TF-TRT": where this engine exists
    name: str
    nodes: frozenset
    match: Optional[str]             # the other side's engine it overlaps most
    match_nodes: frozenset
    jaccard: float

    @property
    def missing_there(self) -> list[str]:
        return sorted(self.nodes - self.match_nodes)

    @property
    def extra_there(self) -> list[str]:
        return sorted(self.match_nodes - self.nodes)


@dataclass(frozen=True)
class NodeDiff:
    """One node whose fate differs: each side's verdict (``accepted``, ``absent`` or the
    rejection reason)."""

    node: str
    op: str
    ours: str
    theirs: str


@dataclass
class ModelDiff:
    model: str
    config: str
    exact_engines: int = 0                                       # engines equal on both sides
    ours_engines: int = 0
    their_engines: int = 0
    only_ours: list[EngineDiff] = field(default_factory=list)
    only_theirs: list[EngineDiff] = field(default_factory=list)
    node_jaccard: float = 1.0                                    # over all engine members
    unconverted_ours: Optional[int] = None
    unconverted_theirs: Optional[int] = None                     # None: TF-TRT printed no report
    type_counts: dict[str, tuple[int, int]] = field(default_factory=dict)  # op -> (ours, theirs), differing
    decisions: list[NodeDiff] = field(default_factory=list)      # accepted on one side only, or absent
    reasons: list[NodeDiff] = field(default_factory=list)        # both reject, different words
    outputs_ours: tuple = ()
    outputs_theirs: tuple = ()
    error: Optional[str] = None                                  # the comparison could not run

    # -- verdicts --------------------------------------------------------------------------
    @property
    def engines_equal(self) -> bool:
        return self.error is None and not self.only_ours and not self.only_theirs

    @property
    def count_equal(self) -> bool:
        return self.error is None and self.unconverted_ours == self.unconverted_theirs

    @property
    def types_equal(self) -> bool:
        """The same op types in the report (as a set)."""
        return self.error is None and not any((o == 0) != (t == 0) for o, t in self.type_counts.values())

    @property
    def type_counts_equal(self) -> bool:
        return self.error is None and not self.type_counts

    @property
    def agrees(self) -> bool:
        return self.engines_equal and self.count_equal and self.type_counts_equal

    def differing_aspects(self) -> list[str]:
        """Short names of what differs: ``engines``, ``unconverted``, ``error``."""
        if self.error is not None:
            return ["error"]
        out = []
        if not self.engines_equal:
            out.append("engines")
        if not (self.count_equal and self.type_counts_equal):
            out.append("unconverted")
        return out

    # -- text ------------------------------------------------------------------------------
    def describe(self, limit: int = 12) -> str:
        """A readable account of every difference (at most ``limit`` items per list)."""
        head = f"{self.model} [{self.config}]"
        if self.error is not None:
            return f"{head}: {self.error}"
        lines = [f"{head}: engines {self.exact_engines} equal, trtlint {self.ours_engines} / "
                 f"TF-TRT {self.their_engines}, node-set Jaccard {self.node_jaccard:.3f}; "
                 f"unconverted trtlint {self.unconverted_ours} / TF-TRT {self.unconverted_theirs}"]
        if self.outputs_ours != self.outputs_theirs:
            lines.append(f"  fetch nodes differ: trtlint {list(self.outputs_ours)} / "
                         f"TF-TRT {list(self.outputs_theirs)}")
        for engine in (self.only_ours + self.only_theirs)[:limit]:
            other = "TF-TRT" if engine.side == "trtlint" else "trtlint"
            lines.append(f"  only in {engine.side}: {engine.name} ({len(engine.nodes)} nodes)"
                         + (f", closest {other} engine {engine.match} (Jaccard {engine.jaccard:.2f}):"
                            f" +{_names(engine.missing_there)} -{_names(engine.extra_there)}"
                            if engine.match else f": {_names(sorted(engine.nodes))}"))
        for op, (ours, theirs) in list(self.type_counts.items())[:limit]:
            lines.append(f"  unconverted {op}: trtlint {ours} / TF-TRT {theirs}")
        for d in self.decisions[:limit]:
            lines.append(f"  node {d.node} ({d.op}): trtlint {d.ours!r} / TF-TRT {d.theirs!r}")
        if len(self.decisions) > limit:
            lines.append(f"  ... {len(self.decisions) - limit} more node differences")
        for d in self.reasons[:limit]:
            lines.append(f"  reason for {d.node} ({d.op}): trtlint {d.ours!r} / TF-TRT {d.theirs!r}")
        return "\n".join(lines)


def _names(names: Sequence[str], limit: int = 6) -> str:
    shown = ", ".join(names[:limit])
    return f"[{shown}{', ...' if len(names) > limit else ''}]({len(names)})"


def jaccard(a: frozenset, b: frozenset) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


# -- running trtlint ----------------------------------------------------------------------------
def predict(path: Path, config: Config, outputs: Optional[Sequence[str]] = None,
            signature: Optional[str] = None) -> Analysis:
    """``trtlint analyze --profile tf2`` in process, with the same fetch nodes as the oracle."""
    model = load_model(path, signature=signature, outputs=list(outputs) if outputs else None)
    return analyze(model, config.target())


@lru_cache(maxsize=64)
def _graph_node_names(path: str) -> frozenset:
    return frozenset(node.name for node in load_model(path).graph)


def their_graph_nodes(result: dict) -> Optional[frozenset]:
    """Node names of the graph TF-TRT segmented (after grappler), when the oracle kept it."""
    graph = result.get("graph_after_grappler")
    if not graph or not Path(graph).exists():
        return None
    return _graph_node_names(graph)


# -- the diff -----------------------------------------------------------------------------------
def _engine_diffs(side: str, mine: dict, other: dict) -> list[EngineDiff]:
    out = []
    exact = set(other.values())
    for name, nodes in mine.items():
        if nodes in exact:
            continue
        best, score = None, 0.0
        for other_name, other_nodes in other.items():
            value = jaccard(nodes, other_nodes)
            if value > score:
                best, score = other_name, value
        out.append(EngineDiff(side, name, nodes, best, other.get(best, frozenset()) if best else frozenset(),
                              score))
    return out


def _their_verdicts(result: dict, graph_nodes: Optional[frozenset]) -> tuple[dict, dict]:
    """({node: verdict}, {node: op}) for TF-TRT: rejections with their reason, engine
    members accepted, and the rest of its graph accepted (if the graph is known)."""
    verdicts: dict[str, str] = {}
    ops: dict[str, str] = {}
    for segment in result.get("segments") or []:
        for node in segment.get("members") or []:
            verdicts[node] = ACCEPTED
    for node, info in (result.get("rejected_nodes") or {}).items():
        verdicts[node] = info.get("reason", "rejected")
        ops[node] = info.get("op", "?")
    for node in graph_nodes or ():
        verdicts.setdefault(node, ACCEPTED)
    return verdicts, ops


def diff_analysis(analysis: Analysis, result: dict, *, model: str = "", config: str = "",
                  graph_nodes: Optional[frozenset] = None) -> ModelDiff:
    """Compare trtlint's analysis with the oracle's result for the same model and config."""
    diff = ModelDiff(model=model, config=config)
    if "error" in result:
        diff.error = f"the oracle failed ({result.get('error_kind')}): {result['error']}"
        return diff
    ours = {s.name: frozenset(s.nodes) for s in analysis.segments if s.will_build}
    theirs = {s["name"]: frozenset(s.get("members") or []) for s in result.get("segments") or []}
    diff.ours_engines, diff.their_engines = len(ours), len(theirs)
    diff.exact_engines = len(set(ours.values()) & set(theirs.values()))
    diff.only_ours = _engine_diffs("trtlint", ours, theirs)
    diff.only_theirs = _engine_diffs("TF-TRT", theirs, ours)
    diff.node_jaccard = jaccard(frozenset().union(*ours.values()), frozenset().union(*theirs.values()))

    # The report: TF-TRT prints none when it never ran (grappler skips graphs of < 4 nodes).
    diff.unconverted_ours = analysis.unconverted.count if analysis.tensorrt_pass_runs else None
    report = result.get("unconverted")
    if report is not None:
        diff.unconverted_theirs = report.get("count")
        their_types = dict(report.get("types") or {})
    else:
        their_types = {}
    our_types = dict(analysis.unconverted.by_type)
    for op in sorted(set(our_types) | set(their_types)):
        pair = (our_types.get(op, 0), their_types.get(op, 0))
        if pair[0] != pair[1]:
            diff.type_counts[op] = pair

    # Node by node (nothing to compare when TF-TRT's pass never ran).
    if result.get("tensorrt_pass_ran") is False:
        diff.outputs_ours = default_fetch_nodes(analysis.model)
        diff.outputs_theirs = tuple(result.get("outputs") or ())
        return diff
    if graph_nodes is None:
        graph_nodes = their_graph_nodes(result)
    their_verdicts, their_ops = _their_verdicts(result, graph_nodes)
    our_nodes = set(analysis.decisions)
    for name in sorted(our_nodes | set(their_verdicts)):
        decision = analysis.decisions.get(name)
        if decision is None:
            mine = ABSENT
        else:
            mine = ACCEPTED if decision.supported else (decision.reason.message if decision.reason
                                                        else "rejected")
        if name in their_verdicts:
            there = their_verdicts[name]
        else:
            there = ABSENT if graph_nodes is not None else UNKNOWN
        op = decision.op if decision is not None else their_ops.get(name, "?")
        if there == UNKNOWN and mine != ACCEPTED and mine != ABSENT:
            diff.decisions.append(NodeDiff(name, op, mine, there))
        elif there == UNKNOWN:
            continue
        elif (mine == ACCEPTED) != (there == ACCEPTED) or (mine == ABSENT) != (there == ABSENT):
            diff.decisions.append(NodeDiff(name, op, mine, there))
        elif mine != there:
            diff.reasons.append(NodeDiff(name, op, mine, there))
    diff.outputs_ours = default_fetch_nodes(analysis.model)
    diff.outputs_theirs = tuple(result.get("outputs") or ())
    return diff


def default_fetch_nodes(model) -> tuple:
    """The fetch nodes trtlint picks by itself: a SavedModel's signature outputs, a bare
    GraphDef's sinks (even when the comparison overrode them with the oracle's)."""
    if model.format == "saved_model":
        return tuple(spec.name for spec in model.outputs)
    return tuple(spec.name for spec in sink_outputs(model.graph))


def compare_model(path: Path, config: Config, result: dict, *, signature: Optional[str] = None,
                  outputs: Optional[Sequence[str]] = None, label: Optional[str] = None) -> ModelDiff:
    """Run trtlint on ``path`` as the oracle ran (its fetch nodes for a GraphDef, the
    signature for a SavedModel) and diff the two.  ``outputs`` overrides the fetch nodes."""
    label = label or Path(path).name
    if "error" in result:
        return diff_analysis(None, result, model=label, config=config.name)  # type: ignore[arg-type]
    if outputs is None and not Path(path).is_dir():
        outputs = result.get("outputs") or None
    analysis = predict(Path(path), config, outputs, signature)
    return diff_analysis(analysis, result, model=label, config=config.name)
