"""Our shape inference against TensorFlow's own (C++ shape inference at import time).

For every fixture graph and every corpus graph TensorFlow can import, each output of
each node is compared with ``tf.compat.v1.import_graph_def``'s static shape:

(a) where TensorFlow knows the rank, we know it and agree; where it knows a dim, we
    know the same dim (our knowledge >= TensorFlow's);
(b) we never hold a known dim that contradicts a dim TensorFlow knows.

Knowing more than TensorFlow is allowed (loop-carried shapes, Enter frames, function
bodies) and counted; ``tests/test_shapes_runtime.py`` checks those extra dims against
shapes observed while running the graphs.

SavedModels are compared on their frozen form (TensorFlow freezes the signature; we
load the frozen GraphDef), since TensorFlow's import of a SavedModel graph still holds
variables and function calls our loader has already resolved.

Run as a script to print the agreement table without pytest::

    .venv/bin/python tests/test_shapes_vs_tf.py

``TRTLINT_SHAPES_EXTRA_GRAPHS=dir1:dir2`` adds more folders of graphs to compare.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import pytest
from shared_data import CORPUS_MODELS

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
CORPUS = CORPUS_MODELS

pytestmark = pytest.mark.tensorflow


# -- which graphs --------------------------------------------------------------------------
@dataclass(frozen=True)
class GraphCase:
    id: str
    path: Path
    kind: str  # "graphdef" | "saved_model"


def _is_saved_model(path: Path) -> bool:
    return path.is_dir() and (path / "saved_model.pb").exists()


def graph_cases() -> list[GraphCase]:
    """Every fixture and corpus graph: GraphDefs (.pb/.pbtxt) and SavedModel dirs."""
    cases: list[GraphCase] = []
    roots = [("fixtures", FIXTURES), ("corpus", CORPUS)]
    # More graph folders to compare (e.g. a fresh `fixtures/generate.py --out DIR`).
    for extra in filter(None, os.environ.get("TRTLINT_SHAPES_EXTRA_GRAPHS", "").split(os.pathsep)):
        roots.append((Path(extra).name, Path(extra)))
    for label, root in roots:
        if not root.exists():
            continue
        saved_dirs = sorted({p.parent for p in root.rglob("saved_model.pb")})
        for d in saved_dirs:
            cases.append(GraphCase(f"{label}/{d.relative_to(root)}", d, "saved_model"))
        for p in sorted(list(root.rglob("*.pb")) + list(root.rglob("*.pbtxt"))):
            if any(parent in saved_dirs for parent in p.parents) or p.name == "saved_model.pb":
                continue
            if "gen" in p.relative_to(root).parts[:1]:
                continue
            if p.name in ("fingerprint.pb",):
                continue
            cases.append(GraphCase(f"{label}/{p.relative_to(root)}", p, "graphdef"))
    return cases


# -- TensorFlow's side -----------------------------------------------------------------------
# one quiet import of TensorFlow and one reading of a GraphDef file, shared with the
# loader's comparison
from test_loader_vs_tf import tensorflow as _quiet_tensorflow  # noqa: E402
from test_loader_vs_tf import tf_graph_def as read_graph_def  # noqa: E402


def tf_static_shapes(graph_def) -> dict[str, list[Optional[tuple]]]:
    """node name -> per output: None (unknown rank) or a tuple with None for unknown dims."""
    tf = _quiet_tensorflow()
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.import_graph_def(graph_def, name="")
    return {op.name: [None if t.shape.rank is None else tuple(t.shape.as_list())
                      for t in op.outputs]
            for op in graph.get_operations()}


def freeze_saved_model(directory: Path, out_path: Path) -> str:
    """Freeze a SavedModel's serving signature (or its first one) into a GraphDef file.

    Returns the signature key used."""
    tf = _quiet_tensorflow()
    from tensorflow.core.protobuf import saved_model_pb2

    sm = saved_model_pb2.SavedModel()
    sm.ParseFromString((directory / "saved_model.pb").read_bytes())
    meta = sm.meta_graphs[0]
    tags = list(meta.meta_info_def.tags)
    signatures = {k: v for k, v in meta.signature_def.items() if not k.startswith("__")}
    key = "serving_default" if "serving_default" in signatures else sorted(signatures)[0]
    calls = any(n.op in ("StatefulPartitionedCall", "PartitionedCall")
                for n in meta.graph_def.node)
    if meta.object_graph_def.nodes and calls:  # a TF2 SavedModel
        from tensorflow.python.framework.convert_to_constants import (
            convert_variables_to_constants_v2)

        loaded = tf.saved_model.load(str(directory), tags=tags or None)
        graph_def = convert_variables_to_constants_v2(loaded.signatures[key]).graph.as_graph_def()
    else:
        graph = tf.Graph()
        with graph.as_default(), tf.compat.v1.Session(graph=graph) as session:
            tf.compat.v1.saved_model.loader.load(session, tags, str(directory))
            outputs = sorted({t.name.split(":")[0] for t in signatures[key].outputs.values()})
            graph_def = tf.compat.v1.graph_util.convert_variables_to_constants(
                session, graph.as_graph_def(), outputs)
    out_path.write_bytes(graph_def.SerializeToString())
    return key


# -- the comparison --------------------------------------------------------------------------
@dataclass
class Agreement:
    """How our shapes compare with TensorFlow's on one graph."""

    graph: str
    nodes: int = 0
    outputs: int = 0
    agree: int = 0           # outputs where we know at least what TF knows, and agree
    we_know_more: int = 0    # of those, outputs where we also know a dim or rank TF does not
    tf_unknown: int = 0      # outputs TF knows nothing about (unknown rank)
    under: list = field(default_factory=list)          # (a) violations
    contradictions: list = field(default_factory=list)  # (b) violations

    @property
    def rate(self) -> float:
        return 100.0 * self.agree / self.outputs if self.outputs else 100.0


def compare_shapes(label: str, tf_shapes: dict, shape_map, graph) -> Agreement:
    result = Agreement(label)
    for name, tf_outs in tf_shapes.items():
        result.nodes += 1
        ours_all = shape_map.outputs(name) if name in graph else []
        for i, theirs in enumerate(tf_outs):
            result.outputs += 1
            ours = ours_all[i] if i < len(ours_all) else None
            op = graph[name].op if name in graph else "?"
            if theirs is None:
                result.tf_unknown += 1
                result.agree += 1
                if ours is not None:
                    result.we_know_more += 1
                continue
            if ours is None or len(ours) != len(theirs):
                if ours is not None:
                    result.contradictions.append((name, op, i, theirs, ours))
                else:
                    result.under.append((name, op, i, theirs, ours))
                continue
            more = under = contradiction = False
            for t, o in zip(theirs, ours):
                if t is None:
                    more |= o >= 0
                elif o < 0:
                    under = True
                elif o != t:
                    contradiction = True
            if contradiction:
                result.contradictions.append((name, op, i, theirs, ours))
            elif under:
                result.under.append((name, op, i, theirs, ours))
            else:
                result.agree += 1
                result.we_know_more += more
    return result


def compare_case(case: GraphCase, workdir: Path) -> Agreement:
    """Compare one graph (skipping, with the reason, what TensorFlow cannot import)."""
    from trtlint.load import load_model
    from trtlint.shapes import infer_shapes

    path = case.path
    if case.kind == "saved_model":
        path = workdir / (case.id.replace("/", "__") + ".frozen.pb")
        try:
            freeze_saved_model(case.path, path)
        except Exception as exc:  # noqa: BLE001 - report why TF cannot use this model
            pytest.skip(f"TensorFlow cannot load/freeze this SavedModel: "
                        f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}")
    try:
        tf_shapes = tf_static_shapes(read_graph_def(path))
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"TensorFlow cannot import this graph: {type(exc).__name__}: "
                    f"{str(exc).splitlines()[0][:160]}")
    model = load_model(path)
    return compare_shapes(case.id, tf_shapes, infer_shapes(model.graph), model.graph)


def compare_function_bodies(case: GraphCase) -> Agreement:
    """Every function of the model's library, inferred on its own with the argument
    shapes TensorFlow assumes for it (``function_def_to_graph``), node by node."""
    tf = _quiet_tensorflow()
    from tensorflow.python.framework.function_def_to_graph import function_def_to_graph

    from trtlint.graph.model import Graph
    from trtlint.load import load_model
    from trtlint.load.functions import FunctionBody
    from trtlint.shapes import infer_shapes

    if case.kind == "saved_model":
        from tensorflow.core.protobuf import saved_model_pb2

        sm = saved_model_pb2.SavedModel()
        sm.ParseFromString((case.path / "saved_model.pb").read_bytes())
        library = sm.meta_graphs[0].graph_def.library
    else:
        library = read_graph_def(case.path).library
    if not library.function:
        pytest.skip("no function library")
    model = load_model(case.path)
    ours = model.graph.library
    total = Agreement(case.id + "#functions")
    with tf.Graph().as_default():
        for fdef in library.function:
            name = fdef.signature.name
            try:
                fgraph = function_def_to_graph(fdef)
            except Exception:  # noqa: BLE001 - TF cannot build this body alone; skip it
                continue
            tf_shapes = {op.name: [None if t.shape.rank is None else tuple(t.shape.as_list())
                                   for t in op.outputs] for op in fgraph.get_operations()}
            body = FunctionBody(ours[name], model.graph.registry, "", None, ours)
            sub = Graph(body.nodes, ours, model.graph.registry, model.graph.producer)
            args = {a.name: tf_shapes.get(a.name, [None])[0] for a in fdef.signature.input_arg}
            overrides = {a: (tuple(-1 if d is None else d for d in shape)
                             if shape is not None else None)
                         for a, shape in args.items() if a in sub}
            r = compare_shapes(name, tf_shapes, infer_shapes(sub, overrides), sub)
            total.nodes += r.nodes
            total.outputs += r.outputs
            total.agree += r.agree
            total.we_know_more += r.we_know_more
            total.tf_unknown += r.tf_unknown
            total.under += [(name,) + v for v in r.under]
            total.contradictions += [(name,) + v for v in r.contradictions]
    if total.outputs == 0:
        pytest.skip("TensorFlow cannot build any of the library's functions on its own")
    return total


# -- pytest ------------------------------------------------------------------------------
_RESULTS: dict[str, Agreement] = {}
CASES = graph_cases()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("frozen_saved_models")


def test_there_are_graphs_to_compare():
    ids = {c.id for c in CASES}
    assert any(i.startswith("corpus/") for i in ids), "the shared corpus is missing"
    assert len(CASES) >= 20


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_shapes_agree_with_tensorflow(case: GraphCase, workdir: Path):
    result = compare_case(case, workdir)
    _RESULTS[case.id] = result
    assert result.outputs > 0
    assert not result.contradictions, (
        f"{len(result.contradictions)} outputs where a dim we know contradicts TensorFlow's, "
        f"e.g. {result.contradictions[:5]}")
    assert not result.under, (
        f"{len(result.under)} outputs where TensorFlow knows more than we do, "
        f"e.g. {result.under[:5]}")


LIBRARY_CASES = [c for c in CASES if c.kind == "saved_model" or c.path.suffix == ".pbtxt"
                 or "034" in c.id]


@pytest.mark.parametrize("case", LIBRARY_CASES, ids=[c.id for c in LIBRARY_CASES])
def test_function_bodies_agree_with_tensorflow(case: GraphCase):
    result = compare_function_bodies(case)
    _RESULTS[result.graph] = result
    assert not result.contradictions, result.contradictions[:5]
    assert not result.under, result.under[:5]


def test_agreement_table(capsys):
    """Print the per-graph table for the graphs compared in this session."""
    if not _RESULTS:
        pytest.skip("no graph was compared in this session")
    with capsys.disabled():
        print("\n\nShape inference vs TensorFlow (import-time C++ shape inference)")
        print(format_table(_RESULTS.values()))
    total_outputs = sum(r.outputs for r in _RESULTS.values())
    total_agree = sum(r.agree for r in _RESULTS.values())
    assert total_agree == total_outputs


def format_table(results) -> str:
    rows = [("graph", "nodes", "outputs", "agree %", "we know more", "TF unknown rank")]
    totals = Agreement("TOTAL")
    for r in sorted(results, key=lambda r: r.graph):
        rows.append((r.graph, str(r.nodes), str(r.outputs), f"{r.rate:.1f}",
                     str(r.we_know_more), str(r.tf_unknown)))
        totals.nodes += r.nodes
        totals.outputs += r.outputs
        totals.agree += r.agree
        totals.we_know_more += r.we_know_more
        totals.tf_unknown += r.tf_unknown
    rows.append((f"TOTAL ({len(rows) - 1} graphs)", str(totals.nodes), str(totals.outputs),
                 f"{totals.rate:.2f}", str(totals.we_know_more), str(totals.tf_unknown)))
    widths = [max(len(row[k]) for row in rows) for k in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:])]
        lines.append("  ".join(cells))
        if n == 0 or n == len(rows) - 2:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main() -> int:
    results = []
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        jobs = [(c, lambda c=c: compare_case(c, Path(tmp))) for c in CASES]
        jobs += [(c, lambda c=c: compare_function_bodies(c)) for c in LIBRARY_CASES]
        for case, job in jobs:
            try:
                r = job()
            except pytest.skip.Exception as exc:
                print(f"skip {case.id}: {exc}", file=sys.stderr)
                continue
            results.append(r)
            for v in r.under + r.contradictions:
                failures += 1
                print(f"VIOLATION {r.graph}: {v}", file=sys.stderr)
    print(format_table(results))
    print(json.dumps({"violations": failures}))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    raise SystemExit(main())
