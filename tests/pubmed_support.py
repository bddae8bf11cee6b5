"""A PubMed E-utilities server on 127.0.0.1 for tests and the benchmark.

It answers ``esearch.fcgi`` (``"DOI"[doi]`` terms OR-ed, as the client sends
them) and ``esummary.fcgi`` (comma-separated ids) in the JSON shapes of
../shared/NOTES.md ("PubMed E-utilities"), from records added with
:meth:`FakePubMed.add`. Every request is recorded with its parameters;
``faults`` holds replies served (in order) before the real answers.
"""

from __future__ import annotations

import json
import re
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

from tests.loopback import LoopbackServer

_TERM_DOI = re.compile(r'"([^"]+)"\[doi\]', re.IGNORECASE)


@dataclass
class Fault:
    status: int = 200
    body: str = ""
    content_type: str = "application/json"
    headers: dict = field(default_factory=dict)


@dataclass
class Seen:
    endpoint: str  # esearch.fcgi | esummary.fcgi
    params: dict[str, str]
    user_agent: str

    @property
    def dois(self) -> list[str]:
        return [d.lower() for d in _TERM_DOI.findall(self.params.get("term", ""))]

    @property
    def ids(self) -> list[str]:
        return [i for i in self.params.get("id", "").split(",") if i]


def summary(pmid: str, doi: str, pubtypes: list[str], title: str = "A title") -> dict:
    """An esummary record as PubMed shapes it (the fields the client reads, and some)."""
    return {"uid": pmid, "pubdate": "2020 Jan", "source": "J Test", "title": title,
            "pubtype": list(pubtypes),
            "articleids": [{"idtype": "pubmed", "idtypen": 1, "value": pmid},
                           {"idtype": "doi", "idtypen": 3, "value": doi},
                           {"idtype": "pii", "idtypen": 4, "value": "S0000"}]}


class FakePubMed(LoopbackServer):
    def __init__(self) -> None:
        self.records: dict[str, dict] = {}  # PMID → esummary record
        self.requests: list[Seen] = []
        self.faults: list[Fault] = []
        self._lock = threading.Lock()
        self._next_pmid = 30000000

    def add(self, doi: str, pubtypes: list[str], pmid: str | None = None) -> str:
        with self._lock:
            if pmid is None:
                self._next_pmid += 1
                pmid = str(self._next_pmid)
            self.records[pmid] = summary(pmid, doi, pubtypes)
        return pmid

    def count(self, endpoint: str | None = None) -> int:
        return sum(1 for r in self.requests if endpoint is None or r.endpoint == endpoint)

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        seen = Seen(parts.path.rsplit("/", 1)[-1], params, handler.headers.get("User-Agent", ""))
        with self._lock:
            self.requests.append(seen)
            fault = self.faults.pop(0) if self.faults else None
        if fault is not None:
            self._send(handler, fault.status, fault.body, fault.content_type, fault.headers)
        elif seen.endpoint == "esearch.fcgi":
            self._send(handler, 200, json.dumps(self._esearch(seen)))
        elif seen.endpoint == "esummary.fcgi":
            self._send(handler, 200, json.dumps(self._esummary(seen)))
        else:
            self._send(handler, 404, "<html>Not found</html>", "text/html")

    def _esearch(self, seen: Seen) -> dict:
        wanted = set(seen.dois)
        with self._lock:
            ids = [pmid for pmid, record in self.records.items()
                   if _doi_of(record) in wanted]
        retmax = int(seen.params.get("retmax", "20"))
        return {"header": {"type": "esearch", "version": "0.3"},
                "esearchresult": {"count": str(len(ids)), "retmax": str(min(retmax, len(ids))),
                                  "retstart": "0", "idlist": ids[:retmax],
                                  "translationset": [], "querytranslation": seen.params["term"]}}

    def _esummary(self, seen: Seen) -> dict:
        result: dict = {"uids": []}
        with self._lock:
            for pmid in seen.ids:
                result["uids"].append(pmid)
                result[pmid] = self.records.get(pmid) or {
                    "uid": pmid, "error": "cannot get document summary"}
        return {"header": {"type": "esummary", "version": "0.3"}, "result": result}

    @staticmethod
    def _send(handler, status: int, body: str, content_type: str = "application/json",
              headers: dict | None = None) -> None:
        data = body.encode("utf-8")
        try:
            handler.send_response(status)
            for name, value in (headers or {}).items():
                handler.send_header(name, value)
            handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass


def _doi_of(record: dict) -> str | None:
    for item in record.get("articleids", []):
        if item.get("idtype") == "doi":
            return str(item["value"]).lower()
    return None


def closed_port_url() -> str:
    """An address on 127.0.0.1 where nothing listens: a PubMed that cannot be reached."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"
