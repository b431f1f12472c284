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

    @property
    def fetch_names(self) -> list[str]:
        """Node names TF-TRT excludes from engines: the inputs and outputs."""
        seen: dict[str, None] = {}
        for spec in self.inputs + self.outputs:
            seen.setdefault(spec.name, None)
        return list(seen)
