"""Config files: the schema, YAML loading with line numbers, and building objects from a config."""

from luma_cli.config.load import LoadedConfig, load_config
from luma_cli.config.schema import Config

__all__ = ["Config", "LoadedConfig", "load_config"]
