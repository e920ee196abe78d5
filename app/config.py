"""Settings of the Mami AI backend, read from the environment and `.env` (R2.2, R2.3).

Every field has a default, so a container started with an incomplete `.env` still comes up
with documented values. Field names are the environment variable names.
"""

from __future__ import annotations

import io
import json
import re
import sys
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote, urlsplit, urlunsplit

from dotenv.parser import parse_stream
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

LLM_PROVIDERS = ("groq", "gemini", "ollama")
ENV_FILE = ".env"

# Redis database indexes (R17.1, R17.2).
CELERY_REDIS_DB = 0
WORKING_MEMORY_REDIS_DB = 1

REDIS_SCHEMES = ("redis", "rediss", "unix")

_NUMBERED_KEY = re.compile(r"^(groq|gemini)_api_key_(\d+)$", re.IGNORECASE)


class NumberedApiKeysSource(PydanticBaseSettingsSource):
    """Collects `GROQ_API_KEY_1`, `GROQ_API_KEY_2`, ... (and the Gemini ones) into lists.

    pydantic-settings reads only declared names, and the number of keys is open-ended, so this
    source scans the variables the environment and `.env` sources already loaded. The
    environment wins over `.env` for the same number; keys come out ordered by number.
    """

    def __init__(
        self,
        settings_cls: type[BaseSettings],
        *loaded_sources: PydanticBaseSettingsSource,
    ) -> None:
        super().__init__(settings_cls)
        self._loaded_sources = loaded_sources

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        # Unused: __call__ builds the whole result at once.
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        found: dict[str, dict[int, str]] = {"groq": {}, "gemini": {}}
        # Lowest priority first, so later sources overwrite earlier ones.
        for source in reversed(self._loaded_sources):
            env_vars: Mapping[str, str | None] = getattr(source, "env_vars", {}) or {}
            for name, value in env_vars.items():
                match = _NUMBERED_KEY.match(name)
                if match and value is not None:
                    found[match.group(1).lower()][int(match.group(2))] = value
        result: dict[str, Any] = {}
        for provider, keys in found.items():
            if keys:
                result[f"{provider.upper()}_NUMBERED_API_KEYS"] = [
                    keys[number] for number in sorted(keys)
                ]
        return result


def _distinct_non_empty(candidates: list[str]) -> list[str]:
    """Keys in first-seen order, stripped, without blanks or repeats."""
    keys: list[str] = []
    for candidate in candidates:
        key = candidate.strip()
        if key and key not in keys:
            keys.append(key)
    return keys


def _split_commas(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=ENV_FILE,
        env_file_encoding="utf-8",
        # `.env` is shared with Docker Compose and holds variables that are not ours.
        extra="ignore",
        case_sensitive=False,
        # `VAR=` (as .env.example and Compose's ${VAR:-} produce) means "use the default".
        env_ignore_empty=True,
    )

    # --- Process -------------------------------------------------------------------------
    NODE_MODE: Literal["CORE", "WORKER"] = "CORE"
    HOST: str = "0.0.0.0"
    PORT: int = Field(default=8000, ge=1, le=65535)
    SERVICE_NAME: str = "mami-ai"

    # --- Database (R18.3) ------------------------------------------------------------------
    # Relative to the working directory: /app in the image.
    DATABASE_URL: str = "sqlite:///data/app.db"

    # --- Redis (R2.4, R17.1–R17.4) ---------------------------------------------------------
    REDIS_DSN: str | None = None  # managed Redis such as Upstash; wins over everything
    REDIS_URL: str | None = None
    REDIS_HOST: str | None = None  # unset (and no URL) = Redis not used
    REDIS_PORT: int = Field(default=6379, ge=1, le=65535)
    REDIS_PASSWORD: SecretStr | None = None
    WORKING_MEMORY_TURNS: int = Field(default=10, ge=0)
    WORKING_MEMORY_TTL_SECONDS: int = Field(default=3600, ge=1)

    # --- CORS (R19.1, R19.2) ---------------------------------------------------------------
    CORS_ORIGINS: str = "http://localhost:5173,http://127.0.0.1:5173"
    CORS_ALLOW_CREDENTIALS: bool = False

    # --- LLM providers (R16.1–R16.5) -------------------------------------------------------
    GROQ_API_KEY: SecretStr | None = None
    GROQ_API_KEYS: SecretStr | None = None  # comma-separated
    GROQ_NUMBERED_API_KEYS: list[SecretStr] = Field(default_factory=list)  # GROQ_API_KEY_<n>
    GROQ_BASE_URL: str = "https://api.groq.com/openai/v1"
    GROQ_MODEL: str = "llama-3.3-70b-versatile"

    GEMINI_API_KEY: SecretStr | None = None
    GEMINI_API_KEYS: SecretStr | None = None  # comma-separated
    GEMINI_NUMBERED_API_KEYS: list[SecretStr] = Field(default_factory=list)  # GEMINI_API_KEY_<n>
    GEMINI_BASE_URL: str | None = None  # unset = google-genai's own endpoint
    GEMINI_MODEL: str = "gemini-2.0-flash"

    OLLAMA_BASE_URL: str = "http://ollama:11434"
    OLLAMA_MODEL: str = "llama3.2"

    # JSON such as {"default": ["groq:llama-3.3-70b-versatile", "ollama:llama3.2"]};
    # unset = one "default" chain built from the three model names above.
    FALLBACK_CHAINS: dict[str, list[str]] | None = None
    LLM_TIMEOUT_SECONDS: float = Field(default=30.0, gt=0)

    # --- Logging (R10.4, R20.1–R20.3) ------------------------------------------------------
    LOG_LEVEL: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    LOG_FILE: str | None = None  # e.g. logs/app.jsonl; unset = stdout (and Elasticsearch) only
    ELASTICSEARCH_URL: str | None = None
    ELASTICSEARCH_INDEX: str = "mami-logs"
    LOG_SHIP_QUEUE_SIZE: int = Field(default=10_000, ge=1)
    LOG_SHIP_BATCH_SIZE: int = Field(default=500, ge=1)
    LOG_SHIP_TIMEOUT_SECONDS: float = Field(default=5.0, gt=0)
    LOG_SHIP_MAX_RETRIES: int = Field(default=3, ge=0)
    LOG_SHIP_FLUSH_SECONDS: float = Field(default=5.0, ge=0)  # how long shutdown may flush

    # --- Images and the worker (R15.2–R15.5) -----------------------------------------------
    INTERNAL_UPLOAD_TOKEN: SecretStr | None = None  # unset = /internal answers 503
    MAX_UPLOAD_BYTES: int = Field(default=10 * 1024 * 1024, ge=1)
    IMAGE_JOB_LEASE_SECONDS: float = Field(default=120.0, gt=0)
    IMAGE_JOB_MAX_ATTEMPTS: int = Field(default=3, ge=1)
    API_BASE_URL: str = "http://mami-ai:8000"
    WORKER_POLL_SECONDS: float = Field(default=2.0, gt=0)
    WORKER_MAX_BACKOFF_SECONDS: float = Field(default=30.0, gt=0)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        numbered = NumberedApiKeysSource(settings_cls, env_settings, dotenv_settings)
        return init_settings, env_settings, dotenv_settings, numbered, file_secret_settings

    @field_validator("NODE_MODE", "LOG_LEVEL", mode="before")
    @classmethod
    def _choices_in_any_case(cls, value: Any) -> Any:
        # Variable names are case-insensitive, so `log_level=debug` should work as well.
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("FALLBACK_CHAINS")
    @classmethod
    def _chains_name_known_providers(
        cls, chains: dict[str, list[str]] | None
    ) -> dict[str, list[str]] | None:
        for name, steps in (chains or {}).items():
            if not steps:
                raise ValueError(f"chain {name!r} is empty")
            for step in steps:
                provider, _, model = step.partition(":")
                if provider not in LLM_PROVIDERS or not model:
                    raise ValueError(
                        f"chain {name!r}: {step!r} is not 'provider:model' with provider one of "
                        f"{', '.join(LLM_PROVIDERS)}"
                    )
        return chains

    @field_validator("DATABASE_URL")
    @classmethod
    def _database_url_is_sqlite(cls, url: str) -> str:
        # Only the sqlite driver ships with the app (no Postgres driver in requirements.txt):
        # anything else would fail at the first connection with a traceback.
        try:
            backend = make_url(url).get_backend_name()
        except ArgumentError:
            raise ValueError(
                "not a database URL; use sqlite:///relative/path.db or sqlite:////absolute/path.db"
            ) from None
        if backend != "sqlite":
            raise ValueError(
                f"only sqlite databases are supported (got a {backend!r} URL); "
                "use sqlite:///relative/path.db or sqlite:////absolute/path.db"
            )
        return url

    @field_validator("REDIS_DSN", "REDIS_URL")
    @classmethod
    def _redis_urls_have_a_redis_scheme(cls, url: str | None) -> str | None:
        # Checked here so a wrong URL stops startup with one line naming the variable (and
        # without its password), not with a traceback from the first use.
        if url is None:
            return url
        try:
            scheme = urlsplit(url).scheme
        except ValueError:
            scheme = ""
        if scheme not in REDIS_SCHEMES:
            raise ValueError(
                f"must be a redis://, rediss:// or unix:// URL, not {hide_url_password(url)!r}"
            )
        return url

    @model_validator(mode="after")
    def _no_wildcard_origin_with_credentials(self) -> Settings:
        # Browsers reject `*` with credentials; refusing it here makes the mistake visible.
        if self.CORS_ALLOW_CREDENTIALS and "*" in self.get_cors_origins_list():
            raise ValueError("CORS_ORIGINS may not contain '*' when CORS_ALLOW_CREDENTIALS is true")
        return self

    # --- Derived values --------------------------------------------------------------------

    def get_redis_url(self, db: int = CELERY_REDIS_DB) -> str | None:
        """The Redis URL for database `db`: 0 = Celery queue, 1 = working memory.

        REDIS_DSN (managed Redis) wins, then REDIS_URL, else a URL built from REDIS_HOST,
        REDIS_PORT and REDIS_PASSWORD. The database index replaces the URL's own path.
        None when Redis is not configured at all.
        """
        base = self.REDIS_DSN or self.REDIS_URL
        if base:
            return _with_redis_db(base, db)
        if not self.REDIS_HOST:
            return None
        auth = ""
        if self.REDIS_PASSWORD is not None and self.REDIS_PASSWORD.get_secret_value():
            auth = ":" + quote(self.REDIS_PASSWORD.get_secret_value(), safe="") + "@"
        return f"redis://{auth}{self.REDIS_HOST}:{self.REDIS_PORT}/{db}"

    @property
    def redis_configured(self) -> bool:
        return self.get_redis_url() is not None

    def get_cors_origins_list(self) -> list[str]:
        """CORS_ORIGINS split on commas, trimmed, blanks dropped (R19.2).

        A trailing slash is dropped: browsers send `Origin` without a path, so
        `https://mami.example.com/` would never match.
        """
        return [origin.rstrip("/") or origin for origin in _split_commas(self.CORS_ORIGINS)]

    def get_groq_api_keys(self) -> list[str]:
        """Every distinct non-empty Groq key: single, comma list, then numbered (R16.3)."""
        return self._api_keys(self.GROQ_API_KEY, self.GROQ_API_KEYS, self.GROQ_NUMBERED_API_KEYS)

    def get_gemini_api_keys(self) -> list[str]:
        """Every distinct non-empty Gemini key: single, comma list, then numbered (R16.4)."""
        return self._api_keys(
            self.GEMINI_API_KEY, self.GEMINI_API_KEYS, self.GEMINI_NUMBERED_API_KEYS
        )

    @staticmethod
    def _api_keys(
        single: SecretStr | None, comma_list: SecretStr | None, numbered: list[SecretStr]
    ) -> list[str]:
        candidates: list[str] = []
        if single is not None:
            candidates.append(single.get_secret_value())
        if comma_list is not None:
            candidates.extend(_split_commas(comma_list.get_secret_value()))
        candidates.extend(key.get_secret_value() for key in numbered)
        return _distinct_non_empty(candidates)

    def get_fallback_chains(self) -> dict[str, list[str]]:
        if self.FALLBACK_CHAINS:
            return self.FALLBACK_CHAINS
        return {
            "default": [
                f"groq:{self.GROQ_MODEL}",
                f"gemini:{self.GEMINI_MODEL}",
                f"ollama:{self.OLLAMA_MODEL}",
            ]
        }

    def get_internal_token(self) -> str | None:
        if self.INTERNAL_UPLOAD_TOKEN is None:
            return None
        return self.INTERNAL_UPLOAD_TOKEN.get_secret_value() or None

    def describe(self) -> str:
        """A one-line summary for the startup log; secrets are never included."""
        return json.dumps(
            {
                "node_mode": self.NODE_MODE,
                "database": self.DATABASE_URL.split("://", 1)[0],
                "redis": self.redis_configured,
                "elasticsearch": bool(self.ELASTICSEARCH_URL),
                "cors_origins": self.get_cors_origins_list(),
                "chains": sorted(self.get_fallback_chains()),
            }
        )


def _with_redis_db(url: str, db: int) -> str:
    """Replace (or add) the database path of a redis:// or rediss:// URL."""
    parts = urlsplit(url)
    if parts.scheme not in REDIS_SCHEMES:
        # Settings refuses such URLs already; the password stays hidden all the same.
        raise ValueError(
            f"not a Redis URL (redis://, rediss:// or unix://): {hide_url_password(url)!r}"
        )
    if parts.scheme == "unix":
        # unix sockets carry the database as a query parameter, not a path
        query = "&".join(p for p in parts.query.split("&") if p and not p.startswith("db="))
        return urlunsplit(parts._replace(query="&".join(filter(None, [query, f"db={db}"]))))
    return urlunsplit(parts._replace(path=f"/{db}"))


class EnvFileError(Exception):
    """`.env` cannot be read: not UTF-8, or a line python-dotenv cannot parse."""


def check_env_file(path: Path = Path(ENV_FILE)) -> None:
    """Raise EnvFileError naming the file and line when `.env` would be misread.

    pydantic-settings would raise a bare UnicodeDecodeError for a file that is not UTF-8, and
    python-dotenv skips a line it cannot parse with only a warning, losing its settings.
    Values are never quoted back: they may be secrets.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return
    except OSError as error:
        raise EnvFileError(f"{path}: cannot be read ({error.strerror})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise EnvFileError(
            f"{path}: byte 0x{raw[error.start]:02x} at position {error.start} (line {line}) "
            "is not valid UTF-8; save the file as UTF-8"
        ) from None
    for binding in parse_stream(io.StringIO(text)):
        if binding.error:
            raise EnvFileError(
                f"{path} line {binding.original.line}: cannot be parsed (an unclosed quote?); "
                "its settings would be lost"
            )


def load_settings() -> Settings:
    """The process-wide settings after checking `.env`, for the entry points.

    Raises EnvFileError, ValidationError or SettingsError; describe_settings_error turns each
    into the lines to print.
    """
    check_env_file()
    return get_settings()


def load_settings_or_report() -> Settings | None:
    """load_settings for an entry point's main(): invalid settings are printed to stderr,
    one line each, and None is returned (the caller exits 2)."""
    try:
        return load_settings()
    except (ValidationError, SettingsError, EnvFileError) as error:
        print(describe_settings_error(error), file=sys.stderr)
        return None


def hide_url_password(value: str) -> str:
    """`scheme://user:***@host/...` for a URL with a password; anything else unchanged."""
    try:
        parts = urlsplit(value)
        password = parts.password
    except ValueError:
        return value
    if not password:
        return value
    userinfo, _, host = parts.netloc.rpartition("@")
    user = userinfo.split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


def describe_settings_error(error: ValidationError | SettingsError | EnvFileError) -> str:
    """One line per invalid setting, naming the variable; the value is shown only when it
    cannot be a secret."""
    if isinstance(error, EnvFileError):
        return f"invalid settings file: {error}"
    if isinstance(error, SettingsError):  # e.g. a value that should be JSON and is not
        return f"invalid settings (from the environment or .env): {error}"
    lines = ["invalid settings (from the environment or .env):"]
    for problem in error.errors():
        location = ".".join(str(part) for part in problem["loc"]) or "settings"
        secret = any(word in location.upper() for word in ("KEY", "TOKEN", "PASSWORD", "DSN"))
        value = problem.get("input")
        if isinstance(value, str):
            value = hide_url_password(value)
        shown = "" if secret else f" (got {value!r})"
        lines.append(f"  {location}: {problem['msg']}{shown}")
    return "\n".join(lines)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
