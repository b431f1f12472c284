"""Which models the differential tests run on, and how each is opened.

Every fixture (fixtures/graphs/*.pb, fixtures/saved_models/*) and every corpus graph in
../shared/corpus/models that TensorFlow 2.17 can import.  Two corpus graphs cannot be
imported by stock TensorFlow (custom ops), so TF-TRT never sees them; they are listed in
:data:`NOT_IMPORTABLE` and a test checks that the oracle really refuses them -- should a
TensorFlow update import one, that test fails and the graph joins the comparison.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Optional
from shared_data import CORPUS_MODELS

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"
CORPUS = CORPUS_MODELS

#: corpus graphs TensorFlow 2.17 cannot import, with the reason
NOT_IMPORTABLE = {
    "023_deepmd_custom_ops_fp64.pb": "custom ops DescrptSeA/ProdForceSeA/ProdVirialSeA (DeePMD-kit)",
    "032_tftext_segmenter_hub_module": "tensorflow_text's TokenizerFromLogits; TF1 Hub module "
                                       "with the empty tag set",
}

#: SavedModels without a serving_default signature: the signature to convert instead
SIGNATURES = {
    # TF Serving's counter: four signatures, none the default; the only one with an input
    "005_tfserving_counter_stateful": "incr_counter_by",
}

#: models the reduced-precision configs (FP16, INT8) run on: convolutions, matmuls,
#: quantized and fake-quantized graphs, an RNN, a graph net, a SavedModel
PRECISION_SUBSET = (
    "009_cms_deepsc_graphnet.pb", "011_opencv_face_detector_uint8.pb",
    "012_edgetpu_qat_fakequant_mlp.pb", "024_crnn_ctc_captcha.pb",
    "028_mobilenet_v1_025_128_frozen.pb", "conv_bn_fused.pb", "fakequant.pb",
    "gtt_quantized_conv.pb", "seg_int64_bool_crossing.pb", "keras_conv_classifier",
)


@dataclass(frozen=True)
class ModelCase:
    """A model the tests compare on: where it is and how to open it."""

    path: Path
    kind: str                           # "corpus" or "fixture"
    signature: Optional[str] = None

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def is_saved_model(self) -> bool:
        return self.path.is_dir()

    def sidecar_outputs(self) -> Optional[list[str]]:
        """A fixture graph's intended fetch nodes (its sidecar's ``outputs``), which the
        oracle also reads; None for the others (the oracle then uses the sinks)."""
        sidecar = self.path.with_suffix(".json")
        if self.is_saved_model or not sidecar.is_file():
            return None
        outputs = json.loads(sidecar.read_text()).get("outputs")
        return list(outputs) if isinstance(outputs, list) else None


def _is_model(path: Path) -> bool:
    return path.suffix in (".pb", ".pbtxt") or (path.is_dir() and (path / "saved_model.pb").exists())


def corpus_models(include_unimportable: bool = False) -> list[ModelCase]:
    if not CORPUS.is_dir():
        return []
    return [ModelCase(p, "corpus", SIGNATURES.get(p.name)) for p in sorted(CORPUS.iterdir())
            if _is_model(p) and (include_unimportable or p.name not in NOT_IMPORTABLE)]


def fixture_models() -> list[ModelCase]:
    graphs = sorted((FIXTURES / "graphs").glob("*.pb"))
    saved = sorted(p for p in (FIXTURES / "saved_models").iterdir() if _is_model(p))
    return [ModelCase(p, "fixture") for p in graphs + saved]


def all_models() -> list[ModelCase]:
    return corpus_models() + fixture_models()
