#!/usr/bin/env bash
# Every process of a portal node starts here: the systemd units and the
# two-node stack (deploy/two_nodes.py) call it the same way.
#   deploy/start.sh web      collect static files, apply migrations, start gunicorn
#   deploy/start.sh worker   a Celery worker (imports, identification runs)
#   deploy/start.sh beat     the Celery scheduler (one per portal)
#   deploy/start.sh migrate  apply migrations only
# The working folder is PORTAL_WORK_DIR (default /var/lib/portal): nothing in it
# is shared between nodes; uploaded files live in FILE_STORAGE, not on disk.
set -euo pipefail
APP_DIR="${PORTAL_APP_DIR:-$(cd "$(dirname "$0")/.." && pwd)}"
PY="${PORTAL_PYTHON:-$APP_DIR/.venv/bin/python}"
WORK_DIR="${PORTAL_WORK_DIR:-/var/lib/portal}"
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-config.settings.base}"
export PYTHONPATH="$APP_DIR${PYTHONPATH:+:$PYTHONPATH}"
mkdir -p "$WORK_DIR"
cd "$WORK_DIR"

case "${1:-}" in
  migrate)
    exec "$PY" "$APP_DIR/manage.py" migrate_locked --verbosity 1
    ;;
  web)
    "$PY" "$APP_DIR/manage.py" collectstatic --noinput --verbosity 0
    "$PY" "$APP_DIR/manage.py" migrate_locked --verbosity 0
    exec "$PY" -m gunicorn config.wsgi --config "$APP_DIR/deploy/gunicorn.conf.py"
    ;;
  worker)
    exec "$PY" -m celery -A config worker --loglevel INFO \
      --concurrency "${WORKER_CONCURRENCY:-2}" --hostname "${WORKER_NAME:-worker}@%h"
    ;;
  beat)
    exec "$PY" -m celery -A config beat --loglevel INFO \
      --schedule "$WORK_DIR/celerybeat-schedule"
    ;;
  *)
    echo "Использование: deploy/start.sh web|worker|beat|migrate" >&2
    exit 2
    ;;
esac
