"""TRT104: ops whose output size depends on the data."""

from __future__ import annotations

from collections import deque
from typing import Iterable

from ...insights import data_dependent_size_nodes, engine_of
from ..base import Rule
from ..model import Finding
from ._text import family, some

#: above this many scope families for one kind of op, report the kind once
MAX_GROUPS_PER_KIND = 3
#: how far downstream to look for an engine fed by a data-dependent size
_REACH_LIMIT = 400


def engines_reached(a, start: str) -> list[str]:
    """Engines (that build) whose members read, directly or through TensorFlow nodes, the
    output of ``start``; the search stops at engine members."""
    engines = engine_of(a)
    g = a.graph
    seen = {start}
    queue = deque([start])
    found: set[str] = set()
    while queue and len(seen) < _REACH_LIMIT:
        name = queue.popleft()
        for c in g.consumers(name):
            if c.node in seen:
                continue
            seen.add(c.node)
            if c.node in engines:
                found.add(engines[c.node])
            else:
                queue.append(c.node)
    return sorted(found)


def is_boolean_mask(a, name: str) -> bool:
    """A Where whose indices feed a gather: what tf.boolean_mask builds."""
    g = a.graph
    queue, seen = deque([(name, 0)]), {name}
    while queue:
        cur, depth = queue.popleft()
        for c in g.consumers(cur):
            op = g[c.node].op
            if op in ("GatherV2", "Gather", "GatherNd"):
                return True
            if depth < 2 and op in ("Reshape", "Squeeze", "Identity") and c.node not in seen:
                seen.add(c.node)
                queue.append((c.node, depth + 1))
    return False


class DataDependentShape(Rule):
    """An op's output size depends on the data (Where, NMS, Unique, boolean masks, TopK).

    Which ops: Where (and the boolean masks built from it), NonMaxSuppression*, Unique,
    DynamicPartition, set differences, CTC decoders, and TopKV2 with a computed ``k``.

    TensorRT engines need shapes known when they are built (implicit batch) or bounded
    by an optimization profile (dynamic shape).  A tensor whose length is "however many
    boxes survived" is neither: the op itself stays in TensorFlow, everything computed
    from its output gets an unknown dimension, and an engine fed by it is rebuilt or
    falls back at run time.  Such outputs can also be EMPTY (see TRT301).

    Anti-pattern::

        keep = tf.where(scores > 0.5)                      # [?, 1]: data-dependent
        boxes = tf.gather(boxes, tf.squeeze(keep, 1))      # tf.boolean_mask does the same
        sel = tf.image.non_max_suppression(boxes, scores, max_out)
        top = tf.math.top_k(scores, k=tf.shape(scores)[0] // 2)

    Fix::

        # keep a fixed size: pad, or use ops with static output shapes
        sel, n = tf.image.non_max_suppression_padded(boxes, scores, 100,
                                                     pad_to_max_output_size=True)
        top = tf.math.top_k(scores, k=100)                 # constant k
        # or run post-processing outside the TF-TRT graph
    """

    id = "TRT104"
    name = "data-dependent-shape"
    severity = "warning"

    def check(self, analysis) -> Iterable[Finding]:
        a = analysis
        g = a.graph
        groups: dict[tuple[str, str], list[str]] = {}
        for name in data_dependent_size_nodes(a):
            node = g[name]
            kind = "boolean mask (Where + gather)" if node.op == "Where" and \
                is_boolean_mask(a, name) else node.op
            groups.setdefault((kind, family(node.scope)), []).append(name)
        why_of = data_dependent_size_nodes(a)
        # A kind found in many unrelated scopes (one Where per feature column) is one finding.
        per_kind: dict[str, int] = {}
        for kind, _ in groups:
            per_kind[kind] = per_kind.get(kind, 0) + 1
        merged: dict[tuple[str, str], list[str]] = {}
        for (kind, scope), names in groups.items():
            key = (kind, "" if per_kind[kind] > MAX_GROUPS_PER_KIND else scope)
            merged.setdefault(key, []).extend(names)
        for (kind, scope), names in sorted(merged.items(), key=lambda kv: (kv[0][1], kv[0][0])):
            reached = sorted({e for n in names for e in engines_reached(a, n)})
            what = f"{kind} {names[0]}" if len(names) == 1 else \
                f"{len(names)} {kind} nodes like {names[0]}"
            message = f"{what}: the output size depends on {why_of[names[0]]}"
            if reached:
                message += (f"; it reaches {some(reached)}, whose input shapes then vary from "
                            f"run to run")
                severity = "warning"
            else:
                message += "; no engine depends on it"
                severity = "info"
            yield self.finding(
                message, node=names[0], severity=severity, nodes=names, engines=reached,
                fix="Give the result a fixed size (constant k for TopK, padded NMS, fixed-size "
                    "masks), or keep this post-processing out of the TF-TRT graph.")
