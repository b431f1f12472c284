"""The shape of a ported integration test: its graph, inputs, parameters and expectations.

An expectation is what ``ExpectedEnginesToBuild(run_params)`` returns in the test file:
either a list of engine names (``["TRTEngineOp_000", "TRTEngineOp_001"]``: only the
number of engines and their numbering is checked) or a dict from engine name to the
nodes the test says it replaces.  For a dict, TF-TRT's test base checks (TF2 API) that
every listed node is gone from the converted graph -- inside an engine, or removed by
grappler before TF-TRT ran -- and that the set of engine names matches.  Our check is a
little stricter: each listed node that survived grappler must be in *that* engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional, Union

from .runparams import RunParams, base_should_run
from .tfgraphs import InputSpec

Expected = Union[list, dict]
ExpectFn = Callable[[RunParams], Expected]

#: where the 2.17-era test files were read: the newest stored snapshot of TensorFlow's
#: TF-TRT test directory (its BUILD cites b/303453873, i.e. late 2023, TF 2.16); no copy
#: pinned to the v2.17.0 tag was available.  The newest stored tensorflow/tensorflow
#: base_test.py has the same cases, and every variant that can run on the oracle is
#: re-checked against TF 2.17 itself, so an expectation that 2.17 no longer meets shows.
SNAPSHOT = "theIArchitecture/tensorflow@a3f2a79dcbba18ce12fba14cf6452ac753604526"
TEST_DIR = "tensorflow/python/compiler/tensorrt/test/"


@dataclass(frozen=True)
class IntegrationCase:
    """One test class of ``tensorflow/python/compiler/tensorrt/test``."""

    file: str                                   # e.g. "base_test.py"
    test: str                                   # the TfTrtIntegrationTestBase subclass
    graph_fn: Callable                          # graph_fn(tf, *inputs) -> output(s)
    inputs: tuple[InputSpec, ...]
    expected: ExpectFn                          # ExpectedEnginesToBuild, as written
    tf_version: str = "2.16-2.17"               # the era the expectation comes from
    profile: str = "tf2"                        # the trtlint profile that must hold it
    should_run: Callable[[RunParams], tuple] = base_should_run
    minimum_segment_size: int = 2               # GetConversionParams (base: 2)
    disable_non_trt_optimizers: bool = False    # DisableNonTrtOptimizers() in setUp
    max_batch_size: Optional[int] = None        # a GetMaxBatchSize override (static engines)
    #: TF 2.17's own answer (the oracle's) where it differs from ``expected``, in the
    #: same form; ``None`` from the function means "as the test file says"
    tf217: Optional[Callable[[RunParams], Optional[Expected]]] = None
    tf217_note: str = ""                        # why the two differ
    extra_batches: tuple[int, ...] = ()         # batch sizes of extra input shapes

    @property
    def source(self) -> str:
        return TEST_DIR + self.file

    @property
    def id(self) -> str:
        return f"{self.file.removesuffix('_test.py').removesuffix('.py')}.{self.test}"

    def truth(self, run: RunParams) -> Expected:
        """What the target profile must predict: TF 2.17 where it differs, else the file."""
        if self.tf217 is not None:
            override = self.tf217(run)
            if override is not None:
                return override
        return self.expected(run)

    def disagrees(self, run: RunParams) -> bool:
        return self.tf217 is not None and self.tf217(run) is not None

    def input_batches(self) -> list[int]:
        return [s.dims[0] for s in self.inputs if s.dims] + list(self.extra_batches)


@dataclass(frozen=True)
class NotPorted:
    """A test (or variant) we could not express, and why."""

    file: str
    test: str
    reason: str
    tf_version: str = "2.16-2.17"
    variants: str = "all"
    notes: list = field(default_factory=list)
