"""Local development and the `make run` demo: DEBUG on, SQLite, eager Celery."""

import os

os.environ.setdefault("DEBUG", "true")

from .base import *  # noqa: F403
from .base import MIDDLEWARE, env

# A missing page or an error shows the portal's Russian 404 and 500 pages, as
# in production, not Django's English technical pages; the traceback of an
# error is still printed to the console. TECHNICAL_ERROR_PAGES=true (e.g.
# `make run TECHNICAL_ERROR_PAGES=true`) brings Django's pages back.
if not env.bool("TECHNICAL_ERROR_PAGES", default=False):
    _axes = MIDDLEWARE.index("axes.middleware.AxesMiddleware")  # stays the last
    MIDDLEWARE = [
        *MIDDLEWARE[:_axes],
        "schools.middleware.DebugErrorPagesMiddleware",
        *MIDDLEWARE[_axes:],
    ]
