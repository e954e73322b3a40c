"""Settings come from the environment with safe defaults."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def run_check(**env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "SECRET_KEY",
            "DEBUG",
            "DJANGO_SETTINGS_MODULE",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
            "SECURE_SSL_REDIRECT",
        }
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings.base", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_secret_key():
    result = run_check(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_pass_deploy_check():
    result = run_check(
        DEBUG="false",
        SECRET_KEY="x" * 60 + "-production-like-secret-key",
        ALLOWED_HOSTS="portal.example",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_russian_locale_and_timezone():
    assert settings.LANGUAGE_CODE == "ru"
    assert os.environ.get("TIME_ZONE", "Asia/Krasnoyarsk") == settings.TIME_ZONE
    assert settings.USE_THOUSAND_SEPARATOR


def test_celery_runs_eagerly_without_broker():
    assert settings.CELERY_TASK_ALWAYS_EAGER
