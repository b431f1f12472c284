"""Engines as a comparable value, and the test files' own check of them.

Both sides -- trtlint's Analysis and the oracle's JSON -- are reduced to
:class:`Conversion`: engine name (graph sequence number removed, the form the test files
use) -> the nodes it replaces (its members) and the Consts from outside that TF-TRT
copies into its segment function, plus the nodes that exist after grappler.  That is all
an ``ExpectedEnginesToBuild`` check needs.

A Const shared by two engines, or feeding an op left to TensorFlow, may not be a segment
output: TF-TRT takes it out of the segment and copies it into every engine that reads it
(GetEngineInfo, "Adding const node").  The test files list such a Const under the engine
that uses it, so the expectation check counts copied Consts as part of their engine; the
exact comparison with the oracle keeps members and copies apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: how TF-TRT 2.x names an engine: TRTEngineOp_<graph sequence>_<segment>, 3+ digits each
ENGINE_NAME = re.compile(r"^TRTEngineOp_(\d{3,})_(\d{3,})$")


def without_sequence(name: str) -> str:
    """``TRTEngineOp_000_001`` -> ``TRTEngineOp_001`` (the test base's
    _RemoveGraphSequenceNumber); anything else is returned unchanged."""
    match = ENGINE_NAME.match(name)
    return f"TRTEngineOp_{match.group(2)}" if match else name


@dataclass
class Conversion:
    """What a TF-TRT conversion did, as far as the integration tests look."""

    engines: dict[str, frozenset]        # "TRTEngineOp_001" -> member node names
    copied: dict[str, frozenset]         # "TRTEngineOp_001" -> Consts copied into it
    graph_nodes: frozenset               # node names after grappler, before TF-TRT
    raw_names: tuple = ()                # engine names as produced (format check)

    def node_sets(self) -> set[frozenset]:
        return set(self.engines.values())

    def function_nodes(self, engine: str) -> frozenset:
        """Members and copied Consts: the nodes of the engine's segment function."""
        return self.engines.get(engine, frozenset()) | self.copied.get(engine, frozenset())


def from_analysis(analysis) -> Conversion:
    """trtlint's prediction.  Static engines that trtlint predicts will fail to build
    fall back to TensorFlow as a whole, so they are not engines."""
    built = [s for s in analysis.segments if s.will_build]
    return Conversion({without_sequence(s.name): frozenset(s.nodes) for s in built},
                      {without_sequence(s.name): frozenset(s.const_inputs) for s in built},
                      frozenset(node.name for node in analysis.graph),
                      tuple(s.name for s in built))


def from_oracle(result: dict, graph_nodes: frozenset) -> Conversion:
    """The oracle's conversion; ``graph_nodes`` come from its grappler-only run."""
    segments = result["segments"]
    return Conversion({without_sequence(s["name"]): frozenset(s["members"] or []) for s in segments},
                      {without_sequence(s["name"]): frozenset(s.get("copied_consts") or [])
                       for s in segments},
                      graph_nodes, tuple(s["name"] for s in segments))


def check_expectation(conversion: Conversion, expected) -> list[str]:
    """Problems with ``conversion`` against an ExpectedEnginesToBuild value; [] if none.

    A list names the engines only.  A dict also lists nodes per engine: each must be
    gone from the converted graph (TF-TRT's own check); one that grappler kept must be
    in that very engine's segment function (ours).
    """
    problems: list[str] = []
    names = set(expected)
    if names != set(conversion.engines):
        problems.append(f"engines {sorted(conversion.engines)} != expected {sorted(names)}")
    if isinstance(expected, dict):
        for engine, nodes in expected.items():
            members = conversion.function_nodes(engine)
            for node in nodes:
                if node in conversion.graph_nodes and node not in members:
                    where = [e for e in conversion.engines if node in conversion.function_nodes(e)]
                    problems.append(f"{node} expected in {engine}, found in "
                                    f"{where[0] if where else 'TensorFlow'}")
    return problems


def describe(conversion: Conversion) -> str:
    return "; ".join(f"{name}: {sorted(nodes)}" for name, nodes in sorted(conversion.engines.items())) \
        or "no engines"
