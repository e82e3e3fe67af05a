"""Dependencies: pinned with hashes in lock files compiled from pyproject.toml, which make
(and so CI) and the Docker image install from."""

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def pins(name: str) -> dict[str, str]:
    """{package: version} of a lock file, every pin with at least one hash."""
    text = (ROOT / name).read_text()
    found = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        match = re.match(r"([A-Za-z0-9._-]+)==([^\s;]+)", block)
        if match:
            assert "--hash=sha256:" in block, block
            found[re.sub(r"[-_.]+", "-", match[1]).lower()] = match[2]
    return found


def requirement_names(requirements: list[str]) -> set[str]:
    names = set()
    for req in requirements:
        name = re.match(r"[A-Za-z0-9._-]+", req)[0]
        names.add(re.sub(r"[-_.]+", "-", name).lower())
    return names


def run_check(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "scripts/lock.py", "check"], cwd=root, capture_output=True, text=True
    )


def test_the_lock_files_are_up_to_date_with_pyproject():
    result = run_check(ROOT)
    assert result.returncode == 0, result.stderr


def test_every_dependency_is_pinned_with_hashes_and_dev_runs_what_production_runs():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime, dev = pins("requirements.lock"), pins("requirements-dev.lock")
    assert requirement_names(project["dependencies"]) <= set(runtime)
    assert requirement_names(project["optional-dependencies"]["dev"]) <= set(dev)
    assert {k: dev[k] for k in runtime} == runtime
    assert runtime["django"].startswith("5.2.")  # the LTS


def test_make_ci_and_the_image_install_from_the_lock_files():
    makefile = (ROOT / "Makefile").read_text()
    assert "install --require-hashes -r requirements-dev.lock" in makefile
    assert "scripts/lock.py check" in makefile and "\nlock:" in makefile
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --no-cache-dir --require-hashes -r requirements.lock" in dockerfile
    assert "make test" in (ROOT / ".ci/run").read_text()


def test_a_dependency_changed_without_make_lock_stops_the_install(tmp_path):
    for name in ("pyproject.toml", "requirements.lock", "requirements-dev.lock"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts/lock.py", tmp_path / "scripts/lock.py")
    assert run_check(tmp_path).returncode == 0
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace('"tzdata>=2024.1",', '"tzdata>=2024.1",\n    "knox-x>=5",')
    )
    result = run_check(tmp_path)
    assert result.returncode == 1
    assert "run `make lock`" in result.stderr
