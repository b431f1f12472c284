"""trtlint: predict what TensorFlow-TensorRT will do to a TensorFlow model.

Importing trtlint never imports TensorFlow.
"""

__version__ = "0.1.0"
