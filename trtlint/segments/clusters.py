"""Cluster properties TF-TRT tracks while merging nodes: batch size and device.

In implicit batch mode every node imposes a batch size on its cluster (the first dim
of its leading input shape; -1 when unknown) and two clusters merge only when their
batch sizes agree.  Devices merge when compatible (same type and id, or unset).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Optional


@dataclass
class BatchSize:
    """TF-TRT's ClusterBatchSize: an optional batch value and optional max batch."""

    batch: Optional[int] = None
    max_batch: Optional[int] = None

    def set_batch(self, value: Optional[int]) -> "BatchSize":
        if self.batch is None:
            self.batch = value
        if self.batch is not None and self.batch >= 0:
            if self.max_batch is None:
                self.max_batch = self.batch
        return self

    def compatible(self, other: "BatchSize") -> bool:
        return _compatible(self.batch, other.batch) and _compatible(self.max_batch, other.max_batch)

    def merged(self, other: "BatchSize") -> "BatchSize":
        out = BatchSize(self.batch, self.max_batch)
        out.set_batch(other.batch)
        if out.max_batch is None:
            out.max_batch = other.max_batch
        return out


def _compatible(a: Optional[int], b: Optional[int]) -> bool:
    return a is None or b is None or a == b


@dataclass(frozen=True)
class Device:
    """The parts of a TensorFlow device name that TF-TRT compares."""

    job: Optional[str] = None
    replica: Optional[int] = None
    task: Optional[int] = None
    type: Optional[str] = None
    id: Optional[int] = None

    @staticmethod
    @functools.lru_cache(maxsize=None)
    def parse(text: str) -> "Device":
        """Parse a device name (cached: a graph repeats a handful of device strings
        over 100k nodes, and the frozen result can be shared)."""
        fields: dict = {}
        for part in text.strip().split("/"):
            if not part:
                continue
            key, _, value = part.partition(":")
            low = key.lower()
            if low == "job":
                fields["job"] = value or None
            elif low in ("replica", "task"):
                fields[low] = int(value) if value.isdigit() else None
            elif low == "device":
                t, _, i = value.partition(":")
                fields["type"] = t.upper() or None
                fields["id"] = int(i) if i.isdigit() else None
            elif value.isdigit() or value == "*":  # legacy "/gpu:0"
                fields["type"] = key.upper()
                fields["id"] = int(value) if value.isdigit() else None
        return Device(**fields)

    def merge(self, other: "Device") -> Optional["Device"]:
        # Fast paths (the usual case: nodes without a device, or all on the same
        # one): merging with an equal or an empty device changes nothing, and a
        # frozen value can be shared instead of rebuilt.
        if other is self or other == self or other == _NO_DEVICE:
            return self
        if self == _NO_DEVICE:
            return other
        out = {}
        for f in ("job", "replica", "task", "type", "id"):
            a, b = getattr(self, f), getattr(other, f)
            if a is not None and b is not None and a != b:
                return None
            out[f] = a if a is not None else b
        return Device(**out)

    def __str__(self) -> str:
        parts = []
        if self.job is not None:
            parts.append(f"/job:{self.job}")
        if self.replica is not None:
            parts.append(f"/replica:{self.replica}")
        if self.task is not None:
            parts.append(f"/task:{self.task}")
        if self.type is not None:
            parts.append(f"/device:{self.type}:{'*' if self.id is None else self.id}")
        return "".join(parts)


#: the unset device (frozen, so one instance serves every node without a device)
_NO_DEVICE = Device()


class UnionFind:
    """Disjoint sets over node ids; the root keeps the cluster's properties.

    ``merge(a, b)`` makes a's root the root of the union, as TF-TRT's UnionFind does
    (the cluster is named after the node that absorbed the others)."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.batch: list[BatchSize] = [BatchSize() for _ in range(n)]
        self.device: list[Device] = [_NO_DEVICE] * n  # frozen: safe to share

    def find(self, x: int) -> int:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def merge(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        self.batch[ra] = self.batch[ra].merged(self.batch[rb])
        dev = self.device[ra].merge(self.device[rb])
        self.device[ra] = dev if dev is not None else self.device[ra]
        self.parent[rb] = ra
