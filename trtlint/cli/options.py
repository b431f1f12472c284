"""Option declarations shared by several subcommands (one definition, many uses)."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import List, Optional

import typer
from typing_extensions import Annotated


class Format(str, enum.Enum):
    rich = "rich"
    json = "json"


ModelArg = Annotated[Path, typer.Argument(
    help="Frozen graph (.pb), text graph (.pbtxt) or SavedModel directory.",
    show_default=False)]
SignatureOpt = Annotated[Optional[str], typer.Option(
    "--signature", help="SavedModel signature to analyse (default: serving_default).")]
TagOpt = Annotated[Optional[List[str]], typer.Option(
    "--tag", help="SavedModel MetaGraph tag (repeatable; default: serve).")]
OutputNameOpt = Annotated[Optional[List[str]], typer.Option(
    "--output", help="Output node (repeatable); default: the signature outputs, or the "
                     "graph's sinks for a bare GraphDef.")]
NoColorOpt = Annotated[bool, typer.Option("--no-color", help="Plain text output.")]


def tags_list(tag: Optional[List[str]]) -> Optional[list[str]]:
    """``--tag serve --tag gpu`` or ``--tag serve,gpu`` -> ["serve", "gpu"]."""
    if not tag:
        return None
    out = []
    for t in tag:
        out.extend(x.strip() for x in t.split(",") if x.strip())
    return out
