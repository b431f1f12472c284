"""TF-TRT's own tests, ported as trtlint conformance tests.

Two sources, both from TensorFlow's repository:

* ``tensorflow/compiler/tf2tensorrt/segment/segment_test.cc``: unit tests of the
  segmenter on hand-built graphs with a hand-picked candidate set
  (:mod:`.segment_cases`, run by ``test_segment_test.py``);
* ``tensorflow/python/compiler/tensorrt/test/*_test.py``: the integration tests, each a
  small TensorFlow graph and the TRTEngineOps TF-TRT must build for it under every
  run-parameter variant (:mod:`.integration_cases`, run by ``test_integration.py``).

Every case names the file, the test and the TensorFlow version its expectation comes
from.  The expectation is checked against trtlint for the profile of that version and,
for ``tf2``, the same graph is also run through the real TF-TRT 2.17 (the CPU oracle,
``tests/oracle.py``): where TF 2.17 disagrees with the test file, the case records both
and TF 2.17 wins.  docs/dev/conformance.md lists what was ported and what could not be.
"""
