"""Interfaces over the Python API: the command line (and, later, the HTTP endpoint)."""
