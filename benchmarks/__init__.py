"""Benchmarks: they measure, they do not test. Figures go to docs/benchmarks.md.

A package of its own because a benchmark drives several stages at once (the retrieval
benchmark chunks with ``ingest`` and searches with ``retrieval``), which no stage may do
to another: ``python -m benchmarks.ingest``, ``footnote bench retrieval``, ``footnote
bench parse`` (``benchmarks.parsing``).
"""
