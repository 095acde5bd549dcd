"""Every metric has a definition in code and the same text, with formula, grain and edge cases, in docs/metrics.md."""

from __future__ import annotations

from pathlib import Path

from pipelines.metrics.definitions import DEFINITIONS
from pipelines.metrics.summary import SUMMARY_KEYS

DOCS = Path(__file__).resolve().parents[3] / "docs" / "metrics.md"


def _sections() -> dict[str, str]:
    text = DOCS.read_text(encoding="utf-8")
    parts = text.split("\n### `")[1:]
    return {part.split("`", 1)[0]: part for part in parts}


def test_every_summary_key_is_defined():
    assert set(SUMMARY_KEYS) <= set(DEFINITIONS)


def test_docs_match_the_code_definitions():
    sections = _sections()
    assert set(sections) == set(DEFINITIONS)
    for key, text in DEFINITIONS.items():
        body = sections[key]
        assert text in body, key
        for label in ("**Grain:**", "**Formula:**", "**Edge cases:**"):
            assert label in body, (key, label)
