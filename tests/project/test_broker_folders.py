"""`make run`'s filesystem broker keeps every folder under var/ (git-ignored), none in the tree."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PRINT_OPTIONS = (
    "import django, json; django.setup(); from django.conf import settings; "
    "print(json.dumps({'url': settings.CELERY_BROKER_URL, "
    "'options': settings.CELERY_BROKER_TRANSPORT_OPTIONS}))"
)


def test_without_redis_every_filesystem_broker_folder_is_under_var(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    # Empty, not absent: the settings read a .env beside them, which never overrides.
    env.update(
        REDIS_URL="",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DJANGO_SETTINGS_MODULE="clinic.settings",
    )
    result = subprocess.run(
        [sys.executable, "-c", PRINT_OPTIONS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    conf = json.loads(result.stdout.strip().splitlines()[-1])
    assert conf["url"] == "filesystem://"
    options = conf["options"]
    folders = {key: value for key, value in options.items() if key.endswith("_folder")}
    folders.update({key: value for key, value in options.items() if "folder_" in key})
    # kombu's own default for the exchange table is ./control, inside the repository.
    assert "control_folder" in folders
    var = (ROOT / "var").resolve()
    for key, folder in folders.items():
        assert Path(folder).resolve().is_relative_to(var), (key, folder)


def test_no_broker_folder_is_committed():
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    tracked = subprocess.run(
        ["git", "ls-files", "control", "var"], cwd=ROOT, capture_output=True, text=True
    )
    assert tracked.returncode == 0, tracked.stderr
    assert tracked.stdout == ""
