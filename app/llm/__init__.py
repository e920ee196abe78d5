"""LLM providers (Groq, Gemini, Ollama) and the fallback chain that tries them in order."""
