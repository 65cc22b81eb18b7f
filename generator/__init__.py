"""Synthetic releases in the archives' own formats, with a ground truth of what was planted: for demos, tests
and benchmarks. Its vocabularies and templates are data files under `generator/data/`."""
