"""The benchmark: a synthetic corpus, measurements side by side, and the report."""
