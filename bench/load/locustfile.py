"""
The deadline-day mix: school operators saving their reports, analysts browsing.

Run through bench/load/run.sh (which sets the environment below), or:
  LOAD_OPERATORS=50 LOAD_ANALYSTS=10 LOAD_OUT=bench/load/out/run \
  .venv/bin/locust -f bench/load/locustfile.py --headless -u 60 -r 10 -t 120s \
      --host http://127.0.0.1:8080

Operators (one per school, from users.csv) log in once, then save «Кадры» and
«Социальный паспорт» of their school's report in turn: GET the form (its
CSRF token and version), POST plausible figures, wait 1–3 s. Analysts log in
and browse the identification dashboard, school profiles and the completeness
matrix of a campaign. Requests are named by kind — login, home, form, save,
dashboard, profile, matrix — so that locust reports percentiles per kind.

Every save is written with its school, report and figures to
`saves-<pid>.jsonl` in LOAD_OUT before it is sent, and its answer after
(acknowledged: a 302 back to the report), for verify_saves.py; every request, with its
start, kind, status code and time, to `requests-<pid>.csv` for report.py.

Once every user has logged in, `window.json` marks the measured window:
LOAD_SETTLE seconds later (default 10), for LOAD_MEASURE seconds, after which
locust stops (LOAD_MEASURE=0: run until locust's own --run-time).

Environment: LOAD_USERS (users.csv), LOAD_REGION (region.json), LOAD_OUT,
LOAD_OPERATORS, LOAD_ANALYSTS, LOAD_SETTLE, LOAD_MEASURE,
LOAD_OPERATOR_WAIT / LOAD_ANALYST_WAIT ("min,max" seconds; 1,3 and 2,5 by
default).
"""

from __future__ import annotations

import csv
import itertools
import json
import os
import random
import re
import time
from pathlib import Path
from typing import Any

import gevent
from figures import social_figures, staffing_figures
from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser

HERE = Path(__file__).resolve().parent
USERS = Path(os.environ.get("LOAD_USERS", HERE / "out/users.csv"))
REGION = Path(os.environ.get("LOAD_REGION", HERE / "out/region.json"))
OUT = Path(os.environ.get("LOAD_OUT", HERE / "out/run"))
SETTLE = float(os.environ.get("LOAD_SETTLE", "10"))
MEASURE = float(os.environ.get("LOAD_MEASURE", "0"))

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')
REPORT_URL = re.compile(r"/monitoring/reports/(\d+)/$")


def _wait(name: str, default: str) -> Any:
    low, high = (float(x) for x in os.environ.get(name, default).split(","))
    return between(low, high)


def _read_users() -> dict[str, list[dict[str, str]]]:
    by_role: dict[str, list[dict[str, str]]] = {"operator": [], "analyst": []}
    with USERS.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            by_role[row["role"]].append(row)
    return by_role


ACCOUNTS = _read_users()
TARGETS = json.loads(REGION.read_text(encoding="utf-8"))
# Each locust user takes the next account: every operator has a school of their own.
_next_operator = itertools.count()
_next_analyst = itertools.count()
OUT.mkdir(parents=True, exist_ok=True)
SAVES = (OUT / f"saves-{os.getpid()}.jsonl").open("a", encoding="utf-8")
REQUESTS = (OUT / f"requests-{os.getpid()}.csv").open("a", encoding="utf-8")


def _log_save(line: dict[str, Any]) -> None:
    SAVES.write(json.dumps(line) + "\n")
    SAVES.flush()


@events.test_start.add_listener
def _mark_start(**_: Any) -> None:
    (OUT / "started.json").write_text(json.dumps({"at": time.time()}))


_logged_in = itertools.count(1)


def _user_ready(environment: Any) -> None:
    """
    Count a user whose login is done; once all are, mark the measured window
    (after LOAD_SETTLE seconds, for LOAD_MEASURE seconds) and stop at its end.
    """
    if next(_logged_in) != Operator.fixed_count + Analyst.fixed_count:
        return
    now = time.time()
    window = {"ready": now, "from": now + SETTLE, "to": now + SETTLE + MEASURE}
    (OUT / "window.json").write_text(json.dumps(window))
    if MEASURE:
        gevent.spawn_later(SETTLE + MEASURE, environment.runner.quit)


@events.request.add_listener
def _log_request(
    request_type: str,
    name: str,
    response_time: float,
    response: Any = None,
    exception: Any = None,
    start_time: float | None = None,
    **_: Any,
) -> None:
    status = getattr(response, "status_code", 0) or 0
    failed = int(exception is not None)
    at = start_time or time.time()
    REQUESTS.write(
        f"{at:.3f},{request_type},{name},{status},{response_time:.1f},{failed}\n"
    )


@events.quitting.add_listener
def _close(**_: Any) -> None:
    SAVES.close()
    REQUESTS.close()


class PortalUser(FastHttpUser):
    abstract = True
    connection_timeout = 30.0
    network_timeout = 60.0
    account: dict[str, str]

    def login(self) -> None:
        """Log in as a person would: try again (up to three times) when refused or slow."""
        for _ in range(3):
            if self._login_once():
                break
        self.client.get("/", name="home")
        _user_ready(self.environment)

    def _login_once(self) -> bool:
        page = self.client.get("/accounts/login/", name="login-page")
        token = CSRF.search(page.text or "")
        with self.client.post(
            "/accounts/login/",
            data={
                "csrfmiddlewaretoken": token[1] if token else "",
                "username": self.account["username"],
                "password": self.account["password"],
            },
            headers={"Referer": self.host + "/accounts/login/"},
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login refused ({response.status_code})")
                return False
        return True


class Operator(PortalUser):
    """A school operator saving «Кадры» and «Социальный паспорт» in turn."""

    fixed_count = int(os.environ.get("LOAD_OPERATORS", "50"))
    wait_time = _wait("LOAD_OPERATOR_WAIT", "1,3")

    def on_start(self) -> None:
        accounts = ACCOUNTS["operator"]
        self.account = accounts[next(_next_operator) % len(accounts)]
        self.rng = random.Random(self.account["username"])
        self.reports = [
            ("staffing", self.account["staffing_report_id"], staffing_figures),
            ("social", self.account["social_report_id"], social_figures),
        ]
        self.turn = 0
        self.last: dict[str, dict[str, int]] = {}
        self.login()

    @task
    def save(self) -> None:
        kind, report_id, figures = self.reports[self.turn % 2]
        self.turn += 1
        url = f"/monitoring/reports/{report_id}/"
        with self.client.get(url, name="form", catch_response=True) as page:
            text = page.text or ""
            token, version = CSRF.search(text), VERSION.search(text)
            if page.status_code == 200 and not (token and version):
                page.failure("no report form on the page (logged out?)")
        if not (token and version):
            return
        values = figures(self.rng)
        while values == self.last.get(kind):  # a save that changes nothing
            values = figures(self.rng)
        data = {
            "csrfmiddlewaretoken": token[1],
            "version": version[1],
            "confirm_warnings": "on",
            "action": "save",
            **{name: str(value) for name, value in values.items()},
        }
        attempt = {
            "id": f"{self.account['username']}-{self.turn}-{time.time():.3f}",
            "at": time.time(),
            "user": self.account["username"],
            "school_id": int(self.account["school_id"]),
            "report_id": int(report_id),
            "kind": kind,
            "version": int(version[1]),
            "values": values,
        }
        # Written before sending: a save cut off when locust stops may still
        # commit, and verify_saves.py must know its figures.
        _log_save({"sent": attempt})
        with self.client.post(
            url,
            data=data,
            headers={"Referer": self.host + url},
            name="save",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            location = response.headers.get("Location", "") if response.headers else ""
            acknowledged = response.status_code == 302 and bool(
                REPORT_URL.search(location)
            )
            if acknowledged:
                self.last[kind] = values
            elif response.status_code == 200:
                response.failure("save refused: the form came back")
            _log_save(
                {
                    "answered": attempt["id"],
                    "status": response.status_code,
                    "acknowledged": acknowledged,
                }
            )


class Analyst(PortalUser):
    """An analyst browsing the dashboard, school profiles and completeness matrices."""

    fixed_count = int(os.environ.get("LOAD_ANALYSTS", "10"))
    wait_time = _wait("LOAD_ANALYST_WAIT", "2,5")

    def on_start(self) -> None:
        accounts = ACCOUNTS["analyst"]
        self.account = accounts[next(_next_analyst) % len(accounts)]
        self.rng = random.Random(self.account["username"])
        municipality = self.account["municipality_id"]  # empty: the whole region

        def in_scope(item: dict[str, Any]) -> bool:
            return not municipality or str(item["municipality_id"]) == municipality

        self.schools = [s for s in TARGETS["schools"] if in_scope(s)]
        self.campaigns = [c for c in TARGETS["campaigns"] if in_scope(c)]
        self.municipalities = sorted({s["municipality_id"] for s in self.schools})
        self.login()

    @task(2)
    def dashboard(self) -> None:
        params: dict[str, Any] = {}
        draw = self.rng.random()
        if draw < 0.25:
            params["page"] = self.rng.randint(2, max(2, len(self.schools) // 50))
        elif draw < 0.45:
            params["status"] = "listed"
        elif draw < 0.6 and len(self.municipalities) > 1:
            params["municipality"] = self.rng.choice(self.municipalities)
        elif draw < 0.7:
            params["sort"] = "status"
        self._page("/identification/dashboard/", params, "dashboard")

    @task(3)
    def profile(self) -> None:
        school = self.rng.choice(self.schools)
        self._page(f"/identification/schools/{school['id']}/", {}, "profile")

    @task(2)
    def matrix(self) -> None:
        campaign = self.rng.choice(self.campaigns)
        params = {"status": "draft"} if self.rng.random() < 0.2 else {}
        self._page(f"/monitoring/campaigns/{campaign['id']}/", params, "matrix")

    def _page(self, path: str, params: dict[str, Any], name: str) -> None:
        query = "&".join(f"{k}={v}" for k, v in params.items())
        self.client.get(path + (f"?{query}" if query else ""), name=name)
