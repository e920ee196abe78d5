from sqlalchemy import create_engine
from sqlalchemy.orm import declarative_base

from app.config import settings

Base = declarative_base()
engine = create_engine(settings.DATABASE_URL)


def init_database_with_defaults() -> None:
    Base.metadata.create_all(engine)
