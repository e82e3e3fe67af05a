"""The catalogues are complete: scripts/check_translations.py (run by `make lint` and
.ci/run) passes on ours and names every untranslated or fuzzy entry it is shown."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "check_translations.py"


def run_check(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [sys.executable, str(SCRIPT), *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_every_entry_of_the_project_catalogues_is_translated_and_none_is_fuzzy():
    result = run_check()
    assert result.returncode == 0, result.stdout + result.stderr


def test_lint_and_ci_run_the_check():
    assert "scripts/check_translations.py" in (ROOT / "Makefile").read_text()
    assert "scripts/check_translations.py" in (ROOT / ".ci/run").read_text()


def test_the_check_fails_naming_untranslated_and_fuzzy_entries(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\n'
        'msgstr ""\n'
        '"Content-Type: text/plain; charset=UTF-8\\n"\n'
        "\n"
        "#: booking/models.py:1\n"
        'msgid "Booked"\n'
        'msgstr "Reservada"\n'
        "\n"
        "#: booking/models.py:2\n"
        'msgid ""\n'
        '"Marked "\n'
        '"no-show"\n'
        'msgstr ""\n'
        "\n"
        "#: booking/models.py:3\n"
        "#, fuzzy, python-format\n"
        '#| msgid "Nearest times"\n'
        'msgid "Times that do work"\n'
        'msgstr "Las horas más cercanas"\n'
        "\n"
        'msgid "one session"\n'
        'msgid_plural "%(n)s sessions"\n'
        'msgstr[0] "una sesión"\n'
        'msgstr[1] ""\n'
        "\n"
        '#~ msgid "Gone"\n'
        '#~ msgstr ""\n',
        encoding="utf-8",
    )
    result = run_check(po)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 3, result.stdout
    assert "untranslated: 'Marked no-show'" in lines[0]
    assert "fuzzy: 'Times that do work'" in lines[1]
    assert "untranslated: 'one session'" in lines[2]
    assert "Gone" not in result.stdout
    assert "Booked" not in result.stdout
