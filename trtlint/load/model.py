"""The loaded model: a graph plus what the user asked to run (inputs, outputs)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from ..graph.model import Graph
from ..graph.tensors import Shape


@dataclass
class TensorSpec:
    """A model input or output as TF-TRT sees it: the node that produces it."""

    name: str                      # node name in the analysed graph
    dtype: Optional[str]
    shape: Shape
    index: int = 0                 # output index of that node
    key: Optional[str] = None      # signature key (SavedModels)

    @property
    def tensor(self) -> str:
        return f"{self.name}:{self.index}"


@dataclass(frozen=True)
class LoweredControlFlow:
    """A functional While/If/Case that the loader lowered into TF1 control flow
    (Switch/Merge/Enter/Exit...), as TF-TRT's freezing of a TF2 signature does.

    The op's node is gone from the graph; every node the lowering made, including the
    inlined bodies, is named ``<name>/...``."""

    name: str                      # the functional op's node name
    op: str                        # While, StatelessIf, Case, ...
    functions: tuple[str, ...]     # its cond/body or branch functions


@dataclass
class Model:
    path: Path
    format: str                    # "frozen_graph" | "pbtxt" | "saved_model"
    graph: Graph
    inputs: list[TensorSpec]
    outputs: list[TensorSpec]
    producer: Optional[int] = None
    tensorflow_version: Optional[str] = None
    signature: Optional[str] = None
    tags: list[str] = field(default_factory=list)
    signatures: list[str] = field(default_factory=list)
    #: names of variables that were frozen into constants while loading
    frozen_variables: list[str] = field(default_factory=list)
    #: graph outputs were chosen as sinks (no signature, no --output)
    outputs_from_sinks: bool = False
    notes: list[str] = field(default_factory=list)
    #: functional control flow lowered while loading (TF2 SavedModels), outermost first
    lowered_control_flow: list[LoweredControlFlow] = field(default_factory=list)

    @property
    def fetch_names(self) -> list[str]:
        """Node names TF-TRT excludes from engines: the inputs and outputs."""
        seen: dict[str, None] = {}
        for spec in self.inputs + self.outputs:
            seen.setdefault(spec.name, None)
        return list(seen)
