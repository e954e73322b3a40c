"""
The smoke test of a two-node portal: work started on one node is followed,
finished and read on the other; files uploaded to one are downloaded from the
other; nothing depends on one process or one machine's disk.
"""

import datetime as dt
import subprocess
from zoneinfo import ZoneInfo

from deploy.two_nodes import ROOT

from .conftest import text_of, wait_for
from .portal import (
    free_staffing_slot,
    job_id,
    job_status,
    run_form,
    run_id,
    run_status,
    staffing_package,
    teachers_of,
    upload,
    wait_job,
)


def test_every_node_and_the_balancer_answer_health(stack):
    assert stack.health(1) == 200
    assert stack.health(2) == 200
    assert stack.health() == 200


def test_package_run_and_approval_cross_both_nodes(stack, person, sql):
    code, year = free_staffing_slot(sql)
    content = staffing_package(code, year, teachers=77)
    analyst = person("mimc", node=1)

    # Uploaded through node 1 ...
    pk = job_id(upload(analyst, content, node=1))
    # ... its progress read through node 2, checked by whichever worker took it.
    wait_for(
        lambda: (
            "проверен — можно загружать"
            in text_of(analyst.get(f"/monitoring/imports/{pk}/", node=2).text)
        ),
        120,
        "проверка файла, видимая на узле 2",
    )
    logs = [(stack.root / "logs" / f"worker{i}.log").read_text() for i in (1, 2)]
    assert any("import_check_task" in log for log in logs)

    # Imported from node 2, and its source downloaded from node 2.
    analyst.post(f"/monitoring/imports/{pk}/run/", {}, node=2)
    wait_job(sql, pk, "done")
    assert teachers_of(sql, code, year) == [77]
    source = analyst.get(f"/monitoring/imports/{pk}/file/", node=2)
    assert source.status_code == 200
    assert source.content == content

    # A run started on node 2 and its result read on node 1.
    run = run_id(analyst.post("/identification/runs/new/", run_form(sql), node=2))
    wait_for(lambda: run_status(sql, run) == "done", 180, f"выявление {run}")
    page = analyst.get(f"/identification/runs/{run}/", node=1)
    assert 'data-testid="summary"' in page.text
    fingerprint = sql(
        "SELECT fingerprint FROM identification_identificationrun WHERE id = %s", run
    )[0][0]
    assert len(fingerprint) == 64

    # The department approves the official list (through the balancer).
    department = person("uo")
    municipality = run_form(sql)["municipalities"][0]
    order = {
        "municipality": municipality,
        "order_number": "77-стенд",
        # Today where the demo municipality is: the demo's list is of this school year.
        "order_date": dt.datetime.now(ZoneInfo("Asia/Krasnoyarsk")).strftime(
            "%d.%m.%Y"
        ),
    }
    # The demo's list is approved already: replacing it asks first, naming the change.
    asked = department.post(f"/identification/runs/{run}/approve/", order)
    assert "заменит утверждённый" in asked.text
    approved = department.post(
        f"/identification/runs/{run}/approve/", {**order, "confirmed": "1"}
    )
    assert "Список утверждён" in approved.text
    rows = sql(
        "SELECT order_number FROM identification_officiallist "
        "WHERE run_id = %s AND superseded_at IS NULL",
        run,
    )
    assert rows == [("77-стенд",)]
    assert job_status(sql, pk) == "done"


def test_the_production_nginx_site_passes_nginx_check(stack, tmp_path):
    """deploy/nginx/portal.conf as the README installs it, with this stack's certificate."""
    site = (ROOT / "deploy" / "nginx" / "portal.conf").read_text()
    site = site.replace("/srv/portal/deploy/", f"{ROOT}/deploy/")
    site = site.replace("/etc/ssl/portal/fullchain.pem", str(stack.certificate))
    site = site.replace("/etc/ssl/portal/privkey.pem", str(stack.root / "tls.key"))
    site = site.replace("/var/log/nginx/", f"{tmp_path}/")
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;\n"
        f"events {{}}\nhttp {{ include {tmp_path}/site.conf; }}\n"
    )
    done = subprocess.run(
        ["nginx", "-t", "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "test is successful" in done.stderr
