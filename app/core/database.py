"""The database: engine, migrations at startup and default rows (R18.1–R18.5)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from threading import Lock

from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

from app.config import Settings
from app.core.logger import get_logger
from app.models import ImageVariant

logger = get_logger(__name__)

# alembic.ini and migrations/ sit beside app/ (in the repository and at /app in the image);
# found from this file, so the working directory does not matter.
PROJECT_ROOT = Path(__file__).resolve().parents[2]
ALEMBIC_INI = PROJECT_ROOT / "alembic.ini"
MIGRATIONS_DIR = PROJECT_ROOT / "migrations"

DEFAULT_IMAGE_VARIANTS = (
    ImageVariant(name="thumbnail", max_edge=256, format="WEBP", quality=80),
    ImageVariant(name="large", max_edge=1280, format="WEBP", quality=85),
)

_engines: dict[str, Engine] = {}
_engines_lock = Lock()


class MigrationError(RuntimeError):
    """The database could not be brought to the newest revision; the app must not start."""


def get_engine(database_url: str) -> Engine:
    """One engine per URL for the whole process."""
    with _engines_lock:
        engine = _engines.get(database_url)
        if engine is None:
            engine = _create_engine(database_url)
            _engines[database_url] = engine
        return engine


def dispose_engines() -> None:
    with _engines_lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


def _create_engine(database_url: str) -> Engine:
    if make_url(database_url).get_backend_name() != "sqlite":
        return create_engine(database_url, pool_pre_ping=True)
    # The API serves requests from a thread pool; wait for a writer rather than fail at once.
    engine = create_engine(database_url, connect_args={"check_same_thread": False, "timeout": 15})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


def sqlite_path(database_url: str) -> Path | None:
    """The file of a file-backed sqlite URL (relative to the working directory), else None."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return None
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)


def ensure_sqlite_directory(database_url: str) -> None:
    """Create the directory of the sqlite file (R18.4): `data/` in the image.

    Raises MigrationError when it cannot be created, so startup refuses with a clear line.
    """
    path = sqlite_path(database_url)
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise MigrationError(
            f"cannot create the directory {path.parent} of the sqlite database "
            f"({error.strerror or error}); check DATABASE_URL and the volume's permissions"
        ) from None


def alembic_config(database_url: str, migrations_dir: Path | None = None):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    config = Config(str(ALEMBIC_INI)) if ALEMBIC_INI.is_file() else Config()
    config.set_main_option("script_location", str(migrations_dir or MIGRATIONS_DIR))
    # ConfigParser treats % as interpolation; URLs may contain percent-encoded passwords.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.attributes["configure_logging"] = False  # our handlers are already in place
    return config


def upgrade_to_newest(database_url: str, migrations_dir: Path | None = None) -> None:
    """Apply every Alembic migration not yet applied (R18.2)."""
    from alembic import command

    ensure_sqlite_directory(database_url)
    config = alembic_config(database_url, migrations_dir)
    engine = get_engine(database_url)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except Exception as error:
        raise MigrationError(
            f"database migration failed ({type(error).__name__}: {error}); "
            f"database {make_url(database_url).render_as_string(hide_password=True)}, "
            f"migrations in {migrations_dir or MIGRATIONS_DIR}"
        ) from error


def insert_default_rows(database_url: str) -> None:
    """Rows the app needs, inserted once; rows already there (even edited ones) are kept."""
    with Session(get_engine(database_url)) as session:
        for variant in DEFAULT_IMAGE_VARIANTS:
            if session.get(ImageVariant, variant.name) is None:
                session.add(ImageVariant.model_validate(variant.model_dump()))
        session.commit()


def init_database_with_defaults(settings: Settings, migrations_dir: Path | None = None) -> None:
    """Run at every API start (R18.1): data directory (R18.4), migrations, default rows.

    Raises MigrationError (after logging it) when the migrations fail, so the app refuses to
    start (R18.5) instead of serving with a schema it does not expect.
    """
    try:
        upgrade_to_newest(settings.DATABASE_URL, migrations_dir)
    except MigrationError as error:
        logger.critical("refusing to start: %s", error)
        raise
    insert_default_rows(settings.DATABASE_URL)
    logger.info("database ready at the newest migration")


def database_is_up(database_url: str) -> tuple[bool, str | None]:
    try:
        with get_engine(database_url).connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:
        return False, f"{type(error).__name__}: {error}"[:300]
    return True, None


def session_for(database_url: str) -> Iterator[Session]:
    with Session(get_engine(database_url)) as session:
        yield session
