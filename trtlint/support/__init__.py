"""Whether TF-TRT's converter would accept each node, and why not.

The knowledge is data in ``rules/PROFILE.toml``; :mod:`.validator` applies it in the
order TF-TRT does, yielding one :class:`SupportDecision` per node.
"""

from __future__ import annotations

from typing import Iterable

from ..graph.model import Graph
from ..shapes import ShapeMap
from ..target import Target
from .decision import CATEGORIES, Reason, SupportDecision
from .ruleset import RuleSet, load_ruleset
from .validator import CandidateValidator

__all__ = ["CATEGORIES", "Reason", "SupportDecision", "RuleSet", "load_ruleset",
           "CandidateValidator", "decide_support"]


def decide_support(graph: Graph, shapes: ShapeMap, target: Target,
                   exclude: Iterable[str] = ()) -> dict[str, SupportDecision]:
    """A decision for every node of ``graph`` (in graph order)."""
    validator = CandidateValidator(graph, shapes, target, load_ruleset(target.profile), exclude)
    return {node.name: validator.decide(node) for node in graph}
