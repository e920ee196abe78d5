"""Database start-up: directory, Alembic to the newest revision, default rows (R18.1–R18.5)."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import Session, SQLModel, select

from app.core import database
from app.models import ImageVariant


@pytest.fixture(autouse=True)
def fresh_engines() -> Any:
    yield
    database.dispose_engines()


def newest_revision() -> str:
    config = database.alembic_config("sqlite://")
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def test_startup_creates_data_dir_and_database_at_the_newest_revision(
    tmp_path: Path, make_settings: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The default URL is relative to the working directory, as in the image (/app/data).
    monkeypatch.chdir(tmp_path)
    settings = make_settings(DATABASE_URL="sqlite:///data/app.db")
    database.init_database_with_defaults(settings)

    db_file = tmp_path / "data" / "app.db"
    assert db_file.is_file()
    with sqlite3.connect(db_file) as connection:
        (version,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert version == newest_revision()
    assert {"image_job", "image_original", "image_result", "image_variant"} <= tables


def test_defaults_are_inserted_once_and_edits_survive_a_restart(
    make_settings: Callable[..., Any],
) -> None:
    settings = make_settings()
    database.init_database_with_defaults(settings)
    engine = database.get_engine(settings.DATABASE_URL)
    with Session(engine) as session:
        names = sorted(v.name for v in session.exec(select(ImageVariant)).all())
        assert names == sorted(v.name for v in database.DEFAULT_IMAGE_VARIANTS)
        thumbnail = session.get(ImageVariant, "thumbnail")
        assert thumbnail is not None
        thumbnail.max_edge = 300
        session.add(thumbnail)
        session.commit()

    database.init_database_with_defaults(settings)  # second start

    with Session(engine) as session:
        variants = session.exec(select(ImageVariant)).all()
        assert len(variants) == len(database.DEFAULT_IMAGE_VARIANTS)
        assert session.get(ImageVariant, "thumbnail").max_edge == 300  # type: ignore[union-attr]


def test_migrations_are_found_from_any_working_directory(
    tmp_path: Path, make_settings: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    settings = make_settings(DATABASE_URL=f"sqlite:///{tmp_path}/x/app.db")
    database.init_database_with_defaults(settings)
    assert (tmp_path / "x" / "app.db").is_file()


def test_a_broken_migration_raises_with_a_clear_message_and_a_log_line(
    tmp_path: Path, make_settings: Callable[..., Any], caplog: pytest.LogCaptureFixture
) -> None:
    migrations = tmp_path / "migrations"
    shutil.copytree(database.MIGRATIONS_DIR, migrations)
    head = newest_revision()
    (migrations / "versions" / "9999_broken.py").write_text(
        f'''"""A migration that fails."""
from alembic import op

revision = "9999"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE no_such_table ADD COLUMN x INTEGER")


def downgrade() -> None:
    pass
''',
        encoding="utf-8",
    )
    settings = make_settings()
    with pytest.raises(database.MigrationError, match="database migration failed.*no_such_table"):
        database.init_database_with_defaults(settings, migrations_dir=migrations)
    assert any(
        record.levelname == "CRITICAL" and "refusing to start" in record.getMessage()
        for record in caplog.records
    )


def test_a_database_that_conflicts_with_the_first_migration_stops_startup(
    tmp_path: Path, make_settings: Callable[..., Any]
) -> None:
    db_file = tmp_path / "data" / "app.db"
    db_file.parent.mkdir()
    with sqlite3.connect(db_file) as connection:
        connection.execute("CREATE TABLE image_job (something TEXT)")
    with pytest.raises(database.MigrationError, match="already exists"):
        database.init_database_with_defaults(make_settings())


def test_models_and_migrations_agree(make_settings: Callable[..., Any]) -> None:
    """Autogenerate finds no difference between the migrated schema and the models."""
    settings = make_settings()
    database.upgrade_to_newest(settings.DATABASE_URL)
    with database.get_engine(settings.DATABASE_URL).connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


def test_sqlite_path_of_urls() -> None:
    assert database.sqlite_path("sqlite:///data/app.db") == Path("data/app.db")
    assert database.sqlite_path("sqlite:////abs/app.db") == Path("/abs/app.db")
    assert database.sqlite_path("sqlite://") is None
    assert database.sqlite_path("sqlite:///:memory:") is None
    assert database.sqlite_path("postgresql://u:p@db/mami") is None
