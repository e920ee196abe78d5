"""HTTP routes: health, chat, image jobs, and the worker's internal endpoints."""
