"""Settings, as the project wrote them for pydantic 1."""

from pydantic import BaseSettings


class Settings(BaseSettings):
    REDIS_HOST: str = "localhost"
    REDIS_PORT: int = 6379
    REDIS_URL: str = ""
    DATABASE_URL: str = "sqlite:///./mami.db"
    SECRET_KEY: str
    CORS_ORIGINS: str = "*"

    def get_redis_url(self) -> str:
        if self.REDIS_HOST:
            return f"redis://{self.REDIS_HOST}:{self.REDIS_PORT}/0"
        return self.REDIS_URL

    class Config:
        env_file = ".env"  # shared with docker-compose


settings = Settings()
