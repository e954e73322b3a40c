"""What a region's IT person copies: .env.example names every setting and is a
working production configuration; the start script refuses what it does not know."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _example() -> dict[str, str]:
    pairs = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            pairs[name] = value
    return pairs


def test_every_variable_the_settings_read_is_in_env_example():
    read = set()
    for path in (ROOT / "config" / "settings").glob("*.py"):
        read |= set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z0-9_]+)"', path.read_text()))
    assert len(read) > 40
    assert read - set(_example()) == set()


def test_every_variable_of_the_gunicorn_config_and_start_script_is_documented():
    used = set()
    for name in ("gunicorn.conf.py", "start.sh"):
        text = (ROOT / "deploy" / name).read_text()
        used |= set(re.findall(r'environ\.get\("([A-Z_]+)"', text))
        used |= set(re.findall(r"\$\{([A-Z_]+):-", text))
    # The paths the systemd units set for each process are documented there.
    used -= {"PORTAL_APP_DIR", "PORTAL_WORK_DIR", "PORTAL_PYTHON", "PYTHONPATH"}
    used -= {"DJANGO_SETTINGS_MODULE", "WORKER_NAME"} - set(_example())
    assert used
    assert used - set(_example()) == set()


def test_env_example_filled_in_passes_the_deploy_check():
    env = {
        k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    } | _example()
    env.update(
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL="postgres://portal@127.0.0.1/portal",
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_start_script_names_its_commands_in_russian():
    done = subprocess.run(
        [str(ROOT / "deploy" / "start.sh"), "serve"],
        env={**os.environ, "PORTAL_WORK_DIR": str(ROOT / ".venv" / "work")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "Использование: deploy/start.sh web|worker|beat|migrate" in done.stderr
