"""Image jobs: formats the API accepts, the processing the worker does, the worker itself."""
