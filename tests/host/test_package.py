"""`evidence package`: a folder that plain Datasette serves, without the repository."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from click.testing import CliRunner

from evidence.cli import cli
from evidence.host.package import package, serve_command

# The server runs without the editable install of evidence (and without the
# repository on its path): only what the package folder holds can be imported.
SERVER = """\
import importlib.util, sys
sys.meta_path[:] = [f for f in sys.meta_path
                    if not getattr(f, "__module__", "").startswith("__editable__")]
sys.path[:] = [p for p in sys.path if p and p != {repo!r}]
assert importlib.util.find_spec("evidence") is None, "evidence importable from outside"
# As on a host where evidence is not installed: no entry points (the test venv
# still lists the editable install's); the package's plugins-dir loads it.
sys._called_from_test = True
from datasette.cli import cli
sys.argv = ["datasette", *sys.argv[1:]]
cli()
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                assert response.status == 200
                return response.read().decode("utf-8")
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_the_package_serves_from_its_folder_alone(project, tmp_path):
    made = package(project, tmp_path / "site")
    assert made.built
    # Moved elsewhere: nothing in it points back to where it was made.
    site = Path(shutil.move(str(tmp_path / "site"), str(tmp_path / "elsewhere")))
    for name in ("evidence.db", "inspect.json", "metadata.json", "requirements.txt", "run.sh",
                 "README.md", "Dockerfile", "plugins/evidence_publication.py",
                 "lib/evidence/publish/plugin.py"):
        assert (site / name).exists(), name
    assert any((site / "templates").glob("*.html"))
    inspect = json.loads((site / "inspect.json").read_text(encoding="utf-8"))
    assert inspect["evidence"]["tables"]["claims"]["count"] == 2
    assert inspect["evidence"]["file"] == "evidence.db"
    pins = (site / "requirements.txt").read_text(encoding="utf-8")
    assert "datasette==0.65." in pins and "sqlalchemy==" in pins
    assert "datasette serve --immutable evidence.db" in (site / "run.sh").read_text()

    port = free_port()
    repo = str(Path(__file__).resolve().parents[2])
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER.format(repo=repo),
         *serve_command(host="127.0.0.1", port=str(port))[1:]],
        cwd=site, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        try:
            overview = fetch(f"{base}/")
        except (OSError, AssertionError):  # the server did not come up: show why
            server.kill()
            raise AssertionError(server.communicate()[0][-3000:]) from None
        assert "Testguide" in overview
        claims = fetch(f"{base}/evidence/claims")
        assert "Progressiv belastning er centralt." in claims
        assert "Tendinopati er en overbelastningsskade" in fetch(f"{base}/evidence/claims/t-definition")
        assert "t-loading" in fetch(f"{base}/-/search?q=progressiv")
        # Public: immutable, no arbitrary SQL.
        try:
            fetch(f"{base}/evidence?sql=select+1", timeout=1)
            raise AssertionError("arbitrary SQL answered")
        except urllib.error.HTTPError as exc:
            assert exc.code == 403
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_package_command_builds_if_stale_and_refuses_a_foreign_folder(project, tmp_path):
    runner = CliRunner()
    out = tmp_path / "site"
    done = runner.invoke(cli, ["package", str(out), "--project", str(project)])
    assert done.exit_code == 0, done.output
    assert "Built evidence.db" in done.output and (out / "evidence.db").exists()
    again = runner.invoke(cli, ["package", str(out), "--project", str(project)])
    assert again.exit_code == 0 and "Built" not in again.output
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine", encoding="utf-8")
    refused = runner.invoke(cli, ["package", str(foreign), "--project", str(project)])
    assert refused.exit_code == 1 and "not an evidence package" in refused.output
    assert (foreign / "notes.txt").read_text(encoding="utf-8") == "mine"
