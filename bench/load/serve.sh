#!/usr/bin/env bash
# One gunicorn node over the load database, for a single-machine trial.
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_load \
#   bench/load/serve.sh [127.0.0.1:8080]
#
# Production settings (config.settings.base) over plain HTTP on a loopback
# address, Redis for cache and broker; static files collected first (into
# STATIC_ROOT). WORKERS gunicorn processes (default 4); stops by itself after
# SERVE_FOR (default 2h). The nginx + two-node stack of deploy/ replaces this.
set -euo pipefail

BIND=${1:-127.0.0.1:8080}
case ${BIND%:*} in
  127.*|localhost|\[::1\]) ;;
  *) echo "serve.sh: bind to a loopback address, not $BIND" >&2; exit 2 ;;
esac
[[ -n ${DATABASE_URL:-} ]] || { echo "serve.sh: set DATABASE_URL" >&2; exit 2; }

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
export DJANGO_SETTINGS_MODULE=config.settings.base
export DEBUG=false SECRET_KEY=${SECRET_KEY:-load-test-only}
export ALLOWED_HOSTS=${ALLOWED_HOSTS:-127.0.0.1,localhost}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
export SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false

.venv/bin/python manage.py collectstatic --noinput -v0
exec timeout "${SERVE_FOR:-2h}" .venv/bin/gunicorn config.wsgi \
  -w "${WORKERS:-4}" -b "$BIND" --access-logfile /dev/null
