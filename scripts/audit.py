#!/usr/bin/env python3
"""Dependency audit: pip-audit over the installed packages, honest about what it checked.

    .venv/bin/python scripts/audit.py            # CI: audit; say clearly if it could not
    AUDIT_REQUIRED=1 .venv/bin/python scripts/audit.py   # fail when it could not run

pip-audit needs its vulnerability service (PyPI's JSON API or OSV). Without network it
reports every package as "not found on PyPI" and exits 0, which reads like a pass; this
script tells the difference and prints "dependency audit not performed: <reason>" then.

Exit codes: 0 audited and clean (or not performed and not required), 1 vulnerabilities
found (or not performed while AUDIT_REQUIRED=1), 2 pip-audit missing or broken.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess  # noqa: S404 (runs pip-audit, a fixed argument list, no shell)
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Vulnerability ids we accept, each with the reason (reviewed when the audit runs).
IGNORED: dict[str, str] = {}

TIMEOUT_SECONDS = int(os.environ.get("AUDIT_TIMEOUT", "300"))


def _pip_audit() -> str | None:
    local = ROOT / ".venv" / "bin" / "pip-audit"
    return str(local) if local.exists() else shutil.which("pip-audit")


def not_performed(reason: str) -> int:
    print(f"dependency audit not performed: {reason}")
    if os.environ.get("AUDIT_REQUIRED", "") in ("1", "true", "yes"):
        print("AUDIT_REQUIRED is set: failing.")
        return 1
    return 0


def main() -> int:
    tool = _pip_audit()
    if not tool:
        print("pip-audit is not installed (it is in the dev extras: pip install -e '.[dev]').")
        return 2
    command = [
        tool,
        "--local",
        "--skip-editable",
        "--progress-spinner",
        "off",
        "--format",
        "json",
        *[arg for vuln in IGNORED for arg in ("--ignore-vuln", vuln)],
    ]
    try:
        result = subprocess.run(  # noqa: S603 (fixed arguments, no shell)
            command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, cwd=ROOT
        )
    except subprocess.TimeoutExpired:
        return not_performed(f"pip-audit took longer than {TIMEOUT_SECONDS} s")

    try:
        report = json.loads(result.stdout or "null")
    except json.JSONDecodeError:
        report = None
    if not isinstance(report, dict):
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        return not_performed(f"pip-audit failed ({last[:200]})")

    dependencies = report.get("dependencies", [])
    skipped = [d for d in dependencies if "skip_reason" in d]
    audited = [d for d in dependencies if "skip_reason" not in d]
    if dependencies and not audited:
        reason = skipped[0]["skip_reason"]
        if "not found on PyPI" in reason:
            reason = "the vulnerability service could not be reached (every package came back 'not found on PyPI')"
        return not_performed(reason)

    vulnerable = [(d, v) for d in audited for v in d.get("vulns", [])]
    print(
        f"dependency audit: {len(audited)} packages audited, {len(skipped)} skipped, "
        f"{len(vulnerable)} known vulnerabilities"
    )
    for dep in skipped:
        print(f"  skipped {dep['name']}: {dep['skip_reason']}")
    for dep, vuln in vulnerable:
        fixes = ", ".join(vuln.get("fix_versions", [])) or "no fix yet"
        print(f"  {dep['name']} {dep.get('version', '?')}: {vuln['id']} (fixed in {fixes})")
    for vuln_id, why in IGNORED.items():
        print(f"  accepted {vuln_id}: {why}")
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
