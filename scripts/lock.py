"""The lock files: every package pinned, with hashes, compiled from pyproject.toml.

    python scripts/lock.py compile   # `make lock`: re-resolve both files (uv pip compile)
    python scripts/lock.py check     # `make install` runs it: are they up to date?

requirements.lock holds what the app runs on (the Docker image installs it);
requirements-dev.lock adds the dev extras (`make test`, CI). Each starts with a digest of
pyproject.toml's dependency lists, so a dependency added or changed in pyproject.toml
without `make lock` stops `make install` with a sentence instead of a confusing
ImportError later. Standard library only: `check` runs before the virtualenv exists.
"""

import hashlib
import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
LOCKS = {"requirements.lock": [], "requirements-dev.lock": ["--extra", "dev"]}
DIGEST_PREFIX = "# pyproject.toml dependencies sha256: "


def digest() -> str:
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    inputs = {
        "requires-python": project.get("requires-python"),
        "dependencies": project.get("dependencies", []),
        "optional-dependencies": project.get("optional-dependencies", {}),
    }
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def check() -> int:
    expected = DIGEST_PREFIX + digest()
    stale = []
    for name in LOCKS:
        path = ROOT / name
        first = path.read_text().split("\n", 1)[0] if path.exists() else ""
        if first != expected:
            stale.append(name)
    if stale:
        print(
            f"{' and '.join(stale)} no longer match the dependencies in pyproject.toml: "
            "run `make lock` (it re-resolves them from PyPI) and commit the result.",
            file=sys.stderr,
        )
        return 1
    return 0


def compile_locks() -> int:
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if uv is None:
        print("uv is not installed: `make lock` installs it into .venv.", file=sys.stderr)
        return 1
    header = DIGEST_PREFIX + digest() + "\n"
    for name, extra in LOCKS.items():
        path = ROOT / name
        command = [
            uv,
            "pip",
            "compile",
            "pyproject.toml",
            *extra,
            "--universal",
            "--python-version",
            "3.11",
            "--generate-hashes",
            "--custom-compile-command",
            "make lock",
            "--quiet",
            "--output-file",
            name,
        ]
        if extra:
            # The dev lock holds the runtime lock's versions: tests run what production runs.
            command += ["--constraints", "requirements.lock"]
        # Pins already in the file are kept unless pyproject.toml asks otherwise; delete
        # the lock files first (or add --upgrade) to move everything to the newest.
        subprocess.run(command, cwd=ROOT, check=True)  # noqa: S603
        path.write_text(header + path.read_text())
        print(f"wrote {name}")
    return 0


if __name__ == "__main__":
    action = sys.argv[1] if len(sys.argv) > 1 else "check"
    sys.exit({"check": check, "compile": compile_locks}[action]())
