"""Pool import speed: a generated 100,000-row Danish CSV (cp1252, `;`) imported into a fresh SQLite database,
then imported again (every row unchanged). Target: the first import within 30 s."""

from __future__ import annotations

import csv
import io
import random
import tempfile
import time
from pathlib import Path

from rich.console import Console

from models.taxonomy import load_postcodes
from service.importer.command import EXIT_OK, run_import

ROWS = 100_000
SEED = 20240601
JOBCENTRES = ("Horsens", "Vejle", "Aarhus", "Odense", "Aalborg", "Esbjerg", "Randers", "Kolding")
COMPETENCES = ("rengøring", "kantine", "lager", "pakning", "kontor", "pedel", "have", "kørsel", "butik",
               "produktion", "pædagogmedhjælp", "stald", "indtastning", "vedligehold")
RESTRICTIONS = ("maks. løft {kg} kg", "ikke kontakt med fødevarer", "ikke tidspres (mindre central)",
                "kan ikke stå længe", "ikke støv og støj", "ingen trapper", "faste rutiner", "efter dagsform",
                "ikke kundekontakt", "helst ikke aftenarbejde", "ikke vådt arbejde", "rolig arbejdsplads",
                "har ondt i ryggen", "skal have pauser")
STATUSES = ("ledig", "ledig", "ledig", "sygemeldt", "i praktik", "ansat")
HEADER = ("BorgerID", "Jobcenter", "Arbejdsevne timer", "Arbejdsevne vurderet", "Kompetencer", "Skånehensyn",
          "Ønsker", "Postnr", "Kørekort", "Ledighedsmåneder", "Status", "Opdateret")


def generate(path: Path, rows: int = ROWS, seed: int = SEED) -> None:
    rng = random.Random(seed)
    postcodes = sorted(load_postcodes())
    with path.open("w", encoding="cp1252", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADER)
        for number in range(rows):
            restrictions = "; ".join(phrase.format(kg=rng.choice((3, 5, 7, 10)))
                                     for phrase in rng.sample(RESTRICTIONS, rng.randint(0, 3)))
            writer.writerow((
                f"B-{number:06d}", rng.choice(JOBCENTRES), f"{rng.randint(1, 12)}{rng.choice(('', '', ',5'))}",
                rng.choice(("estimeret", "målt i praktik")), ", ".join(rng.sample(COMPETENCES, rng.randint(1, 3))),
                restrictions, ", ".join(rng.sample(COMPETENCES, rng.randint(0, 2))), rng.choice(postcodes),
                rng.choice(("Ja", "Nej")), rng.randint(0, 24), rng.choice(STATUSES),
                f"{rng.randint(1, 28):02d}-{rng.randint(1, 12):02d}-{rng.randint(2022, 2025)}",
            ))


def _timed_import(path: Path, url: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) of one `fleksmatch import`."""
    console = Console(file=io.StringIO(), width=120)
    started, cpu = time.perf_counter(), time.process_time()
    code = run_import(console, path, database_url=url)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    if code != EXIT_OK:
        raise RuntimeError(f"import failed with exit code {code}:\n{console.file.getvalue()}")
    return elapsed, cpu


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="fleksmatch-bench-import-") as folder:
        path = Path(folder) / "pulje.csv"
        generate(path)
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        for label in ("import", "reimport"):
            seconds, cpu = _timed_import(path, url)
            print(f"{label} rows={ROWS} seconds={seconds:.2f} rows_per_s={ROWS / seconds:.0f}", flush=True)
            # CPU time too: on a shared machine wall time also measures the neighbours.
            print(f"{label}_cpu rows={ROWS} cpu_seconds={cpu:.2f}", flush=True)


if __name__ == "__main__":
    main()
