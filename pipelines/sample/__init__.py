"""The bundled sample support organisation: a seeded simulation written in vendor export formats."""

from pipelines.sample.generate import generate_sample

__all__ = ["generate_sample"]
