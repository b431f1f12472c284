"""Small wording helpers the rule messages share (no rule lives here)."""

from __future__ import annotations

import re
from typing import Iterable


def plural(count: int, word: str, many: str | None = None) -> str:
    """``plural(1, "node") -> "1 node"``, ``plural(3, "node") -> "3 nodes"``."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


def some(names: Iterable[str], limit: int = 3) -> str:
    """``"a, b, c and 4 more"``: name a few of many things without flooding a message."""
    items = list(names)
    if len(items) <= limit:
        return ", ".join(items)
    return ", ".join(items[:limit]) + f" and {len(items) - limit} more"


def leaf(name: str) -> str:
    """The last component of a node name (``"a/b/Conv2D" -> "Conv2D"``)."""
    return name.rpartition("/")[2]


def family(name: str) -> str:
    """Name with the numbers that tell copies of a block apart removed (TensorFlow's
    ``_N`` suffixes, Keras' ``layer3``), so the copies of an unrolled or repeated block
    group together: ``"nms/ClipToWindow_87/Area/sub_1" -> "nms/ClipToWindow/Area/sub"``,
    ``"bn2/cond/Switch_1" -> "bn/cond/Switch"``."""
    return "/".join(_strip_number(part) for part in name.split("/"))


_NUMBER_SUFFIX = re.compile(r"_?\d+$")


def _strip_number(part: str) -> str:
    base = _NUMBER_SUFFIX.sub("", part)
    return base or part
