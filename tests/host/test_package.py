"""`evidence package`: a folder that serves itself with its run.sh and plain Datasette.

The served folder is moved away from where it was made and run with its own
run.sh, which installs requirements.txt into a virtual environment beside
itself. Nothing may be downloaded in a test, so that environment is made
here first, in the one way that installs the package's evidence wheel for
real without an index: a venv (without pip) whose site-packages has a .pth
line pointing at a folder of links to this environment's distributions,
*except evidence's editable install*. pip then runs with ``PIP_NO_INDEX=1``
and no configuration file: every pinned dependency must be found installed
at exactly its pinned version (or pip fails), and evidence can only come
from the package's wheel, which pip installs into that venv. Datasette then
loads the publication through the wheel's entry point, with no test hook
(``sys._called_from_test``) and no way to import the repository.
What this cannot show: that the host's index has the pinned versions.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from click.testing import CliRunner

from evidence.cli import cli
from evidence.host.package import package
from tests.package_support import dependencies_only, offline_environment, venv_beside

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str, timeout: float = 60.0) -> str:
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


def test_the_package_serves_from_its_folder_with_its_run_sh(project, tmp_path):
    made = package(project, tmp_path / "site")
    assert made.built
    # Moved elsewhere: nothing in it points back to where it was made.
    site = Path(shutil.move(str(tmp_path / "site"), str(tmp_path / "elsewhere")))
    names = sorted(str(path.relative_to(site)) for path in site.rglob("*"))
    assert names == [".dockerignore", "Dockerfile", "README.md", "evidence.db", "inspect.json",
                     "metadata.json", "requirements.txt", "run.sh", "wheels",
                     f"wheels/{made.wheel.name}"], names
    assert made.wheel.name.startswith("evidence-") and made.wheel.name.endswith("-py3-none-any.whl")
    inspect = json.loads((site / "inspect.json").read_text(encoding="utf-8"))
    assert inspect["evidence"]["tables"]["claims"]["count"] == 2
    assert inspect["evidence"]["file"] == "evidence.db"
    assert "plugins" not in json.loads((site / "metadata.json").read_text(encoding="utf-8"))
    lines = (site / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert f"./wheels/{made.wheel.name}" in lines
    assert any(line.startswith("datasette==0.65.") for line in lines)
    assert not any(line.startswith(("pytest==", "hypothesis==", "mypy==")) for line in lines)
    run_sh = (site / "run.sh").read_text(encoding="utf-8")
    assert "-m datasette serve --immutable evidence.db" in run_sh
    assert "plugins-dir" not in run_sh and "lib" not in run_sh.split()

    venv = venv_beside(site, dependencies_only(tmp_path / "dependencies"))
    port = free_port()
    # Run from another folder: run.sh finds its own.
    server = subprocess.Popen(
        ["sh", str(site / "run.sh")], cwd=tmp_path, start_new_session=True,
        env=offline_environment(HOST="127.0.0.1", PORT=str(port)),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        try:
            overview = fetch(f"{base}/")
        except (OSError, AssertionError):  # the server did not come up: show why
            server.kill()
            raise AssertionError(server.communicate()[0][-3000:]) from None
        assert "Testguide" in overview
        assert "/-/evidence-static/evidence.css" in overview
        assert "The evidence publication" in fetch(f"{base}/-/evidence-static/evidence.css")
        claim = fetch(f"{base}/evidence/claims/t-definition")
        assert "Tendinopati er en overbelastningsskade" in claim
        assert "Progressiv belastning er centralt." in fetch(f"{base}/evidence/claims")
        assert "t-loading" in fetch(f"{base}/-/search?q=progressiv")
        # Public: immutable, no arbitrary SQL.
        try:
            fetch(f"{base}/evidence?sql=select+1", timeout=1)
            raise AssertionError("arbitrary SQL answered")
        except urllib.error.HTTPError as exc:
            assert exc.code == 403
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0]
    # evidence was installed from the wheel into the folder's venv, and served from there.
    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import evidence.publish.plugin as p; print(p.__file__)"],
        cwd=tmp_path, env=offline_environment(), check=True, capture_output=True, text=True)
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout
    assert not Path(where.stdout.strip()).is_relative_to(REPO)
    assert (venv / "evidence-requirements.txt").read_bytes() == (site / "requirements.txt").read_bytes()
    assert "Successfully installed evidence" in output, output[-3000:]


def test_run_sh_installs_once_and_again_when_the_requirements_change(project, tmp_path):
    made = package(project, tmp_path / "site")
    venv = venv_beside(made.folder, dependencies_only(tmp_path / "dependencies"))
    install = ["sh", str(made.folder / "run.sh"), "install"]
    first = subprocess.run(install, env=offline_environment(), capture_output=True, text=True)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Successfully installed evidence" in first.stdout
    second = subprocess.run(install, env=offline_environment(), capture_output=True, text=True)
    assert second.returncode == 0 and second.stdout == "", second.stdout + second.stderr
    # Packaged again: the folder's venv is kept, and the same source gives the same wheel.
    again = package(project, tmp_path / "site")
    assert (again.folder / ".venv").is_dir() and venv.is_dir()
    assert subprocess.run(install, env=offline_environment(), capture_output=True,
                          text=True).stdout == ""
    # A changed requirements file (a new wheel) is installed, the old evidence removed first.
    requirements = made.folder / "requirements.txt"
    requirements.write_text(requirements.read_text(encoding="utf-8") + "# changed\n",
                            encoding="utf-8")
    third = subprocess.run(install, env=offline_environment(), capture_output=True, text=True)
    assert third.returncode == 0, third.stdout + third.stderr
    assert "Successfully installed evidence" in third.stdout


def test_package_command_builds_if_stale_and_refuses_a_foreign_folder(project, tmp_path):
    runner = CliRunner()
    out = tmp_path / "site"
    done = runner.invoke(cli, ["package", str(out), "--project", str(project)])
    assert done.exit_code == 0, done.output
    assert "Built evidence.db" in done.output and (out / "evidence.db").exists()
    assert "./run.sh" in done.output
    again = runner.invoke(cli, ["package", str(out), "--project", str(project)])
    assert again.exit_code == 0 and "Built" not in again.output
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".site.")] == []
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine", encoding="utf-8")
    refused = runner.invoke(cli, ["package", str(foreign), "--project", str(project)])
    assert refused.exit_code == 1 and "not an evidence package" in refused.output
    assert (foreign / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_a_failed_packaging_leaves_the_previous_package(project, tmp_path, monkeypatch):
    from evidence.errors import EvidenceError
    from evidence.host import package as package_module

    made = package(project, tmp_path / "site")
    before = {path.name: path.read_bytes() for path in made.folder.iterdir() if path.is_file()}

    def broken(out):
        raise EvidenceError("building evidence's wheel with setuptools.build_meta failed")

    monkeypatch.setattr(package_module, "build_wheel", broken)
    try:
        package(project, tmp_path / "site")
        raise AssertionError("packaging did not fail")
    except EvidenceError:
        pass
    after = {path.name: path.read_bytes() for path in made.folder.iterdir() if path.is_file()}
    assert after == before
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".site.")] == []
