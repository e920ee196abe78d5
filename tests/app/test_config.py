"""Settings (R2.2–R2.4, R16.3–R16.5, R17.1–R17.4, R18.3, R19.2)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from app.config import Settings, describe_settings_error, get_settings

SETTINGS_ENV_NAMES = (
    "NODE_MODE",
    "DATABASE_URL",
    "REDIS_DSN",
    "REDIS_URL",
    "REDIS_HOST",
    "REDIS_PORT",
    "REDIS_PASSWORD",
    "CORS_ORIGINS",
    "GROQ_API_KEY",
    "GROQ_API_KEYS",
    "GEMINI_API_KEY",
    "GEMINI_API_KEYS",
    "FALLBACK_CHAINS",
    "ELASTICSEARCH_URL",
    "LOG_LEVEL",
    "INTERNAL_UPLOAD_TOKEN",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No variable of the developer's shell, and no .env of theirs, leaks into a test."""
    import os

    for name in list(os.environ):
        if name.upper() in SETTINGS_ENV_NAMES or name.upper().startswith(
            ("GROQ_API_KEY_", "GEMINI_API_KEY_")
        ):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_every_field_has_a_default_and_the_database_is_sqlite_in_data() -> None:
    settings = Settings(_env_file=None)
    assert settings.NODE_MODE == "CORE"
    assert settings.DATABASE_URL == "sqlite:///data/app.db"
    assert settings.PORT == 8000
    assert settings.get_redis_url() is None
    assert settings.ELASTICSEARCH_URL is None
    assert settings.get_groq_api_keys() == []
    assert settings.OLLAMA_BASE_URL == "http://ollama:11434"
    assert settings.GROQ_BASE_URL == "https://api.groq.com/openai/v1"
    assert settings.GEMINI_BASE_URL is None
    assert settings.API_BASE_URL == "http://mami-ai:8000"
    assert settings.MAX_UPLOAD_BYTES == 10 * 1024 * 1024


def test_values_come_from_the_env_file_and_the_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text(
        "NODE_MODE=WORKER\nLOG_LEVEL=DEBUG\nCORS_ORIGINS=https://mami.example\n"
        "SOME_COMPOSE_ONLY_VARIABLE=ignored\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    settings = Settings()
    assert settings.NODE_MODE == "WORKER"
    assert settings.LOG_LEVEL == "WARNING"
    assert settings.get_cors_origins_list() == ["https://mami.example"]


def test_the_env_example_of_the_repository_loads_and_empty_means_default(
    tmp_path: Path,
) -> None:
    example = Path(__file__).resolve().parents[2] / ".env.example"
    env_file = tmp_path / ".env"
    env_file.write_text(
        (example.read_text(encoding="utf-8") if example.is_file() else "")
        + "\nFALLBACK_CHAINS=\nREDIS_PORT=\nCORS_ORIGINS=\n",
        encoding="utf-8",
    )
    settings = Settings(_env_file=env_file)
    assert settings.get_redis_url() is None
    assert settings.REDIS_PORT == 6379
    assert settings.get_fallback_chains()["default"][0].startswith("groq:")
    assert settings.get_cors_origins_list() == Settings(_env_file=None).get_cors_origins_list()
    assert settings.get_groq_api_keys() == []


def test_invalid_values_are_refused_with_the_field_named() -> None:
    with pytest.raises(ValidationError, match="NODE_MODE"):
        Settings(_env_file=None, NODE_MODE="BOTH")
    with pytest.raises(ValidationError, match="PORT"):
        Settings(_env_file=None, PORT="eighty")


def test_get_settings_is_cached() -> None:
    get_settings.cache_clear()
    try:
        assert get_settings() is get_settings()
    finally:
        get_settings.cache_clear()


# --- Redis ---------------------------------------------------------------------------------


def test_redis_url_is_built_from_host_port_and_password() -> None:
    settings = Settings(
        _env_file=None, REDIS_HOST="redis", REDIS_PORT=6380, REDIS_PASSWORD="s3cret"
    )
    assert settings.get_redis_url(0) == "redis://:s3cret@redis:6380/0"
    assert settings.get_redis_url(1) == "redis://:s3cret@redis:6380/1"


def test_redis_password_is_percent_encoded() -> None:
    settings = Settings(_env_file=None, REDIS_HOST="redis", REDIS_PASSWORD="p@ss:w/rd")
    assert settings.get_redis_url(0) == "redis://:p%40ss%3Aw%2Frd@redis:6379/0"


def test_redis_url_wins_over_host_and_port() -> None:
    settings = Settings(
        _env_file=None, REDIS_URL="redis://cache:6379/5", REDIS_HOST="ignored", REDIS_PORT=1
    )
    assert settings.get_redis_url(0) == "redis://cache:6379/0"
    assert settings.get_redis_url(1) == "redis://cache:6379/1"


def test_redis_dsn_wins_over_everything() -> None:
    settings = Settings(
        _env_file=None,
        REDIS_DSN="rediss://default:token@eu1.upstash.io:6379",
        REDIS_URL="redis://cache:6379/0",
        REDIS_HOST="redis",
    )
    assert settings.get_redis_url(0) == "rediss://default:token@eu1.upstash.io:6379/0"
    assert settings.get_redis_url(1) == "rediss://default:token@eu1.upstash.io:6379/1"


def test_redis_url_keeps_its_query() -> None:
    settings = Settings(_env_file=None, REDIS_URL="rediss://h:6380/3?ssl_cert_reqs=none")
    assert settings.get_redis_url(1) == "rediss://h:6380/1?ssl_cert_reqs=none"


@pytest.mark.parametrize("name", ["REDIS_DSN", "REDIS_URL"])
def test_a_non_redis_url_is_refused_naming_the_variable_without_its_password(name: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None, **{name: "https://default:S3CRETPW@up.example:6379"})
    described = describe_settings_error(caught.value)
    assert f"{name}: Value error, must be a redis://, rediss:// or unix:// URL" in described
    assert "S3CRETPW" not in described


def test_a_database_url_password_is_hidden_in_the_settings_error() -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None, DATABASE_URL="sqlite:///x.db", REDIS_URL="http://u:S3CRETPW@h")
    assert "S3CRETPW" not in describe_settings_error(caught.value)


# --- CORS ----------------------------------------------------------------------------------


def test_cors_origins_split_trimmed_without_empties() -> None:
    settings = Settings(
        _env_file=None, CORS_ORIGINS=" http://localhost:5173 ,,https://mami.example, "
    )
    assert settings.get_cors_origins_list() == ["http://localhost:5173", "https://mami.example"]


def test_cors_origins_lose_a_trailing_slash() -> None:
    settings = Settings(_env_file=None, CORS_ORIGINS="http://localhost:5173/,https://mami.example//")
    assert settings.get_cors_origins_list() == ["http://localhost:5173", "https://mami.example"]


def test_wildcard_origin_with_credentials_is_refused() -> None:
    with pytest.raises(ValidationError, match="may not contain"):
        Settings(_env_file=None, CORS_ORIGINS="*", CORS_ALLOW_CREDENTIALS=True)
    assert Settings(_env_file=None, CORS_ORIGINS="*").get_cors_origins_list() == ["*"]


# --- LLM keys and chains -------------------------------------------------------------------


def test_groq_keys_single_list_and_numbered_distinct_in_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GROQ_API_KEY", "gsk_a")
    monkeypatch.setenv("GROQ_API_KEYS", "gsk_b, gsk_a,,gsk_c ")
    monkeypatch.setenv("GROQ_API_KEY_2", "gsk_e")
    monkeypatch.setenv("GROQ_API_KEY_1", "gsk_d")
    monkeypatch.setenv("GROQ_API_KEY_10", "gsk_f")
    monkeypatch.setenv("GROQ_API_KEY_3", "  ")
    assert Settings(_env_file=None).get_groq_api_keys() == [
        "gsk_a",
        "gsk_b",
        "gsk_c",
        "gsk_d",
        "gsk_e",
        "gsk_f",
    ]


def test_gemini_keys_from_env_file_numbered_and_environment_override(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text(
        "GEMINI_API_KEY=AIza-one\nGEMINI_API_KEY_1=AIza-file-1\nGEMINI_API_KEY_2=AIza-two\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("GEMINI_API_KEY_1", "AIza-env-1")
    settings = Settings()
    assert settings.get_gemini_api_keys() == ["AIza-one", "AIza-env-1", "AIza-two"]
    assert settings.get_groq_api_keys() == []


def test_keys_never_appear_in_the_settings_repr() -> None:
    settings = Settings(_env_file=None, GROQ_API_KEY="gsk_secret", INTERNAL_UPLOAD_TOKEN="tok")
    assert "gsk_secret" not in repr(settings)
    assert "gsk_secret" not in settings.describe()
    assert "tok" not in settings.describe()


def test_default_chain_is_built_from_the_model_names() -> None:
    settings = Settings(_env_file=None, GEMINI_MODEL="gemini-2.5-flash")
    assert settings.get_fallback_chains() == {
        "default": ["groq:llama-3.3-70b-versatile", "gemini:gemini-2.5-flash", "ollama:llama3.2"]
    }


def test_fallback_chains_read_as_json_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(
        "FALLBACK_CHAINS", '{"default": ["groq:llama-3.1-8b-instant"], "local": ["ollama:qwen3"]}'
    )
    assert Settings(_env_file=None).get_fallback_chains() == {
        "default": ["groq:llama-3.1-8b-instant"],
        "local": ["ollama:qwen3"],
    }


@pytest.mark.parametrize(
    "chains, message",
    [
        ({"default": ["openai:gpt-4o"]}, "provider one of groq, gemini, ollama"),
        ({"default": ["groq"]}, "provider:model"),
        ({"default": []}, "is empty"),
    ],
)
def test_a_malformed_chain_is_refused(chains: dict[str, list[str]], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Settings(_env_file=None, FALLBACK_CHAINS=chains)


def test_internal_token_empty_means_unset() -> None:
    assert Settings(_env_file=None, INTERNAL_UPLOAD_TOKEN="").get_internal_token() is None
    assert Settings(_env_file=None, INTERNAL_UPLOAD_TOKEN="t").get_internal_token() == "t"


def test_choices_are_accepted_in_any_case() -> None:
    # Variable names are case-insensitive; lower-case values are just as common in .env files.
    settings = Settings(_env_file=None, NODE_MODE="worker", LOG_LEVEL="debug")
    assert settings.NODE_MODE == "WORKER"
    assert settings.LOG_LEVEL == "DEBUG"


def test_an_unknown_choice_is_still_refused() -> None:
    with pytest.raises(ValidationError, match="NODE_MODE"):
        Settings(_env_file=None, NODE_MODE="both")
