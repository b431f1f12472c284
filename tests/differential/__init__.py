"""Differential tests: trtlint's tf2 prediction against TF-TRT 2.17 itself (the CPU oracle).

- configs.py      the conversion settings compared (implicit/dynamic x grappler/none, FP16, INT8)
- models.py       which corpus graphs and fixtures, and how each is opened
- oracle_client.py one long-lived ``oracle.py batch`` process, sharing tests/oracle.py's cache
- compare.py      the harness: trtlint vs the oracle as a structured diff
- known.py, known_differences.toml   the differences still there, diagnosed (strict xfails)
- test_corpus.py  every model x config
- graphgen.py, test_generated.py     random graphs (hypothesis) through both sides
- report.py       the agreement table (``python -m tests.differential.report``)
"""
