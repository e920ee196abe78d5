import os

REDIS_URL = os.environ["REDIS_URL"]
CORS_ORIGINS = os.getenv("CORS_ORIGINS", "*")
