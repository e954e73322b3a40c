"""Local development and the `make run` demo: DEBUG on, SQLite, eager Celery."""

import os

os.environ.setdefault("DEBUG", "true")

from .base import *  # noqa: F403
