"""Every command and example in README.md (and data/import/README.md) runs against the demo data.

The test reads the fenced `sh` blocks and runs each line as the reader would, from a checkout-like folder
(the repository's .venv, a copy of data/): `make demo` is `fleksmatch demo` on a fresh database, `make serve`
starts `fleksmatch serve` on a free port, `.venv/bin/fleksmatch …` lines run as processes, `TOKEN=$(…)`
captures, `curl …` is sent to the running server. The quick start's login (demo / demo-kodeord) is tried.
`sh postgres` blocks run only when FLEKSMATCH_TEST_DATABASE_URL names a PostgreSQL server, on a fresh schema.
The `text` block of command usages is held to each command's --help. Lines not run are listed in NOT_RUN,
each with its reason, and must still name a real make target.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", ROOT / "data" / "import" / "README.md"]
FLEKSMATCH = ".venv/bin/fleksmatch"
BLOCK = re.compile(r"^```(\w+)([^\n]*)\n(.*?)^```", re.M | re.S)
CAPTURE = re.compile(r"^(\w+)=\$\((.+)\)$")
NOT_RUN = {
    ("make", "test"): "the test suite itself",
    ("make", "bench"): "benchmarks take minutes and print figures; benchmarks/ has its own checks",
    (".venv/bin/pip", "install"): "installs packages; make already installs the [postgres] extra",
}
DEMO_LOGIN = ("demo", "demo-kodeord")
PASSWORD = "readme-kodeord-1"

pytestmark = [pytest.mark.slow]


def without_comment(line: str) -> str:
    """The line up to an unquoted ` #` (a shell comment)."""
    quote = None
    for index, char in enumerate(line):
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1].isspace()):
            return line[:index].strip()
    return line.strip()


def blocks(kind: str, tag: str = "") -> list[list[str]]:
    """The lines of every ```kind tag``` block; for sh blocks without comments and comment-only lines."""
    found = []
    for document in DOCUMENTS:
        for language, info, body in BLOCK.findall(document.read_text(encoding="utf-8")):
            if language == kind and info.strip() == tag:
                lines = [without_comment(line) if kind == "sh" else line.strip() for line in body.splitlines()]
                found.append([line for line in lines if line])
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Reader:
    """Runs README lines in `folder` against `database_url`, keeping shell variables and a server."""

    def __init__(self, folder: Path, database_url: str) -> None:
        self.folder, self.port = folder, free_port()
        self.env = {**os.environ, "FLEKSMATCH_DATABASE_URL": database_url, "COLUMNS": "100",
                    "FLEKSMATCH_SECRET_KEY": "readme-test"}
        self.variables: dict[str, str] = {}
        self.server: subprocess.Popen | None = None
        self.ran: list[str] = []

    def expand(self, text: str) -> str:
        return re.sub(r"\$(\w+)", lambda m: self.variables.get(m.group(1), m.group(0)), text)

    def line(self, line: str) -> str:
        captured = CAPTURE.match(line)
        if captured:
            self.variables[captured.group(1)] = self.line(captured.group(2)).strip().splitlines()[-1]
            return ""
        words = [self.expand(word) for word in shlex.split(line, comments=True)]
        while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
            words = words[1:]  # VAR=value command: the value is the example's, not this test's
        if tuple(words[:2]) in NOT_RUN:
            return ""
        self.ran.append(line)
        if words[0] == "export":
            name, value = words[1].split("=", 1)
            self.env[name] = value
            return ""
        if words == ["make", "demo"]:
            return self.fleksmatch(["demo"], timeout=600)
        if words == ["make", "serve"]:
            return self.serve([])
        if words[0] == FLEKSMATCH and words[1] == "serve":
            return self.serve(words[2:])
        if words[0] == FLEKSMATCH:
            return self.fleksmatch(words[1:])
        if words[0] == "curl":
            return self.curl(words[1:])
        raise AssertionError(f"the README test does not know how to run: {line}")

    def fleksmatch(self, args: list[str], timeout: int = 180) -> str:
        password = f"{PASSWORD}\n" if args[:2] == ["user", "create"] else None
        result = subprocess.run([str(self.folder / FLEKSMATCH), *args], cwd=self.folder, env=self.env, input=password,
                                capture_output=True, text=True, timeout=timeout)
        assert result.returncode == 0, f"fleksmatch {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
        return result.stdout

    def serve(self, args: list[str]) -> str:
        assert self.server is None, "one server at a time"
        args = [a for a in args if a]
        for option, value in (("--port", str(self.port)), ("--host", "127.0.0.1")):
            if option in args:
                args[args.index(option) + 1] = value
            else:
                args += [option, value]
        self.server = subprocess.Popen([str(self.folder / FLEKSMATCH), "serve", *args, "--workers", "1"],
                                       cwd=self.folder, env=self.env, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/api/v1/health", timeout=2).status_code == 200:
                    return ""
            except httpx.HTTPError:
                time.sleep(0.3)
        raise AssertionError("fleksmatch serve did not answer /api/v1/health")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def curl(self, args: list[str]) -> str:
        method, headers, data, url = "GET", {}, None, None
        words = iter(args)
        for word in words:
            if word == "-X":
                method = next(words)
            elif word == "-H":
                name, value = next(words).split(":", 1)
                headers[name.strip()] = value.strip()
            elif word == "-d":
                data, method = next(words), method if method != "GET" else "POST"
            else:
                url = word.replace("http://127.0.0.1:8000", self.base)
        response = httpx.request(method, url, headers=headers, content=data, timeout=30)
        assert response.status_code < 300, f"curl {' '.join(args)} → {response.status_code} {response.text}"
        return response.text

    def stop(self) -> None:
        if self.server is not None:
            self.server.terminate()
            try:
                self.server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.server.kill()
            self.server = None


def checkout(tmp: Path) -> Path:
    """A folder laid out like the checkout the README speaks to: .venv and a copy of data/."""
    (tmp / ".venv").symlink_to(ROOT / ".venv")
    shutil.copytree(ROOT / "data", tmp / "data")
    return tmp


@pytest.fixture(scope="module")
def reader(tmp_path_factory: pytest.TempPathFactory):
    if not (ROOT / FLEKSMATCH).exists():
        pytest.skip(f"{FLEKSMATCH} findes ikke (kør make test)")
    folder = checkout(tmp_path_factory.mktemp("readme"))
    reader = Reader(folder, f"sqlite:///{folder / 'var' / 'fleksmatch.sqlite3'}")
    quick_start = blocks("sh")[0]
    assert quick_start[:2] == ["make demo", "make serve"], "the quick start begins with make demo, make serve"
    demo_output = reader.line(quick_start[0])
    yield reader, demo_output
    reader.stop()


def test_the_quick_start_ends_with_a_login_that_works(reader) -> None:
    reader, demo_output = reader
    assert "brugernavn demo, adgangskode demo-kodeord" in " ".join(demo_output.split())
    reader.line("make serve")
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert f"username **`{DEMO_LOGIN[0]}`**, password **`{DEMO_LOGIN[1]}`**" in readme
    with httpx.Client(base_url=reader.base, follow_redirects=True) as browser:
        page = browser.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        landed = browser.post("/login", data={"csrf_token": token, "username": DEMO_LOGIN[0],
                                               "password": DEMO_LOGIN[1], "next": "/stillinger"})
        assert landed.status_code == 200 and landed.url.path == "/stillinger"
        assert "Dorte Demo" in landed.text and "Horsens" in landed.text
        for query in ("rengøring", "køkken"):  # the quick start's suggestions find someone
            assert re.search(r'/borgere/B-\d+"', browser.get("/borgere", params={"q": query}).text), query


def test_every_sh_command_runs_on_the_demo_data(reader) -> None:
    reader, _ = reader
    if reader.server is None:
        reader.line("make serve")
    for block in blocks("sh")[1:]:
        for line in block:
            if line in ("make demo", "make serve"):
                continue
            reader.line(line)
    assert any(line.startswith("curl") for line in reader.ran) and any("import" in line for line in reader.ran)
    assert (reader.folder / "var" / "reports" / "horsens.xlsx").is_file()


def test_lines_not_run_name_real_make_targets() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for (program, target), reason in NOT_RUN.items():
        assert reason
        if program == "make":
            assert re.search(rf"^{target}:", makefile, re.M), target
    assert "$(BIN)/fleksmatch demo" in makefile and "$(BIN)/fleksmatch serve" in makefile


def test_the_command_reference_matches_the_commands() -> None:
    usages = blocks("text")[0]  # README.md's command reference (the first text block)
    for usage in (line for line in usages if line.startswith("fleksmatch ")):
        words = usage.split()
        command = [w for w in words[1:3] if w.isidentifier() and w.islower()]
        result = subprocess.run([str(ROOT / FLEKSMATCH), *command, "--help"], capture_output=True, text=True,
                                env={**os.environ, "COLUMNS": "200"}, timeout=60)
        assert result.returncode == 0, usage
        for option in re.findall(r"--[a-z][a-z-]*", usage):
            assert option in result.stdout, f"{usage}: {option}"


def test_the_postgresql_block_runs_on_a_fresh_schema(tmp_path) -> None:
    from conftest import _postgres_schema

    (block,) = blocks("sh", "postgres")
    with _postgres_schema() as url:
        reader = Reader(checkout(tmp_path), url)
        try:
            for line in block:
                if line.startswith("export FLEKSMATCH_DATABASE_URL="):
                    line = f"export FLEKSMATCH_DATABASE_URL={shlex.quote(url)}"
                reader.line(line)
            assert reader.server is not None and httpx.get(f"{reader.base}/api/v1/health").status_code == 200
        finally:
            reader.stop()
