"""
The portal as a region runs it, on this machine: nginx with TLS on a loopback
port in front of two gunicorn nodes — each with its own working folder and no
shared local media folder — two Celery workers and one beat, over the running
PostgreSQL and a Redis of its own (so that it can be stopped and started).

    python deploy/two_nodes.py                 # start on https://127.0.0.1:8443/, Ctrl-C stops
    python deploy/two_nodes.py --database portal_load --keep-database

Every process is started by deploy/start.sh, as systemd starts it, with the
production settings (config.settings.base, DEBUG off, TLS behind the proxy).
The stack tests (tests/stack, `make stack-test`) drive it through `Stack`.
Besides the balanced port, nginx answers for node 1 alone on port+1 and for
node 2 alone on port+2, so that a test can say which node serves a request.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = os.environ.get("PORTAL_PYTHON", str(ROOT / ".venv" / "bin" / "python"))
PG = os.environ.get("STACK_POSTGRES", "postgres://postgres@127.0.0.1:5432")


def _nginx_conf(root: Path, port: int, nodes: list[int]) -> str:
    locations = (ROOT / "deploy" / "nginx" / "portal-locations.conf").read_text()
    locations = locations.replace("/srv/portal/staticfiles/", f"{root}/node1/static/")
    locations = locations.replace("/srv/portal/media/", f"{root}/protected/")
    (root / "portal-locations.conf").write_text(locations)
    upstreams = "\n".join(
        f"    upstream portal_node{i} {{ server 127.0.0.1:{p}; keepalive 8; }}"
        for i, p in enumerate(nodes, 1)
    )
    balanced = "\n".join(
        f"        server 127.0.0.1:{p} max_fails=2 fail_timeout=5s;" for p in nodes
    )

    def server(listen: int, upstream: str) -> str:
        return f"""
    server {{
        listen 127.0.0.1:{listen} ssl;
        ssl_certificate {root}/tls.crt;
        ssl_certificate_key {root}/tls.key;
        include {root}/portal-locations-{upstream}.conf;
    }}"""

    for name in ["portal_web", *(f"portal_node{i}" for i in range(1, len(nodes) + 1))]:
        (root / f"portal-locations-{name}.conf").write_text(
            locations.replace("http://portal_web", f"http://{name}")
        )
    servers = server(port, "portal_web") + "".join(
        server(port + i, f"portal_node{i}") for i in range(1, len(nodes) + 1)
    )
    return f"""
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/logs/nginx.error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    access_log {root}/logs/nginx.access.log;
    client_body_temp_path {root}/nginx/body;
    proxy_temp_path {root}/nginx/proxy;
    fastcgi_temp_path {root}/nginx/fastcgi;
    uwsgi_temp_path {root}/nginx/uwsgi;
    scgi_temp_path {root}/nginx/scgi;
    upstream portal_web {{
{balanced}
        keepalive 16;
    }}
{upstreams}
{servers}
}}
"""


@dataclass
class Stack:
    """The processes of a two-node portal and the means to break them."""

    root: Path
    database: str = "portal_stack"
    port: int = 8443
    redis_port: int = 6390
    node_ports: list[int] = field(default_factory=lambda: [8101, 8102])
    reset_database: bool = True
    demo: bool = True
    fast_janitor: bool = True
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    # Addresses --------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def node_url(self, node: int) -> str:
        return f"https://127.0.0.1:{self.port + node}"

    @property
    def certificate(self) -> Path:
        """The stack's self-signed certificate, for clients to trust."""
        return self.root / "tls.crt"

    @property
    def database_url(self) -> str:
        return f"{PG}/{self.database}"

    def env(self, name: str, **extra: str) -> dict[str, str]:
        origins = ",".join(
            f"https://127.0.0.1:{self.port + i}"
            for i in range(len(self.node_ports) + 1)
        )
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "CELERY_")) and key != "DATABASE_URL"
        }
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.base",
            DEBUG="false",
            SECRET_KEY=self._secret,
            ALLOWED_HOSTS="127.0.0.1,localhost",
            CSRF_TRUSTED_ORIGINS=origins,
            PORTAL_URL=self.url,
            DATABASE_URL=self.database_url,
            REDIS_URL=f"redis://127.0.0.1:{self.redis_port}/0",
            FILE_STORAGE="database",
            SECURE_PROXY_SSL_HEADER_ENABLED="true",
            TRUSTED_PROXY_COUNT="1",
            SECURE_HSTS_SECONDS="0",
            LOG_FORMAT="json",
            PORTAL_APP_DIR=str(ROOT),
            PORTAL_PYTHON=PYTHON,
            PORTAL_WORK_DIR=str(self.root / name),
            STATIC_ROOT=str(self.root / name / "static"),
            MEDIA_ROOT=str(self.root / name / "media"),
            WEB_CONCURRENCY=os.environ.get("STACK_WEB_CONCURRENCY", "3"),
            WORKER_CONCURRENCY="1",
            AXES_FAILURE_LIMIT="1000",
        )
        if self.fast_janitor:
            env.update(JOB_STALE_SECONDS="6", JOB_JANITOR_SECONDS="2")
        env.update(extra)
        return env

    def __post_init__(self) -> None:
        self._secret = secrets.token_urlsafe(50)
        self._worker_log_start: dict[int, int] = {}
        # nginx's workers run as another user: they must reach the static files.
        self.root.chmod(0o755)

    # Life -------------------------------------------------------------------

    def start(self) -> None:
        if shutil.which("nginx") is None:
            raise SystemExit("Нужен nginx: sudo apt-get install -y nginx")
        for folder in ("logs", "nginx", "protected"):
            (self.root / folder).mkdir(parents=True, exist_ok=True)
        self._certificate()
        self.redis_start()
        self._database()
        self._run("migrate", [str(ROOT / "deploy" / "start.sh"), "migrate"])
        if self.demo:
            self._manage("load_demo")
        for i, port in enumerate(self.node_ports, 1):
            self._spawn(
                f"node{i}",
                [str(ROOT / "deploy" / "start.sh"), "web"],
                PORTAL_BIND=f"127.0.0.1:{port}",
            )
        for i in (1, 2):
            self.worker_start(i)
        self._spawn("beat", [str(ROOT / "deploy" / "start.sh"), "beat"])
        conf = self.root / "nginx.conf"
        conf.write_text(_nginx_conf(self.root, self.port, self.node_ports))
        subprocess.run(["nginx", "-t", "-q", "-c", str(conf)], check=True)
        self._spawn("nginx", ["nginx", "-c", str(conf), "-g", "daemon off;"])
        for node in range(1, len(self.node_ports) + 1):
            self.wait_until(
                lambda n=node: self.health(n) in (200,), 120, f"узел {node}"
            )
        self.wait_until(lambda: self.health() == 200, 30, "nginx")
        for i in (1, 2):
            self.wait_worker(i)

    def stop(self) -> None:
        """Stop everything, the front first, Redis last; a second Ctrl-C waits."""
        previous = {
            sig: signal.signal(sig, signal.SIG_IGN)
            for sig in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            for name in reversed(list(self.processes)):
                self.kill(name, signal.SIGTERM)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _certificate(self) -> None:
        if (self.root / "tls.crt").exists():
            return
        subprocess.run(
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-days", "2", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1",
                "-keyout", str(self.root / "tls.key"),
                "-out", str(self.root / "tls.crt"),
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip

    def _database(self) -> None:
        if not self.reset_database:
            return
        psql = ["psql", f"{PG}/postgres", "-q", "-v", "ON_ERROR_STOP=1", "-c"]
        subprocess.run(
            [*psql, f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)'],
            check=True,
        )
        subprocess.run([*psql, f'CREATE DATABASE "{self.database}"'], check=True)

    def _run(self, name: str, command: list[str], **extra: str) -> None:
        log = self.root / "logs" / f"{name}.log"
        with log.open("ab") as out:
            done = subprocess.run(
                command, env=self.env(name, **extra), stdout=out, stderr=out
            )
        if done.returncode:
            raise SystemExit(f"{name}: код {done.returncode}, журнал {log}")

    def _manage(self, *args: str) -> None:
        self._run("manage", [PYTHON, str(ROOT / "manage.py"), *args])

    def _spawn(self, name: str, command: list[str], **extra: str) -> None:
        # The child keeps its own descriptor of the log; ours is closed at once.
        with (self.root / "logs" / f"{name}.log").open("ab") as log:
            self.processes[name] = subprocess.Popen(
                command,
                env=self.env(name, **extra),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own group: a kill takes its children
            )

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Stop a process with its children (SIGKILL: as a machine that dies)."""
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def worker_start(self, i: int) -> None:
        log = self.root / "logs" / f"worker{i}.log"
        self._worker_log_start[i] = log.stat().st_size if log.exists() else 0
        self._spawn(
            f"worker{i}",
            [str(ROOT / "deploy" / "start.sh"), "worker"],
            WORKER_NAME=f"w{i}",
        )

    def wait_worker(self, i: int) -> None:
        """Wait for the worker started last as number i to take tasks."""
        log = self.root / "logs" / f"worker{i}.log"
        start = self._worker_log_start.get(i, 0)
        self.wait_until(
            lambda: b"ready." in log.read_bytes()[start:], 90, f"обработчик {i}"
        )

    # Redis and PostgreSQL -------------------------------------------------------

    def redis_start(self) -> None:
        self._spawn(
            "redis",
            [
                "redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", str(self.root),
            ],
        )  # fmt: skip
        self.wait_until(self.redis_up, 20, "Redis")

    def redis_stop(self) -> None:
        self.kill("redis", signal.SIGKILL)

    def redis_up(self) -> bool:
        done = subprocess.run(
            ["redis-cli", "-p", str(self.redis_port), "ping"],
            capture_output=True,
            check=False,
        )
        return done.stdout.strip() == b"PONG"

    @staticmethod
    def postgres_restart() -> None:
        """Restart the machine's PostgreSQL cluster (fast: connections are cut)."""
        version = sorted(os.listdir("/etc/postgresql"))[-1]
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart",
             "-m", "fast"],
            check=True,
        )  # fmt: skip

    # Probes -------------------------------------------------------------------

    def health(self, node: int = 0) -> int:
        base = self.node_url(node) if node else self.url
        context = ssl.create_default_context(cafile=str(self.certificate))
        try:
            with urllib.request.urlopen(
                f"{base}/health/", context=context, timeout=5
            ) as r:
                return int(r.status)
        except urllib.error.HTTPError as error:
            return int(error.code)
        except OSError:
            return 0

    @staticmethod
    def wait_until(condition, seconds: float, what: str) -> None:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.25)
        raise TimeoutError(f"Не дождались: {what} ({seconds:g} с)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8443)
    parser.add_argument("--database", default="portal_stack")
    parser.add_argument(
        "--keep-database",
        action="store_true",
        help="не пересоздавать базу (например, сгенерированный регион для нагрузки)",
    )
    parser.add_argument("--no-demo", action="store_true")
    parser.add_argument("--root", help="рабочая папка стенда (по умолчанию временная)")
    args = parser.parse_args()
    root = Path(args.root or tempfile.mkdtemp(prefix="portal-stack-"))
    root.mkdir(parents=True, exist_ok=True)
    stack = Stack(
        root=root,
        database=args.database,
        port=args.port,
        reset_database=not args.keep_database,
        demo=not args.no_demo and not args.keep_database,
        fast_janitor=False,
    )
    try:
        stack.start()
        print(
            f"Портал: {stack.url}/ (узел 1: {stack.node_url(1)}, узел 2: {stack.node_url(2)})"
        )
        print(f"Журналы: {root}/logs. Остановить — Ctrl-C.", flush=True)
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
