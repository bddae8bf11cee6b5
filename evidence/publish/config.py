"""The publication's configuration, read from Datasette's plugin config.

``metadata["plugins"]["evidence"]`` (``datasette.plugin_config("evidence")``),
so that plain ``datasette -m metadata.json`` configures it as any plugin.
The defaults are the public publication: a Datasette that loads the plugin
with no configuration serves what the world may see, and only an explicit
``{"local": true}`` (``evidence serve`` without ``--public``, on the editor's
machine) turns the editor's things on.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

PLUGIN_NAME = "evidence"


@dataclass(frozen=True)
class PublicationConfig:
    local: bool = False  # the editor's own machine: more is shown and allowed

    @property
    def public(self) -> bool:
        return not self.local

    @classmethod
    def of(cls, datasette) -> PublicationConfig:
        raw = datasette.plugin_config(PLUGIN_NAME) or {}
        return cls(local=raw.get("local") is True)

    def as_plugin_config(self) -> dict:
        """This configuration as the ``plugins`` entry of Datasette's metadata."""
        return {PLUGIN_NAME: asdict(self)}
