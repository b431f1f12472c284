"""The TF-TRT CPU oracle: TensorFlow 2.17's real TF-TRT conversion pass, run without a GPU.

`oracle.py` (next to this package) is the command line. The modules split the work:

- `environment`: the process setup TensorFlow needs before it is imported (stub TensorRT
  libraries on LD_LIBRARY_PATH, verbose TF-TRT logging, no CUDA device).
- `request`: one conversion request (model + target flags), from argv or from a JSON line.
- `models`: load a GraphDef / text GraphDef / SavedModel into the MetaGraphDef TF-TRT optimizes,
  the way TF-TRT's own converters do it.
- `conversion`: the grappler rewriter configuration and the call that runs it, log captured.
- `logparse`: read TF-TRT's log (segments, members, copied consts, unconverted-op report);
  pure Python, no TensorFlow.
- `results`: turn the converted GraphDef and the parsed log into the JSON result.

Only `models` and `conversion` import TensorFlow, and only when called.
"""

# Bump when the JSON a request produces changes for the same model and flags: the test-side
# cache (tests/oracle.py) keys results on it (together with a hash of these sources).
RUNNER_VERSION = "2"
