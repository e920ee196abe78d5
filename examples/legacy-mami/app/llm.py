import google.generativeai as genai
import yaml
from jose import jwt

PROMPTS = yaml.safe_load(open("prompts.yml"))
genai.configure(api_key="set-me")


def token(user: str) -> str:
    return jwt.encode({"sub": user}, "secret")
