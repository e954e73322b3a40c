"""
gunicorn settings of a web node (deploy/start.sh web); each value can be set in
the environment — see .env.example.
"""

import multiprocessing
import os

bind = os.environ.get("PORTAL_BIND", "127.0.0.1:8001")
# Sync workers: the portal's requests are short database work. Two per core
# plus one keeps a 2-core node busy without queueing behind one slow export.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
timeout = int(os.environ.get("WEB_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
# Recycled now and then so that a slow leak never takes a node down.
max_requests = 2000
max_requests_jitter = 200
# The proxy (nginx) whose X-Forwarded-* headers gunicorn trusts.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms request_id=%({x-request-id}i)s'
errorlog = "-"
# gunicorn's own advice: worker heartbeat files in memory, not on a slow disk.
SHM = "/dev/shm"  # noqa: S108
worker_tmp_dir = SHM if os.path.isdir(SHM) else None
