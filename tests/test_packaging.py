"""The wheel holds every package of kg: pyproject.toml lists them by hand (queries/ and ontologies/ are mapped into
kg), so a package added to the tree and not to the list would be missing from `pip install .` alone."""

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_every_package_is_in_the_wheel():
    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(REPO).parts) for p in (REPO / "kg").rglob("__init__.py")}
    assert found <= listed, sorted(found - listed)
    assert {"kg._queries", "kg._ontologies"} <= listed
