"""`python -m benchmarks` (make bench): runs every benchmarks/bench_*.py that defines main(), in name order.

Each prints its own figures; ratios are against baselines run in the same process, never fixed thresholds.
`python -m benchmarks rank batch` runs only the named ones.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path


def available() -> list[str]:
    folder = Path(__file__).parent
    return sorted(m.name for m in pkgutil.iter_modules([str(folder)]) if m.name.startswith("bench_"))


def main(argv: list[str]) -> int:
    wanted = {f"bench_{name}" for name in argv}
    names = [n for n in available() if not wanted or n in wanted]
    unknown = wanted - set(available())
    if unknown:
        print(f"ukendte benchmarks: {', '.join(sorted(unknown))}; findes: {', '.join(available())}")
        return 2
    for name in names:
        module = importlib.import_module(f"benchmarks.{name}")
        started = time.perf_counter()
        module.main()
        print(f"# {name} finished in {time.perf_counter() - started:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
