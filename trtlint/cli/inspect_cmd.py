"""``trtlint inspect``: what is in a model, in one command."""

from __future__ import annotations

import json

from . import app
from .common import console, reports_errors, write_output
from .options import Format, ModelArg, NoColorOpt, OutputNameOpt, SignatureOpt, TagOpt, tags_list


@app.command()
@reports_errors
def inspect(
    model: ModelArg,
    format: Format = Format.rich,
    signature: SignatureOpt = None,
    tag: TagOpt = None,
    output: OutputNameOpt = None,
    no_color: NoColorOpt = False,
) -> None:
    """Show a model's format, inputs, outputs, op histogram, parameters, control flow and
    functions: the names you need before converting, without TensorBoard."""
    from ..load import load_model
    from ..summary import summarize, summary_json

    loaded = load_model(model, signature=signature, tags=tags_list(tag), outputs=output)
    summary = summarize(loaded)
    if format == Format.json:
        write_output(json.dumps(summary_json(summary), indent=2), None)
        return
    from ..views.inspect_view import render_summary

    render_summary(summary, console(no_color))
