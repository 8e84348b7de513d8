"""One import package: the owner's folders install as `treatylab.*`, never as bare names."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BARE = {"agents", "graphs", "evals", "scenarios", "prompts"}
SKIP = {".git", ".venv", "build", "dist", "__pycache__", "fixtures"}


def _python_files() -> list[Path]:
    return [p for p in ROOT.rglob("*.py") if not SKIP & set(p.relative_to(ROOT).parts)]


def _bare_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [f"{path.relative_to(ROOT)}:{node.lineno}: {n}" for n in names
                  if n.split(".")[0] in BARE]
    return found


def test_no_module_imports_a_bare_package_name() -> None:
    files = _python_files()
    assert len(files) > 100
    offenders = [hit for path in files for hit in _bare_imports(path)]
    assert offenders == []


def test_the_package_list_covers_every_folder() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    mapping: dict[str, str] = config["package-dir"]
    expected = set()
    for name, folder in mapping.items():
        base = ROOT / folder
        for init in base.rglob("__init__.py"):
            rel = init.parent.relative_to(base).parts
            expected.add(".".join((name, *rel)) if rel else name)
    # subpackages of a mapped package that is itself mapped elsewhere are listed once
    assert set(config["packages"]) == expected
    assert all(name == "treatylab" or name.startswith("treatylab.") for name in config["packages"])


def test_the_subpackages_import_from_the_one_package() -> None:
    import treatylab.agents.backends
    import treatylab.evals
    import treatylab.prompts
    import treatylab.scenarios

    assert Path(treatylab.agents.backends.__file__).parent == ROOT / "agents" / "backends"
    assert treatylab.scenarios.library_ids()
    assert treatylab.prompts.TEMPLATE_DIR == ROOT / "prompts"
