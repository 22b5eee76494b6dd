"""Where the bundled data lives. Overridable so an installed copy can point at its own data folder."""

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("FLEKSMATCH_DATA_DIR", REPO_ROOT / "data"))
