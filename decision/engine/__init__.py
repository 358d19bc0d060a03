"""Pure-Python decision engine: it must never import Django or the project's other apps."""
