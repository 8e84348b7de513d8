"""treatylab and OpenAI's Agents SDK (`agents`) install side by side, in either order.

Each case makes a fresh venv, installs the two wheels with `--no-deps` (the SDK's wheel is
repacked from this venv's openai-agents, a test extra, so nothing is downloaded) and sees the
shared dependencies through a .pth folder of links to this venv's site-packages, without
either of the two distributions. Then it checks both work, and that uninstalling one leaves
the other working.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.packaging.wheel_build import build_wheel, repack_installed

OURS = ("treatylab", "agents", "openai_agents", "__editable__", "_treatylab_editable")
CHECK = ("import agents, treatylab, treatylab.agents; from agents import Agent, Runner; "
         "print(agents.__file__); print(treatylab.agents.__file__)")


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    work = tmp_path_factory.mktemp("wheels")
    return {"treatylab": build_wheel(work), "openai-agents": repack_installed("openai-agents", work)}


@pytest.fixture(scope="module")
def shared_deps(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Links to every entry of this venv's site-packages except the two distributions."""
    site = Path(sysconfig.get_paths()["purelib"])
    deps = tmp_path_factory.mktemp("deps")
    for entry in site.iterdir():
        lowered = entry.name.lower()
        if lowered.endswith(".pth") or any(lowered.startswith(p) for p in OURS):
            continue
        (deps / entry.name).symlink_to(entry)
    return deps


class Venv:
    def __init__(self, root: Path, deps: Path) -> None:
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True)
        self.root = root
        self.python = root / "bin" / "python"
        site = subprocess.run([str(self.python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                              check=True, capture_output=True, text=True).stdout.strip()
        Path(site, "shared_deps.pth").write_text(f"{deps}\n", encoding="utf-8")

    def pip(self, *args: str) -> None:
        subprocess.run([sys.executable, "-m", "pip", "--python", str(self.python), *args, "-q",
                        "--no-deps", "--no-index", "--no-compile"] if args[0] == "install" else
                       [sys.executable, "-m", "pip", "--python", str(self.python), *args, "-q", "-y"],
                       check=True, capture_output=True)

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        return subprocess.run(args, capture_output=True, text=True, cwd=self.root, env=env)

    def site(self) -> Path:
        return next(self.root.glob("lib/python3*/site-packages"))


@pytest.mark.parametrize("order", [("treatylab", "openai-agents"), ("openai-agents", "treatylab")])
def test_both_install_and_uninstall_cleanly(order: tuple[str, str], wheels: dict[str, Path],
                                            shared_deps: Path, tmp_path: Path) -> None:
    venv = Venv(tmp_path / "venv", shared_deps)
    for name in order:
        venv.pip("install", str(wheels[name]))
    both = venv.run(str(venv.python), "-c", CHECK)
    assert both.returncode == 0, both.stderr
    sdk_file, ours_file = both.stdout.split()
    assert sdk_file == str(venv.site() / "agents" / "__init__.py")
    assert ours_file == str(venv.site() / "treatylab" / "agents" / "__init__.py")
    help_ = venv.run(str(venv.root / "bin" / "treatylab"), "--help")
    assert help_.returncode == 0 and "scenario" in help_.stdout, help_.stderr

    # uninstalling the one installed last leaves the first working, and vice versa
    first, last = order
    venv.pip("uninstall", last)
    remaining = "treatylab" if first == "treatylab" else "agents"
    gone = "agents" if remaining == "treatylab" else "treatylab"
    alive = venv.run(str(venv.python), "-c",
                     f"import {remaining}; import importlib.util as u; print(u.find_spec('{gone}') is None)")
    assert alive.returncode == 0 and alive.stdout.strip() == "True", alive.stderr
    if remaining == "treatylab":
        assert venv.run(str(venv.root / "bin" / "treatylab"), "--help").returncode == 0
    else:
        sdk = venv.run(str(venv.python), "-c", "from agents import Agent; print(Agent.__module__)")
        assert sdk.returncode == 0 and sdk.stdout.strip() == "agents.agent", sdk.stderr
