"""An installed tcmap carries every file it reads: data, models, templates, web assets."""

from __future__ import annotations

import tomllib

from conftest import REPO


def test_every_data_file_of_the_package_is_declared_as_package_data():
    config = tomllib.loads((REPO / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["tcmap"]
    declared = {p.removeprefix("**/*") for p in patterns}
    package = REPO / "src" / "tcmap"
    missing = sorted({p.relative_to(package).as_posix() for p in package.rglob("*")
                      if p.is_file() and p.suffix not in (".py", ".pyc")
                      and "__pycache__" not in p.parts and p.suffix not in declared})
    assert not missing, f"not in package-data of pyproject.toml: {missing[:10]}"
