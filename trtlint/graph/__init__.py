"""The graph model: nodes, edges, dtypes, shapes and op interfaces."""

from .model import Consumer, Graph, Node, TensorRef
from .tensors import Shape, TensorValue, format_shape

__all__ = ["Consumer", "Graph", "Node", "TensorRef", "Shape", "TensorValue", "format_shape"]
