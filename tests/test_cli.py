"""Command-line behaviour around the main verbs: clear errors, nothing half-done."""

import socket

from click.testing import CliRunner

from evidence.cli import cli
from tests.conftest import write_project


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_build_into_a_missing_folder_is_an_error_and_creates_nothing(project, tmp_path):
    target = tmp_path / "no-such-folder" / "x.db"
    result = run("build", "--project", project, "--database", target)
    assert result.exit_code == 1
    assert "the folder" in result.output and "does not exist" in result.output
    assert not target.parent.exists()


def test_serve_on_a_busy_port_says_so_before_building(project):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run("serve", "--project", project, "--port", port)
    assert result.exit_code == 1
    assert f"cannot serve on 127.0.0.1:{port}" in result.output
    assert "--port" in result.output
    assert not (project / "evidence.db").exists()


def test_serve_with_an_unreadable_references_file_says_nothing_is_served(tmp_path):
    # A problem of one claim or guide takes down only that (tests/database/test_reach.py);
    # an unreadable references.bib takes down the build, so there is nothing to serve.
    project = write_project(tmp_path)
    (project / "references.bib").write_bytes(b"@article{x,\n title = {\xff}}\n")
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    result = run("serve", "--project", project, "--port", port)
    assert result.exit_code == 1
    assert "not UTF-8" in result.output
    assert "nothing is served" in result.output


def test_review_refuses_an_empty_reviewer(project):
    before = (project / "claims/testguide/claims.yaml").read_text()
    result = CliRunner().invoke(cli, ["review", "t-loading", "--status", "verified",
                                      "--by", "", "--project", str(project)])
    assert result.exit_code == 2
    assert "--by is empty" in result.output
    assert (project / "claims/testguide/claims.yaml").read_text() == before


def test_a_timeout_that_is_not_a_positive_number_is_refused_as_typed(project):
    # click's float type turned "-5" into -5.0 before the check, which then quoted -5.0
    before = (project / "references.bib").read_bytes()
    for verb in (["resolve", "--offline"], ["add", "--offline", "10.1000/x"]):
        for value in ("-5", "0", "nan", "inf", "soon"):
            result = run(*verb, "--timeout", value, "--project", project)
            assert result.exit_code == 2, (verb, value, result.output)
            assert (f"Invalid value for '--timeout': '{value}' is not a positive number of "
                    "seconds") in result.output
            assert "-5.0" not in result.output
    assert (project / "references.bib").read_bytes() == before
    assert not (project / "evidence.db").exists()


def test_a_missing_project_folder_is_named_as_the_folder(tmp_path):
    missing = tmp_path / "no-such-project"
    for verb in (["serve", "--port", "1"], ["serve", "--watch", "--port", "1"], ["build"],
                 ["package", tmp_path / "out"], ["resolve"], ["resolve", "--updates"],
                 ["resolve", "--confirm-reversal", "x2020"], ["add", "10.1000/xyz", "--offline"]):
        result = run(*verb, "--project", missing)
        assert result.exit_code == 1, (verb, result.output)
        assert f"the project folder {missing} does not exist" in result.output
        assert "evidence.db" not in result.output and "--database" not in result.output
        assert not missing.exists() and not (tmp_path / "out").exists()


def test_resolve_in_a_folder_without_references_says_so_instead_of_nothing_to_do(tmp_path):
    (tmp_path / "claims").mkdir()
    for verb in (["resolve"], ["resolve", "--all", "--offline"], ["resolve", "--updates"]):
        result = run(*verb, "--project", tmp_path)
        assert result.exit_code == 1, (verb, result.output)
        assert f"{tmp_path / 'references.bib'} does not exist" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["claims"]
