"""Running Datasette on evidence.db, in-process."""

from __future__ import annotations

import asyncio
from pathlib import Path

import uvicorn
from datasette.app import Datasette

from .metadata import metadata

PACKAGE = Path(__file__).parent


def make_datasette(database: Path, *, public: bool = False,
                   settings: dict | None = None) -> Datasette:
    database = Path(database)
    combined = {"suggest_facets": False, "default_facet_size": 20}
    if public:
        combined |= {"default_allow_sql": False, "allow_download": False}
    combined |= settings or {}
    return Datasette(
        [] if public else [str(database)],
        immutables=[str(database)] if public else [],
        metadata=metadata(database.stem),
        settings=combined,
        template_dir=str(PACKAGE / "templates"),
    )


def serve(database: Path, *, host: str, port: int, public: bool = False) -> None:
    ds = make_datasette(database, public=public)
    # Startup hooks run on their own loop before uvicorn starts its own, as
    # `datasette serve` itself does.
    asyncio.run(ds.invoke_startup())
    uvicorn.run(ds.app(), host=host, port=port, log_level="info", lifespan="on")
