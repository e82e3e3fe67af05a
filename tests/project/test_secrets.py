"""No secret has a default outside development: docker compose refuses to start without
SECRET_KEY, and the web container runs the deploy check before it serves."""

import os
import re
import subprocess
import sys

import yaml

from tests.support.processes import ROOT

STRONG_KEY = "s3cret-" + "a1B2c3D4e5" * 6
# The key docker-compose.yml used to fall back to: public, so reminder links could be forged.
OLD_PUBLIC_DEFAULT = "change-me-in-production-please-0123456789abcdef"


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def app_services(data: dict) -> dict:
    return {n: s for n, s in data["services"].items() if n in ("web", "worker", "beat")}


def web_script() -> str:
    command = compose()["services"]["web"]["command"]
    assert command.startswith("sh scripts/"), command
    return (ROOT / command.split()[1]).read_text()


def deploy_check(env: dict) -> subprocess.CompletedProcess:
    """manage.py check --deploy as the web container runs it: only the environment given
    (and what a shell has), nothing of the test run's."""
    base = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def compose_web_env(secret_key: str) -> dict:
    env = {k: str(v) for k, v in compose()["services"]["web"]["environment"].items()}
    return {**env, "SECRET_KEY": secret_key}


def test_compose_has_no_secret_key_default_and_refuses_to_start_without_one():
    text = (ROOT / "docker-compose.yml").read_text()
    assert OLD_PUBLIC_DEFAULT not in text
    for name, service in app_services(compose()).items():
        value = service["environment"]["SECRET_KEY"]
        # ${VAR:?message}: compose stops with the message when it is unset or empty.
        assert re.fullmatch(r"\$\{SECRET_KEY:\?Set SECRET_KEY [^}]+\}", value), (name, value)


def test_the_web_container_runs_the_deploy_check_before_it_serves():
    script = web_script()
    assert "set -e" in script
    check = script.index("manage.py check --deploy --fail-level WARNING")
    assert check < script.index("manage.py migrate") < script.index("gunicorn")
    dockerfile = (ROOT / "Dockerfile").read_text()
    # The image's own default command is the same, and the image is production by default.
    assert 'CMD ["sh", "scripts/serve-web.sh"]' in dockerfile
    assert "ENV DJANGO_DEBUG=0" in dockerfile
    assert not re.search(r"^ENV .*SECRET_KEY", dockerfile, re.M)


def test_the_deploy_check_passes_with_the_compose_environment():
    result = deploy_check(compose_web_env(STRONG_KEY))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deploy_check_stops_the_container_on_a_weak_or_missing_key():
    weak = deploy_check(compose_web_env(OLD_PUBLIC_DEFAULT))
    assert weak.returncode != 0 and "security.W009" in weak.stderr
    # The image alone (DJANGO_DEBUG=0 from the Dockerfile) with no key does not start.
    # (SECRET_KEY set empty, so that a developer's .env, which the settings read, cannot fill it.)
    missing = deploy_check({"DJANGO_DEBUG": "0", "SECRET_KEY": ""})
    assert missing.returncode != 0 and "SECRET_KEY must be set" in missing.stderr
    # Only in development (DEBUG on) is there a key of last resort.
    dev = deploy_check({"DJANGO_DEBUG": "1", "SECRET_KEY": ""})
    assert "security.W009" in dev.stderr or "security.W018" in dev.stderr


def test_local_secrets_stay_out_of_the_image():
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ".env" in ignored
    example = (ROOT / ".env.example").read_text()
    assert re.search(r"^SECRET_KEY=$", example, re.M)
