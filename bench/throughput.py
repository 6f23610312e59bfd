"""Requests a second that gunicorn with 2 workers serves to 10 signed-in headteachers at 10,000 incidents.

    .venv/bin/python bench/throughput.py [--size 10000] [--clients 10] [--seconds 20] [--workers 2]

Seeds its own SQLite file (var/bench-throughput.sqlite3, rebuilt each run) unless DATABASE_URL is set
(PostgreSQL), starts gunicorn (sync workers, as deploy/systemd runs it) on a free loopback port with
DEBUG off, signs in `--clients` sessions for the headteacher (session rows made through Django's
session engine with the second factor marked passed, as tests do), then drives the incident list and
then one incident's page with one keep-alive connection per client, one request in flight each, for
`--seconds` each. Prints JSON lines on stdout:
{"measure": "throughput_list", "size": 10000, "value": req/s, "unit": "req/s", "queries": per request}
{"measure": "p99_list", ..., "unit": "ms"}, {"measure": "server_cpu_list", ..., "unit": "ms"} (gunicorn's CPU
per request, the figure that moves least with the VM's speed) and the same for detail, each with the load average.
Targets: 200 list and 120 detail requests a second, p99 under 150 ms, on an otherwise idle 2-core machine.
The load client shares the machine with the server (it takes a share of the CPU too).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _load import (  # noqa: E402
    ROOT,
    analyze,
    drive,
    grow_to,
    load_average,
    make_school,
    note,
    session_cookie,
    setup,
    vendor,
)

BENCH_DB = ROOT / "var" / "bench-throughput.sqlite3"
TARGETS = {"list": 200, "detail": 120}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(database_url: str, port: int, workers: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
    }
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [
        str(gunicorn),
        "schoolsocial.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--access-logfile",
        "-" if os.environ.get("BENCH_ACCESS_LOG") else "/dev/null",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=2).read()
            return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit("gunicorn did not start") from None
            time.sleep(0.3)
    stop_server(server)
    raise SystemExit("gunicorn did not answer within 60 s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def server_cpu_seconds(server: subprocess.Popen) -> float:
    """CPU seconds (user and system) the gunicorn master and its workers have used so far: unlike
    requests a second, CPU per request hardly moves when the VM runs slower or faster."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended while we looked
            continue
        pid, ppid = int(stat.parent.name), int(fields[1])
        if server.pid in (pid, ppid):
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def queries_of(user, url: str) -> int:
    from _common import signed_in_client
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in_client(user)
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200, url
    return len(captured.captured_queries)


def profile(user, pages: dict[str, str], queries: dict[str, int], size: int, runs: int = 20) -> None:
    """CPU seconds per request (process time: this process's Python and SQLite work; PostgreSQL's
    own CPU is not counted) with DEBUG off, then the top functions by cumulative time."""
    import cProfile
    import pstats

    from _common import signed_in_client
    from django.test.utils import override_settings

    client = signed_in_client(user)
    with override_settings(DEBUG=False):
        for name, url in pages.items():
            for _ in range(5):
                assert client.get(url).status_code == 200
            began = time.process_time()
            for _ in range(runs):
                client.get(url)
            cpu = (time.process_time() - began) / runs * 1000
            common = {"size": size, "queries": queries[name], "database": vendor(), "load_average": load_average()}
            print(json.dumps({"measure": f"cpu_{name}", **common, "value": round(cpu, 2), "unit": "ms"}), flush=True)
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(runs):
                client.get(url)
            profiler.disable()
            stats = pstats.Stats(profiler, stream=sys.stderr)
            stats.sort_stats("cumulative").print_stats(int(os.environ.get("BENCH_PROFILE_LINES", "45")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--profile", action="store_true", help="measure CPU per request in-process (cProfile) instead of serving"
    )
    args = parser.parse_args()

    # One key for this process (which writes the sessions) and the server (which reads them).
    os.environ.setdefault("SECRET_KEY", "bench-throughput-" + "x" * 50)
    database_url = setup(BENCH_DB)
    from django.conf import settings
    from django.urls import reverse

    from incidents.models import Incident

    school, head = make_school("NBP", "Northbrook Primary")
    started = time.perf_counter()
    grow_to(school, args.size)
    analyze()
    size = Incident.objects.filter(school=school).count()
    note(f"{size:,} incidents on {vendor()} in {time.perf_counter() - started:.1f} s")
    middle = Incident.objects.filter(school=school).order_by("pk").values_list("pk", flat=True)[size // 2]
    pages = {"list": reverse("incidents:list"), "detail": reverse("incidents:detail", args=[middle])}
    queries = {name: queries_of(head, url) for name, url in pages.items()}
    if args.profile:
        profile(head, pages, queries, size)
        return
    cookies = [session_cookie(head) for _ in range(args.clients)]
    from django.db import connections

    connections.close_all()

    port = free_port()
    server = start_server(database_url, port, args.workers)
    try:
        for name, url in pages.items():
            drive("127.0.0.1", port, url, cookies[:2], 2, settings.SESSION_COOKIE_NAME)  # warm both workers
            load_before = load_average()
            cpu_before = server_cpu_seconds(server)
            result = drive("127.0.0.1", port, url, cookies, args.seconds, settings.SESSION_COOKIE_NAME)
            cpu_per_request = (server_cpu_seconds(server) - cpu_before) / max(len(result.latencies), 1) * 1000
            load = max(load_before, load_average())
            common = {"size": size, "queries": queries[name], "database": vendor(), "load_average": load}
            rate, p99 = round(result.rate, 1), round(result.percentile(0.99), 1)
            print(json.dumps({"measure": f"throughput_{name}", "value": rate, "unit": "req/s", **common}), flush=True)
            print(json.dumps({"measure": f"p99_{name}", "value": p99, "unit": "ms", **common}), flush=True)
            cpu = round(cpu_per_request, 2)
            print(json.dumps({"measure": f"server_cpu_{name}", "value": cpu, "unit": "ms", **common}), flush=True)
            verdict = "ok" if rate >= TARGETS[name] and p99 < 150 else "UNDER TARGET"
            note(
                f"  {name}: {rate} req/s (target {TARGETS[name]}), p50 {result.percentile(0.5):.1f} ms, "
                f"p99 {p99} ms (target < 150), server CPU {cpu} ms a request, {result.errors} errors, load {load}: {verdict}"
            )
            if result.errors:
                raise SystemExit(f"{result.errors} requests to {url} failed")
    finally:
        stop_server(server)
    note(f"{os.cpu_count()} CPUs; a load average above the CPU count means other work shared the machine")


if __name__ == "__main__":
    main()
