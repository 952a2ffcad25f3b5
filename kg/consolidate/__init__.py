"""Consolidation: the stage between mapping and the store's answers that makes the sources one graph (one node
per real thing, PubMed's update files, the figures kept at load time)."""
