"""The publication's configuration, read from Datasette's plugin config.

``metadata["plugins"]["evidence"]`` (``datasette.plugin_config("evidence")``),
so that plain ``datasette -m metadata.json`` configures it as any plugin.
The defaults are the public publication: a Datasette that loads the plugin
with no configuration serves what the world may see, and only an explicit
``{"local": true}`` (``evidence serve`` without ``--public``, on the editor's
machine) turns the editor's things on.

``base_url`` (``"https://evidence.example.org/"``): where the publication is
served, for the few absolute links Datasette writes (a JSON page's
``next_url``, the ``Link`` header). Without it those links are relative to
the site: never made from the request's ``Host`` header, which any client
can set.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

PLUGIN_NAME = "evidence"


@dataclass(frozen=True)
class PublicationConfig:
    local: bool = False  # the editor's own machine: more is shown and allowed
    base_url: str | None = None  # e.g. https://evidence.example.org/ (absolute links)

    @property
    def public(self) -> bool:
        return not self.local

    @classmethod
    def of(cls, datasette) -> PublicationConfig:
        raw = datasette.plugin_config(PLUGIN_NAME) or {}
        base_url = raw.get("base_url")
        return cls(local=raw.get("local") is True,
                   base_url=base_url if isinstance(base_url, str) and base_url else None)

    def as_plugin_config(self) -> dict:
        """This configuration as the ``plugins`` entry of Datasette's metadata."""
        return {PLUGIN_NAME: {k: v for k, v in asdict(self).items() if v is not None}}
