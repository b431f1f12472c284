"""TRT703: chains of Identity nodes."""

from __future__ import annotations

from typing import Iterable

from ..base import Rule
from ..model import Finding
from ._text import plural, some

IDENTITY_OPS = frozenset({"Identity", "Snapshot", "StopGradient", "IdentityN"})


class IdentityChains(Rule):
    """Identity nodes follow each other in chains.

    Exporters and ``tf.function`` wrappers leave Identity, Snapshot and StopGradient
    nodes behind; grappler's dependency optimizer removes most of them, but not the ones
    next to fetch nodes or control edges, and not at all when grappler is off (TF 1.x
    conversions and ``--no-grappler``).  TF-TRT does not count them as effective nodes, so
    they make segments look bigger than they are, and at engine boundaries each one is an
    extra TensorFlow op per run.

    Anti-pattern::

        y = tf.identity(tf.identity(tf.identity(x)))    # naming via identity, three times

    Fix::

        y = tf.identity(x, name="output")               # one identity, only for the name
    """

    id = "TRT703"
    name = "identity-chains"
    severity = "info"

    def check(self, analysis) -> Iterable[Finding]:
        g = analysis.graph
        chains = []
        for node in g:
            if node.op not in IDENTITY_OPS or not node.inputs:
                continue
            src = g.get(node.inputs[0].node)
            if src is not None and src.op in IDENTITY_OPS:
                continue  # not the head of a chain
            length, cur = 1, node
            while True:
                users = [c for c in g.consumers(cur.name) if g[c.node].op in IDENTITY_OPS]
                if len(users) != 1 or len(g.consumers(cur.name)) != 1:
                    break
                cur = g[users[0].node]
                length += 1
            if length >= 2:
                chains.append((node.name, cur.name, length))
        if not chains:
            return
        total = sum(c[2] for c in chains)
        yield self.finding(
            f"{plural(len(chains), 'chain')} of Identity-like nodes ({plural(total, 'node')} in "
            f"all): {some(f'{head} .. {tail} ({n})' for head, tail, n in chains)}",
            node=chains[0][0], fix="Remove redundant identities when exporting (keep at most one "
                                   "for an output's name), or let grappler run.",
            chains=[[head, tail, n] for head, tail, n in chains])
