"""The rule catalog: one module per rule (see trtlint.findings.base.Rule)."""
