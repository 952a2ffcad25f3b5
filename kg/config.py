"""Where kg finds its own files: the canned queries and the ontologies, in a checkout or an installed wheel."""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent


def data_dir(name: str) -> Traversable:
    """``queries`` or ``ontologies``: the checkout's folder when running from source, else the installed copy."""
    folder = _CHECKOUT / name
    if folder.is_dir() and (_CHECKOUT / "pyproject.toml").is_file():
        return folder
    return resources.files(f"kg._{name}")
