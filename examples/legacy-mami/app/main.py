import logging
import os

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app.database import init_database_with_defaults

logger = logging.getLogger(__name__)

app = FastAPI()
app.add_middleware(
    CORSMiddleware,
    allow_origins=["*"],
    allow_credentials=True,
    allow_methods=["*"],
    allow_headers=["*"],
)

REDIS_URL = os.getenv("REDIS_URL", "redis://localhost:6379")


@app.on_event("startup")
def startup() -> None:
    print("Mami AI starting, redis at", REDIS_URL)
    try:
        init_database_with_defaults()
    except Exception as error:
        logger.error("database setup failed: %s", error)


@app.get("/ping")
def ping() -> dict[str, str]:
    return {"status": "ok"}
