"""Load benchmark: mixed case reads and writes against the production server on loopback.

    .venv/bin/python bench/load.py --var-dir /tmp/load [--seconds 300] [--clients 8] [--writes 0.1]

Starts `bin/serve` (gunicorn, DEBUG=0; REMIS_WORKERS workers, default 2 × cores + 1) on a
free loopback port over the database of `--var-dir` (its `remis.sqlite3`, or DATABASE_URL
when set), which must hold the demo dataset (`manage.py load_demo`, any `generate_cases`
on top). Signs in as a demo user through the pages (password, then a code from the user's
authenticator, as a person does), takes a read-write API token for them, then runs
`--clients` client processes, each a closed loop of requests over the cases that user can
see, for `--seconds`:

- a case read through the API: `GET /api/v1/cases/{id}`;
- a case read through the page: `GET /cases/{id}/` (the whole page, as a browser gets it);
- a write, `--writes` of all requests: a note added through `POST /api/v1/cases/{id}/notes`.

Every case read writes a read-log row (issue 13). Prints per kind of request: count,
throughput, p50/p95/p99/max latency and errors (anything but 200, or 201 for a note, or no
answer); throughput and p99 per interval; the server's resident memory (gunicorn's master
and workers) over time. Exits 1 if any request failed. `tests/test_load.py` runs a short
bounded version of it in the suite and asserts there was no error.

The clients run on the same 2 cores as the server: what they spend is taken from it.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import http.cookiejar
import json
import multiprocessing
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("api_read", "page_read", "note_write")
EXPECTED = {"api_read": 200, "page_read": 200, "note_write": 201}

# Run by `manage.py shell` with the server's environment: a read-write token for the user,
# the cases they can see and add notes to (the same scoped query and permission check as
# the pages), and their authenticator's secret (the demo's, set up if missing).
SETUP = """
import json
from remis.accounts.actions import issue_api_token
from remis.accounts.models import TokenAccess, User
from remis.accounts.permissions import Perm
from remis.cases.policy import cases_permitting, visible_cases
from remis.demo.two_factor import demo_authenticator_secret
user = User.objects.get(username={username!r})
token, raw = issue_api_token(user, name="load benchmark", access=TokenAccess.READ_WRITE, days=30)
seen = list(visible_cases(user).order_by("-id")[:{limit}])
noted = cases_permitting(user, seen, Perm.CASE_NOTE)
cases = [str(c.uuid) for c in seen if c.pk in noted]
print("SETUP " + json.dumps({{"token": raw, "cases": cases, "secret": demo_authenticator_secret(user)}}))
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_env(var_dir: Path, port: int, workers: int | None) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(
        DEBUG="0",
        SECRET_KEY=env.get("SECRET_KEY") or "load-benchmark-key-" + "q" * 40,
        REMIS_VAR_DIR=str(var_dir),
        REMIS_PYTHON=sys.executable,
        REMIS_BIND=f"127.0.0.1:{port}",
        ALLOWED_HOSTS="127.0.0.1",
    )
    if workers:
        env["REMIS_WORKERS"] = str(workers)
    return env


def start_server(env: dict[str, str], log: Path, seconds: float = 180) -> subprocess.Popen[bytes]:
    """bin/serve (migrate, static files, gunicorn), waited for until the sign-in page answers."""
    with log.open("wb") as out:
        server = subprocess.Popen(  # noqa: S603 (our own script)
            [str(ROOT / "bin" / "serve")], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    url = f"http://{env['REMIS_BIND']}/accounts/login/"
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"bin/serve exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return server
        except OSError:
            time.sleep(0.5)
    stop_server(server)
    raise RuntimeError(f"bin/serve did not answer within {seconds} s:\n{log.read_text()[-3000:]}")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGTERM)  # gunicorn stops its workers and exits
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def prepare(env: dict[str, str], username: str, limit: int = 2000) -> dict[str, Any]:
    done = subprocess.run(  # noqa: S603 (our own manage.py)
        [sys.executable, "manage.py", "shell", "-c", SETUP.format(username=username, limit=limit)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise RuntimeError(f"setting up as {username} failed:\n{done.stderr[-3000:]}")
    line = next(line for line in done.stdout.splitlines() if line.startswith("SETUP "))
    data: dict[str, Any] = json.loads(line.removeprefix("SETUP "))
    if not data["cases"]:
        raise RuntimeError(f"{username} sees no case: load the demo dataset first")
    return data


def _totp(secret: str, ahead: int = 0) -> str:
    from django_otp.oath import TOTP

    totp = TOTP(base64.b32decode(secret))
    totp.time = time.time() + ahead * totp.step
    return f"{totp.token():06d}"


def sign_in(base: str, username: str, password: str, secret: str) -> str:
    """Signs in through the pages (password, then the authenticator's code); returns the
    session cookie's value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def post(path: str, fields: dict[str, str]) -> str:
        page = opener.open(base + path).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, f"no CSRF token on {path}"
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1), **fields}).encode()
        request = urllib.request.Request(base + path, data=body, headers={"Referer": base + path})  # noqa: S310
        try:
            with opener.open(request) as answer:
                return str(answer.geturl())
        except urllib.error.HTTPError as refused:
            if refused.code == 400:  # the form sent back with its error (a code used already)
                return base + path
            raise

    post("/accounts/login/", {"username": username, "password": password})
    landed = post("/accounts/two-factor/code/", {"code": _totp(secret)})
    if "/accounts/two-factor/" in landed:
        # This period's code was used already (a code works once: the demo's set-up a moment
        # ago, or a run just before): the next period's is accepted too, after the one-second
        # wait a wrong code costs.
        time.sleep(1.5)
        landed = post("/accounts/two-factor/code/", {"code": _totp(secret, ahead=1)})
    if "/accounts/" in landed:
        raise RuntimeError(f"sign-in as {username} did not pass the second factor (landed on {landed})")
    return next(c.value for c in jar if c.name == "sessionid" and c.value)


@dataclass
class Plan:
    host: str
    port: int
    token: str
    session: str
    cases: list[str]
    seconds: float
    writes: float
    seed: int


def client(plan: Plan) -> list[tuple[int, float, float, int]]:
    """One closed loop: (kind, start offset s, latency ms, status; 0 when no answer)."""
    rng = random.Random(plan.seed)
    connection = http.client.HTTPConnection(plan.host, plan.port, timeout=30)
    api = {"Authorization": f"Bearer {plan.token}", "Accept": "application/json"}
    page = {"Cookie": f"sessionid={plan.session}", "Accept": "text/html"}
    results: list[tuple[int, float, float, int]] = []
    written, run = 0, uuid.uuid4().hex[:8]  # a run's own notes: runs minutes apart write anew
    started = time.perf_counter()
    while (now := time.perf_counter()) - started < plan.seconds:
        case = rng.choice(plan.cases)
        roll = rng.random()
        if roll < plan.writes:
            kind, method, path, headers = (
                2,
                "POST",
                f"/api/v1/cases/{case}/notes",
                {**api, "Content-Type": "application/json"},
            )
            # Each note its own words: the same note sent again by the same person moments
            # later is refused as a repeat (remis/audit/once.py), as a real client's retry is.
            written += 1
            body: bytes | None = json.dumps(
                {"body": f"Phoned the returnee; next visit agreed (load benchmark {run}-{written})."}
            ).encode()
        elif roll < plan.writes + (1 - plan.writes) / 2:
            kind, method, path, headers, body = 0, "GET", f"/api/v1/cases/{case}", api, None
        else:
            kind, method, path, headers, body = 1, "GET", f"/cases/{case}/", page, None
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            answer.read()
            status = answer.status
        except (OSError, http.client.HTTPException):
            connection.close()
            status = 0
        results.append((kind, now - started, (time.perf_counter() - now) * 1000, status))
    connection.close()
    return results


def _rss_mb(pid: int) -> float:
    """Resident memory of a process and its descendants (gunicorn's master and workers)."""
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024  # type: ignore[union-attr]
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, AttributeError):
            continue
    return total


@dataclass
class Result:
    seconds: float
    clients: int
    samples: list[tuple[int, float, float, int]]
    memory: list[tuple[float, float]] = field(default_factory=list)

    def errors(self) -> int:
        return sum(1 for kind, _, _, status in self.samples if status != EXPECTED[KINDS[kind]])

    def reads_per_second(self) -> float:
        return sum(1 for kind, *_ in self.samples if kind < 2) / self.seconds


def run(plan: Plan, clients: int, server_pid: int | None = None) -> Result:
    memory: list[tuple[float, float]] = []
    stop = threading.Event()
    started = time.perf_counter()

    def sample() -> None:
        while not stop.is_set():
            if server_pid:
                memory.append((time.perf_counter() - started, _rss_mb(server_pid)))
            stop.wait(5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    plans = [Plan(**{**plan.__dict__, "seed": plan.seed + n}) for n in range(clients)]
    with multiprocessing.get_context("spawn").Pool(clients) as pool:
        per_client = pool.map(client, plans)
    stop.set()
    sampler.join()
    if server_pid:
        memory.append((time.perf_counter() - started, _rss_mb(server_pid)))
    samples = [s for results in per_client for s in results]
    return Result(plan.seconds, clients, samples, memory)


def _quantile(values: list[float], q: float) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


def report(result: Result, interval: float = 30) -> str:
    lines = [
        f"{result.clients} clients, {result.seconds:.0f} s, {len(result.samples):,} requests, "
        f"{result.errors()} errors; case reads {result.reads_per_second():,.0f}/s",
        "",
        "| request | count | per s | p50 ms | p95 ms | p99 ms | max ms | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    groups = {name: [s for s in result.samples if s[0] == n] for n, name in enumerate(KINDS)}
    groups["all"] = result.samples
    for name, rows in groups.items():
        latencies = [s[2] for s in rows]
        bad = sum(1 for kind, _, _, status in rows if status != EXPECTED[KINDS[kind]])
        lines.append(
            "| "
            + " | ".join(
                [name, f"{len(rows):,}", f"{len(rows) / result.seconds:,.1f}"]
                + [f"{_quantile(latencies, q):.0f}" for q in (0.5, 0.95, 0.99)]
                + [f"{max(latencies, default=0):.0f}", str(bad)]
            )
            + " |"
        )
    lines += ["", "| from s | requests/s | p99 ms | server memory MB |", "| ---: | ---: | ---: | ---: |"]
    start = 0.0
    while start < result.seconds:
        window = [s[2] for s in result.samples if start <= s[1] < start + interval]
        rss = [mb for at, mb in result.memory if start <= at < start + interval]
        lines.append(
            f"| {start:.0f} | {len(window) / interval:,.1f} | {_quantile(window, 0.99):.0f} | "
            f"{max(rss, default=0):,.0f} |"
        )
        start += interval
    failures = [s for s in result.samples if s[3] != EXPECTED[KINDS[s[0]]]][:5]
    if failures:
        lines += ["", "first failures (kind, at s, ms, status): " + repr(failures)]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--var-dir", type=Path, required=True, help="REMIS_VAR_DIR holding the demo database")
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--clients", default="8", help="client processes; several runs: 4,8,16")
    parser.add_argument("--writes", type=float, default=0.1, help="share of requests that add a note")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (bin/serve's default)")
    parser.add_argument("--user", default="counsellor.be")
    parser.add_argument("--password", default="remis-demo-2026")
    parser.add_argument("--interval", type=float, default=30, help="seconds per line of the timeline")
    args = parser.parse_args()
    port = free_port()
    env = server_env(args.var_dir, port, args.workers)
    server = start_server(env, args.var_dir / "load-serve.log")
    failed = False
    try:
        data = prepare(env, args.user)
        session = sign_in(f"http://127.0.0.1:{port}", args.user, args.password, data["secret"])
        print(
            f"### Load: {len(data['cases']):,} cases of {args.user}, "
            f"workers {env.get('REMIS_WORKERS', 'default')}, {os.cpu_count()} cores, "
            + time.strftime("%Y-%m-%d %H:%M")
        )
        for clients in [int(c) for c in args.clients.split(",")]:
            plan = Plan(
                "127.0.0.1", port, data["token"], session, data["cases"], args.seconds, args.writes, 2026
            )
            result = run(plan, clients, server.pid)
            print()
            print(report(result, args.interval))
            failed = failed or result.errors() > 0
    finally:
        stop_server(server)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
