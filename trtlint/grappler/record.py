"""What one emulated grappler pass did, for reports and ``--explain`` output."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class GrapplerPass:
    """One pass: its grappler name, node counts before and after, and what changed."""

    name: str
    nodes_before: int
    nodes_after: int
    changes: list[str] = field(default_factory=list)
