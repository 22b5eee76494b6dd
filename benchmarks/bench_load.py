"""HTTP load: 50 concurrent clients asking the running API for proposals.

Starts the server as `fleksmatch serve` does (migrate, then uvicorn; one process) on 127.0.0.1 and a free
port, on a temporary copy of the demo database (./var/fleksmatch.sqlite3 after `fleksmatch demo`; when it
is missing, the bundled demo pool is loaded into the temporary database). 50 httpx async clients, each
with its own connection and no pause between requests, ask for the supply-led proposals of the demo
citizens (GET /api/v1/citizens/{id}/proposals: rank every open position of the citizen's jobcentre, write
the audit entry, commit) for 60 s. FLEKSMATCH_LOAD_SECONDS shortens the run.

Prints one line:
    load clients=50 seconds=60 requests_per_s=<r> p50_ms=<x> p95_ms=<y> errors=<n>
latency is measured by the client, from sending the request to the full response; errors counts non-2xx
answers and transport errors. Target: p95 ≤ 300 ms with zero errors.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
from sqlalchemy import select

from models import orm
from models.db import make_engine, session_factory, session_scope, upgrade_database
from models.paths import REPO_ROOT
from service.auth.tokens import create_api_token

CLIENTS = 50
DEFAULT_SECONDS = 60.0
DEMO_DATABASE = REPO_ROOT / "var" / "fleksmatch.sqlite3"
SERVER = "import sys; from service.server import run_server; run_server(sys.argv[1], int(sys.argv[2]))"


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

    from service.demo import run_demo, step_load_pool, step_prepare_database

    run_demo(Console(quiet=True), url=url, steps=[step_prepare_database, step_load_pool])
    return url


def _citizen_ids(url: str) -> list[str]:
    engine = make_engine(url)
    try:
        with session_scope(session_factory(engine)) as session:
            return list(session.scalars(select(orm.Citizen.id).where(orm.Citizen.status == "available")
                                        .order_by(orm.Citizen.id)))
    finally:
        engine.dispose()


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
    env = {**os.environ, "FLEKSMATCH_DATABASE_URL": url, "PYTHONPATH": str(REPO_ROOT)}
    with log.open("w") as out:
        server = subprocess.Popen([sys.executable, "-c", SERVER, "127.0.0.1", str(port)], cwd=REPO_ROOT, env=env,
                                  stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"serveren stoppede under opstart; se {log}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    server.terminate()
    raise RuntimeError("serveren svarede ikke inden for 60 s")


async def client_loop(base: str, token: str, ids: list[str], offset: int, stop_at: float,
                      latencies: list[float], errors: list[int]) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as client:
        n = offset
        while time.perf_counter() < stop_at:
            citizen = ids[n % len(ids)]
            n += CLIENTS
            started = time.perf_counter()
            try:
                answer = await client.get(f"/api/v1/citizens/{citizen}/proposals")
                ok = answer.status_code == 200
            except httpx.HTTPError:
                ok = False
            latencies.append(time.perf_counter() - started)
            if not ok:
                errors.append(1)


async def run_load(base: str, token: str, ids: list[str], seconds: float) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    errors: list[int] = []
    started = time.perf_counter()
    stop_at = started + seconds
    await asyncio.gather(*(client_loop(base, token, ids, k, stop_at, latencies, errors) for k in range(CLIENTS)))
    return latencies, len(errors), time.perf_counter() - started


def warm_up(base: str, token: str, ids: list[str]) -> None:
    """One request per jobcentre's first citizen: loads the competence model and the position caches."""
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
        for citizen in ids[:: max(1, len(ids) // 10)]:
            client.get(f"/api/v1/citizens/{citizen}/proposals")


def main() -> None:
    seconds = float(os.environ.get("FLEKSMATCH_LOAD_SECONDS", DEFAULT_SECONDS))
    with tempfile.TemporaryDirectory(prefix="fleksmatch-load-") as tmp:
        folder = Path(tmp)
        url = prepare_database(folder)
        ids = _citizen_ids(url)
        token = admin_token(url)
        port = free_port()
        server = start_server(url, port, folder / "server.log")
        base = f"http://127.0.0.1:{port}"
        try:
            warm_up(base, token, ids)
            latencies, errors, elapsed = asyncio.run(run_load(base, token, ids, seconds))
        finally:
            server.terminate()
            server.wait(30)
    ms = np.array(latencies) * 1000
    print(f"load clients={CLIENTS} seconds={seconds:g} requests_per_s={len(ms) / elapsed:.1f} "
          f"p50_ms={np.percentile(ms, 50):.1f} p95_ms={np.percentile(ms, 95):.1f} errors={errors}")


if __name__ == "__main__":
    main()
