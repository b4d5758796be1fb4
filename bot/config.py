"""One typed Settings object, read from an injectable environment."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from bot.errors import ConfigError

PROJECT_DIR = Path(__file__).resolve().parent.parent


def _default_seeds_dir() -> Path:
    """The project's seeds/ folder when installed from a checkout, else ./seeds."""
    beside = PROJECT_DIR / "seeds"
    return beside if beside.is_dir() else Path("seeds")


class Settings(BaseSettings):
    """Every setting citebot reads. Field names are the environment variables, lower-cased."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    # storage
    citebot_data_dir: Path = Path(".citebot")
    citebot_seeds_dir: Path = Field(default_factory=_default_seeds_dir)
    citebot_auto_seed: bool = True
    chroma_host: str | None = None
    chroma_port: int | None = None
    chroma_ssl: bool = False
    citebot_collection_prefix: str = "citebot"

    # embeddings
    citebot_embeddings: Literal["wordllama", "openai"] = "wordllama"
    citebot_embedding_model: str = "text-embedding-3-small"

    # LLM (OpenAI-compatible)
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    citebot_llm_model: str = "gpt-4o-mini"
    citebot_llm_timeout: float = Field(default=20.0, gt=0, le=120)

    # limits
    citebot_max_question_chars: int = Field(default=1000, ge=10)
    citebot_rate_limit: int = Field(default=10, ge=0, description="questions per user per minute; 0 = off")

    # Slack
    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_api_url: str | None = None
    citebot_slack_public: bool = False
    citebot_slack_channels: str = ""
    port: int = 3000

    # Discord
    discord_token: SecretStr | None = None
    discord_guild_id: int | None = None
    discord_api_base: str | None = None
    discord_gateway_url: str | None = None
    citebot_discord_guilds: str = ""
    # sharding: "" one gateway connection; "auto" Discord's recommended count; N shards
    discord_shards: str = Field(default="", pattern=r"^(|auto|[1-9][0-9]*)$")
    discord_shard_ids: str = Field(default="", pattern=r"^([0-9]+(, *[0-9]+)*)?$")

    citebot_log_level: str = "WARNING"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from `environ` alone (tests), or from os.environ and ./.env when None."""
        try:
            if environ is None:
                return cls()
            known = set(cls.model_fields)
            values: dict[str, Any] = {
                k.lower(): v for k, v in environ.items() if k.lower() in known and v != ""
            }
            return _EnvironOnly(**values)
        except UnicodeDecodeError as exc:  # a ValueError too, but about the file, not a setting
            where = Path(".env").resolve()
            raise ConfigError(
                f"{where} is not UTF-8 text (byte {exc.start}: {exc.reason}); save it as UTF-8"
            ) from None
        except ValueError as exc:  # pydantic.ValidationError is a ValueError
            raise ConfigError(_explain(exc)) from None

    @property
    def chroma_server(self) -> bool:
        """True when a Chroma server is configured."""
        return bool(self.chroma_host)

    @property
    def llm_enabled(self) -> bool:
        """True when an LLM endpoint is configured (a key, or a base URL such as Ollama's)."""
        return self.openai_api_key is not None or bool(self.openai_base_url)

    @property
    def slack_channel_allowlist(self) -> frozenset[str]:
        return _split(self.citebot_slack_channels)

    @property
    def discord_guild_allowlist(self) -> frozenset[str]:
        return _split(self.citebot_discord_guilds)

    @property
    def discord_sharding(self) -> tuple[int | None, list[int] | None] | None:
        """(shard count or None for Discord's recommendation, this process's shard ids or None
        for all of them), or None when the bot runs unsharded."""
        if not self.discord_shards:
            if self.discord_shard_ids:
                raise ConfigError("DISCORD_SHARD_IDS needs DISCORD_SHARDS, the total number of shards")
            return None
        count = None if self.discord_shards == "auto" else int(self.discord_shards)
        ids = sorted({int(i) for i in _split(self.discord_shard_ids)}) or None
        if ids is not None and (count is None or ids[-1] >= count):
            raise ConfigError(
                "DISCORD_SHARD_IDS must be shard numbers below DISCORD_SHARDS (a number, not auto)"
            )
        return count, ids

    def require(self, name: str) -> str:
        """The value of a secret or setting that must be present, else a ConfigError naming it."""
        value = getattr(self, name.lower(), None)
        if value is None or value == "":
            raise ConfigError(f"{name.upper()} is not set: export it or add it to .env")
        if isinstance(value, SecretStr):
            return value.get_secret_value()
        return str(value)


class _EnvironOnly(Settings):
    """Settings that read only what is passed in: no os.environ, no .env file."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def _split(value: str) -> frozenset[str]:
    return frozenset(part.strip() for part in value.split(",") if part.strip())


def _explain(exc: ValueError) -> str:
    """One line naming the first bad variable, without echoing its value."""
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        name = str(first["loc"][0]).upper() if first.get("loc") else "a setting"
        return f"{name} is invalid: {first['msg']}"
    return f"invalid settings: {exc}"
