"""`python -m service.cli`: the same commands as the `fleksmatch` console script."""

from service.cli import app

app()
