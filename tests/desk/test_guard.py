"""The guard's rules, request by request (evidence/desk/guard.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from evidence.desk.guard import refusal
from evidence.desk.state import Desk, is_loopback


def scope(method="GET", path="/", **headers):
    return {"type": "http", "method": method, "path": path,
            "headers": [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()]}


LOCAL = Desk(Path("."), Path("evidence.db"), port=8001)


@pytest.mark.parametrize("host", ["127.0.0.1:8001", "localhost:8001", "[::1]:8001"])
def test_loopback_with_the_port_is_served(host):
    assert refusal(scope(host=host), LOCAL) is None
    assert refusal(scope("POST", host=host, origin=f"http://{host}",
                         sec_fetch_site="same-origin"), LOCAL) is None


@pytest.mark.parametrize("host", ["", "127.0.0.1", "127.0.0.1:8002", "evil.example:8001",
                                  "127.0.0.1.evil.example:8001", "LOCALHOST:8001"])
def test_any_other_host_is_refused(host):
    assert "answers only to" in refusal(scope(host=host), LOCAL)


@pytest.mark.parametrize("headers", [{"origin": "http://evil.example"}, {"origin": "null"},
                                     {"origin": "http://localhost:8001"},
                                     {"sec_fetch_site": "cross-site"},
                                     {"sec_fetch_site": "same-site"}, {"sec_fetch_site": "none"}])
def test_a_post_from_elsewhere_is_refused(headers):
    assert "Refused" in refusal(scope("POST", host="127.0.0.1:8001", **headers), LOCAL)
    # reading is not writing: a link followed from elsewhere still opens the page
    assert refusal(scope("GET", host="127.0.0.1:8001", **headers), LOCAL) is None


def test_remote_edits_need_the_login_cookie_everywhere_but_the_login_page():
    desk = Desk(Path("."), Path("evidence.db"), host="0.0.0.0", port=8001, remote=True)
    assert desk.login_token and len(desk.login_token) >= 24
    assert "Log in first" in refusal(scope(host="192.0.2.7:8001"), desk)
    assert refusal(scope(path="/-/desk/login", host="192.0.2.7:8001"), desk) is None
    value = desk.login(desk.login_token)
    assert value is not None and desk.login_token is None and desk.login("x") is None
    assert refusal(scope(host="192.0.2.7:8001", cookie=f"evidence_desk_login={value}"),
                   desk) is None
    assert "Log in first" in refusal(scope(host="192.0.2.7:8001",
                                           cookie="evidence_desk_login=guess"), desk)


def test_what_counts_as_loopback():
    assert all(map(is_loopback, ["127.0.0.1", "localhost", "::1", "127.0.0.2"]))
    assert not any(map(is_loopback, ["0.0.0.0", "192.0.2.7", "::", "example.org"]))


@pytest.mark.parametrize("token", ["", "0" * 64, "é" * 64, "\u2603", "\x00"])
def test_a_forged_token_of_any_characters_is_refused_not_an_error(token):
    session = "a-session"
    assert LOCAL.token_ok(session, LOCAL.token(session))
    assert not LOCAL.token_ok(session, token)
    remote = Desk(Path("."), Path("evidence.db"), port=8001, host="0.0.0.0", remote=True)
    assert remote.login(token) is None
    assert remote.login_token is not None  # still usable by the editor it was printed for


@pytest.mark.parametrize("value,expected", [
    ("/evidence/claims/c1", "/evidence/claims/c1"), ("/-/desk/?guide=a%20b", "/-/desk/?guide=a%20b"),
    ("//evil.example", "/-/desk/"), ("/\\evil.example", "/-/desk/"),
    ("/\t/evil.example", "/-/desk/"), ("/\n/evil.example", "/-/desk/"),
    ("/\r\n/evil", "/-/desk/"), ("https://evil.example", "/-/desk/"), ("", "/-/desk/"),
    (None, "/-/desk/")])
def test_the_way_back_is_a_path_on_this_server(value, expected):
    from evidence.desk.routes import _back

    assert _back(value) == expected


def test_remote_edits_print_the_login_token_and_warn_of_plain_http(tmp_path):
    from evidence.host.serve import local_desk

    said: list[str] = []
    desk = local_desk(tmp_path, tmp_path / "evidence.db", host="0.0.0.0", port=8123,
                      allow_remote_edits=True, echo=said.append)
    assert desk.remote and desk.login_token
    assert any(desk.login_token in line and "/-/desk/login" in line for line in said)
    assert any("plain HTTP" in line and "TLS" in line for line in said)
    assert all(desk.login_token not in line for line in said if "?" in line)  # never in a URL
    # 0.0.0.0 is no address a browser opens: this machine's name and addresses are
    assert not any("http://0.0.0.0" in line for line in said)
    import socket

    login = next(line for line in said if desk.login_token in line)
    assert f"http://{socket.gethostname()}:8123/-/desk/login" in login
    assert "http://127.0.0.1:8123/-/desk/login" in login


def test_every_interface_is_printed_as_addresses_a_browser_opens(monkeypatch):
    import socket

    from evidence.host import serve

    monkeypatch.setattr(socket, "gethostname", lambda: "desk-host")
    monkeypatch.setattr(serve, "_interface_addresses", lambda: ["127.0.0.1", "192.0.2.9"])
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.1.1", 0)),
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("192.0.2.9", 0))])
    assert serve.served_urls("0.0.0.0", 8001) == [
        "http://desk-host:8001/", "http://192.0.2.9:8001/", "http://127.0.0.1:8001/"]
    assert serve.served_urls("::", 8001, "/-/desk/")[-1] == "http://[::1]:8001/-/desk/"
    assert serve.served_urls("192.0.2.9", 8001) == ["http://192.0.2.9:8001/"]
    assert serve.served_urls("::1", 8001) == ["http://[::1]:8001/"]


def test_another_loopback_address_is_served_on_its_own_name():
    desk = Desk(Path("."), Path("evidence.db"), port=8001, host="127.0.0.2")
    assert refusal(scope(host="127.0.0.2:8001"), desk) is None
    assert "answers only to" in refusal(scope(host="127.0.0.3:8001"), desk)
    assert is_loopback("LOCALHOST") and is_loopback("127.0.0.2") and is_loopback("::1")


def test_an_ipv6_host_is_written_in_brackets_in_urls():
    from evidence.host.serve import url_host

    assert (url_host("::1"), url_host("[::1]"), url_host("127.0.0.1")) == \
        ("[::1]", "[::1]", "127.0.0.1")


@pytest.mark.parametrize("port", ["0", "-1", "70000"])
def test_a_port_out_of_range_is_a_usage_error(port, tmp_path):
    from click.testing import CliRunner

    from evidence.cli import cli

    result = CliRunner().invoke(cli, ["serve", "--project", str(tmp_path), "-p", port])
    assert result.exit_code == 2 and "1<=x<=65535" in result.output
