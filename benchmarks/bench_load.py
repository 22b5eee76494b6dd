"""HTTP load: 50 concurrent consultants working against a running `fleksmatch serve`.

Starts the server with the real CLI (`python -m service.cli serve`, its default number of worker processes:
one per CPU core) on 127.0.0.1 and a free port, on a temporary copy of the demo database
(./var/fleksmatch.sqlite3 after `fleksmatch demo`; when it is missing, the bundled demo pool is loaded into
the temporary database). 50 httpx async clients, each with its own connection and no pause between
requests (closed loop), run for 60 s (FLEKSMATCH_LOAD_SECONDS shortens the run) after a short unmeasured
warm-up. Each client mixes what consultants and the case system do, in a fixed pseudo-random order seeded
by its number:

- 68 %  GET  /api/v1/citizens/{id}/proposals   rank every open position of the citizen's jobcentre for
                                                 the citizen, write the audit entry, commit
- 20 %  GET  /api/v1/positions/{id}            a position with its employer and tasks
- 10 %  POST /api/v1/positions/{id}/proposals  match the position against its jobcentre's pool (ranking
                                                 and OR-Tools split), store the run, audit every citizen
-  1 %  PUT  /api/v1/positions/{id}            a real change (a task's hours, alternately up and back)
-  1 %  PUT  /api/v1/citizens/{id}             a real change (the capacity, alternately up and back)

The two kinds of change keep the server's caches honest: each invalidates what depends on it (the
jobcentre's open positions and every proposals answer built on them; the citizen's index, its answers and
its jobcentre's pool), in every worker.

By default two runs: the acceptance scenario (`load`: 50 consultants requesting proposals, the first kind
only), then the mix above (`load_mixed`). FLEKSMATCH_LOAD_TRAFFIC=proposals|mixed|unchanging runs one traffic
alone (=unchanging is the mix without the two PUTs, 70/20/10); FLEKSMATCH_LOAD_WORKERS overrides the server's
worker count.

Prints per run one summary line
    load clients=50 seconds=60 requests_per_s=<r> p50_ms=<x> p95_ms=<y> errors=<n>
(`load_mixed ...` for the mix) and one line per endpoint, then one naming the server's workers. Latency is measured by the client, from
sending the request to the full response; errors counts non-2xx answers and transport errors.
Target: p95 ≤ 300 ms with zero errors.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np
from sqlalchemy import select

from models import orm
from models.db import make_engine, session_factory, session_scope, upgrade_database
from models.paths import REPO_ROOT
from service.core.auth.tokens import create_api_token

CLIENTS = 50
DEFAULT_SECONDS = 60.0
WARM_UP_SECONDS = 5.0
DEMO_DATABASE = REPO_ROOT / "var" / "fleksmatch.sqlite3"

CITIZEN_PROPOSALS = "GET /citizens/{id}/proposals"
GET_POSITION = "GET /positions/{id}"
POST_PROPOSALS = "POST /positions/{id}/proposals"
PUT_POSITION = "PUT /positions/{id}"
PUT_CITIZEN = "PUT /citizens/{id}"
MIXED = ((CITIZEN_PROPOSALS, 68), (GET_POSITION, 20), (POST_PROPOSALS, 10), (PUT_POSITION, 1), (PUT_CITIZEN, 1))
# Citizens whose capacity the PUTs change (positions: every open one).
CHANGED_CITIZENS = 100
TRAFFIC = {"mixed": MIXED, "proposals": ((CITIZEN_PROPOSALS, 1),),
           "unchanging": ((CITIZEN_PROPOSALS, 70), (GET_POSITION, 20), (POST_PROPOSALS, 10))}


def prepare_database(folder: Path) -> str:
    """A temporary copy of the demo database, migrated; the demo pool when no demo database exists."""
    target = folder / "load.sqlite3"
    url = f"sqlite:///{target}"
    if DEMO_DATABASE.exists():
        for suffix in ("", "-wal", "-shm"):
            source = Path(str(DEMO_DATABASE) + suffix)
            if source.exists():
                shutil.copyfile(source, Path(str(target) + suffix))
        upgrade_database(url)
        if _citizen_ids(url):
            return url
        for leftover in folder.glob("load.sqlite3*"):
            leftover.unlink()
    from rich.console import Console

    from service.cli.demo import run_demo, step_load_pool, step_prepare_database

    run_demo(Console(quiet=True), url=url, steps=[step_prepare_database, step_load_pool])
    return url


def _ids(url: str, query) -> list[str]:
    engine = make_engine(url)
    try:
        with session_scope(session_factory(engine)) as session:
            return list(session.scalars(query))
    finally:
        engine.dispose()


def _citizen_ids(url: str) -> list[str]:
    return _ids(url, select(orm.Citizen.id).where(orm.Citizen.status == "available").order_by(orm.Citizen.id))


def _open_position_ids(url: str) -> list[str]:
    return _ids(url, select(orm.Position.id).where(orm.Position.status == "open").order_by(orm.Position.id))


def admin_token(url: str) -> str:
    engine = make_engine(url)
    try:
        with session_scope(session_factory(engine)) as session:
            return create_api_token(session, role="admin", jobcenters=[], name="bench_load")[1]
    finally:
        engine.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(url: str, port: int, log: Path) -> subprocess.Popen:
    """`fleksmatch serve` as a subprocess, waiting until it answers /health."""
    env = {**os.environ, "FLEKSMATCH_DATABASE_URL": url, "PYTHONPATH": str(REPO_ROOT)}
    command = [sys.executable, "-m", "service.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    if os.environ.get("FLEKSMATCH_LOAD_WORKERS"):
        command += ["--workers", os.environ["FLEKSMATCH_LOAD_WORKERS"]]
    with log.open("w") as out:
        # Its own process group: `stop_server` can then end the workers with it.
        server = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"serveren stoppede under opstart; se {log}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    stop_server(server)
    raise RuntimeError("serveren svarede ikke inden for 90 s")


def stop_server(server: subprocess.Popen) -> None:
    """Graceful stop (uvicorn lets requests in flight finish); the whole process group if that hangs."""
    server.terminate()
    try:
        server.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(10)


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))


@dataclass
class Workload:
    citizens: list[str]
    positions: list[str]
    mix: tuple[tuple[str, int], ...]
    # PUT bodies: the stored version and a changed one of each entity the PUTs touch, and how often each
    # was sent (even: send the change, odd: send the original back).
    bodies: dict[str, tuple[dict, dict]] = field(default_factory=dict)
    sent: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def request(self, kind: str, n: int) -> tuple[str, str, dict | None]:
        if kind == CITIZEN_PROPOSALS:
            return "GET", f"/api/v1/citizens/{self.citizens[n % len(self.citizens)]}/proposals", None
        if kind == PUT_CITIZEN:
            path = f"/api/v1/citizens/{self.citizens[n % min(CHANGED_CITIZENS, len(self.citizens))]}"
            return "PUT", path, self._body(path)
        path = f"/api/v1/positions/{self.positions[n % len(self.positions)]}"
        if kind == GET_POSITION:
            return "GET", path, None
        if kind == PUT_POSITION:
            return "PUT", path, self._body(path)
        return "POST", f"{path}/proposals", None

    def _body(self, path: str) -> dict:
        original, changed = self.bodies[path]
        self.sent[path] += 1
        return changed if self.sent[path] % 2 else original

    def prepare_changes(self, client: httpx.Client) -> None:
        """Read what the PUTs will send back and forth (through the API, as the case system would)."""
        kinds = {kind for kind, _ in self.mix}
        if PUT_POSITION in kinds:
            for position in self.positions:
                path = f"/api/v1/positions/{position}"
                self.bodies[path] = _position_bodies(client.get(path).raise_for_status().json())
        if PUT_CITIZEN in kinds:
            for citizen in self.citizens[:CHANGED_CITIZENS]:
                path = f"/api/v1/citizens/{citizen}"
                self.bodies[path] = _citizen_bodies(client.get(path).raise_for_status().json())


def _position_bodies(stored: dict) -> tuple[dict, dict]:
    original = {"title": stored["title"], "employer_id": stored["employer"]["id"], "jobcenter": stored["jobcenter"],
                "location": stored["location"], "postcode": stored["postcode"], "max_people": stored["max_people"],
                "min_hours_per_person": stored["min_hours_per_person"], "status": stored["status"],
                "tasks": stored["tasks"]}
    task = stored["tasks"][0]
    hours = task["hours_per_week"] + 1 if task["hours_per_week"] < 37 else task["hours_per_week"] - 1
    return original, {**original, "tasks": [{**task, "hours_per_week": hours}, *stored["tasks"][1:]]}


def _citizen_bodies(stored: dict) -> tuple[dict, dict]:
    original = {k: v for k, v in stored.items() if k not in ("active", "updated_at")}
    capacity = stored["capacity_hours"]
    return original, {**original, "capacity_hours": capacity + 1 if capacity < 37 else capacity - 1}


async def client_loop(base: str, token: str, work: Workload, k: int, stop_at: float, tally: Tally) -> None:
    kinds, weights = zip(*work.mix)
    choose = random.Random(k)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as client:
        n = k
        while time.perf_counter() < stop_at:
            kind = choose.choices(kinds, weights)[0]
            method, path, body = work.request(kind, n)
            n += CLIENTS
            started = time.perf_counter()
            try:
                answer = await client.request(method, path, json=body)
                ok = answer.is_success
            except httpx.HTTPError:
                ok = False
            tally.latencies[kind].append(time.perf_counter() - started)
            if not ok:
                tally.errors[kind] += 1


async def run_load(base: str, token: str, work: Workload, seconds: float, clients: int = CLIENTS
                   ) -> tuple[Tally, float]:
    tally = Tally()
    started = time.perf_counter()
    stop_at = started + seconds
    await asyncio.gather(*(client_loop(base, token, work, k, stop_at, tally) for k in range(clients)))
    return tally, time.perf_counter() - started


def _figures(latencies: list[float]) -> str:
    ms = np.array(latencies) * 1000
    return f"p50_ms={np.percentile(ms, 50):.1f} p95_ms={np.percentile(ms, 95):.1f}"


def report(label: str, tally: Tally, seconds: float, elapsed: float) -> None:
    every = [t for kind in tally.latencies for t in tally.latencies[kind]]
    errors = sum(tally.errors.values())
    print(f"{label} clients={CLIENTS} seconds={seconds:g} requests_per_s={len(every) / elapsed:.1f} "
          f"{_figures(every)} errors={errors}", flush=True)
    for kind, latencies in sorted(tally.latencies.items()):
        print(f"{label} endpoint={kind.replace(' ', '_')} requests={len(latencies)} "
              f"requests_per_s={len(latencies) / elapsed:.1f} {_figures(latencies)} errors={tally.errors[kind]}")


def scenarios() -> list[tuple[str, str]]:
    """The acceptance scenario first (`load`: consultants requesting proposals), then the mixed traffic with
    writes (`load_mixed`); FLEKSMATCH_LOAD_TRAFFIC runs one named traffic alone, reported as `load`."""
    chosen = os.environ.get("FLEKSMATCH_LOAD_TRAFFIC")
    return [("load", chosen)] if chosen else [("load", "proposals"), ("load_mixed", "mixed")]


def main() -> None:
    seconds = float(os.environ.get("FLEKSMATCH_LOAD_SECONDS", DEFAULT_SECONDS))
    for label, traffic in scenarios():
        tally, elapsed = measure(TRAFFIC[traffic], seconds)
        report(label, tally, seconds, elapsed)
    from service.http.server import default_workers

    print(f"load server workers={os.environ.get('FLEKSMATCH_LOAD_WORKERS') or f'{default_workers()} (default)'}")


def measure(mix, seconds: float) -> tuple[Tally, float]:
    """One run against a fresh server on a fresh copy of the demo database."""
    with tempfile.TemporaryDirectory(prefix="fleksmatch-load-") as tmp:
        folder = Path(tmp)
        url = prepare_database(folder)
        work = Workload(citizens=_citizen_ids(url), positions=_open_position_ids(url), mix=mix)
        token = admin_token(url)
        port = free_port()
        server = start_server(url, port, folder / "server.log")
        base = f"http://127.0.0.1:{port}"
        try:
            with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
                work.prepare_changes(client)
            # Unmeasured: loads the competence model and each worker's caches, as a running server has.
            asyncio.run(run_load(base, token, work, min(WARM_UP_SECONDS, seconds), clients=10))
            return asyncio.run(run_load(base, token, work, seconds))
        finally:
            stop_server(server)


if __name__ == "__main__":
    main()
