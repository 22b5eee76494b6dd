"""`fleksmatch serve`: migrate the database, recover interrupted jobs, run uvicorn."""

from __future__ import annotations

import uvicorn

from models.db import upgrade_database
from service.app import create_app
from service.jobs import recover_interrupted_jobs


def run_server(host: str = "127.0.0.1", port: int = 8000, database_url: str | None = None) -> None:
    upgrade_database(database_url)
    app = create_app(database_url)
    recover_interrupted_jobs(app.state.session_factory)
    # Our own handlers answer every error; uvicorn's access log stays on for operations.
    uvicorn.run(app, host=host, port=port, server_header=False, proxy_headers=False)


__all__ = ["run_server"]
