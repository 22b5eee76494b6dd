"""Where the bundled data lives (FLEKSMATCH_DATA_DIR, see models.settings)."""

from models.settings import REPO_ROOT, load_settings

DATA_DIR = load_settings().data_dir

__all__ = ["DATA_DIR", "REPO_ROOT"]
