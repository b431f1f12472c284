"""Graph edits TF-TRT itself makes before segmenting (convert_graph.cc).

In FP16 precision TF-TRT splits every ``Cast`` from a non-half type to float32 into
``NAME_split`` (cast to half) followed by ``NAME`` (half to float32), so the second
half can run inside a TensorRT engine.  The extra nodes are real: they appear in the
segments and in the op report.
"""

from __future__ import annotations

from ..graph.model import Graph, Node, TensorRef


def rewrite_casts_for_fp16(graph: Graph) -> tuple[Graph, list[str]]:
    """Return the rewritten graph and the names of the Casts that were split."""
    nodes: list[Node] = []
    added: list[Node] = []
    split: list[str] = []
    for node in graph:
        if node.op == "Cast" and node.inputs and node.attr("DstT") == "float32" and \
                node.attr("SrcT") not in (None, "float16"):
            first = Node(node.name + "_split", "Cast", [node.inputs[0]], [], node.device,
                         attrs={**node.attrs, "DstT": "float16"}, source=node.source)
            second = node.copy()
            second.inputs = [TensorRef(first.name, 0)] + node.inputs[1:]
            second.set_attr("SrcT", "float16")
            nodes.append(second)
            added.append(first)
            split.append(node.name)
        else:
            nodes.append(node)
    if not split:
        return graph, []
    return graph.replace_nodes(nodes + added), split
