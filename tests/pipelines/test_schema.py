from pathlib import Path

from pipelines.schema import ENTITIES, contract_markdown

DOC = Path(__file__).parents[2] / "docs" / "data-contract.md"


def test_data_contract_doc_lists_every_entity_and_column_as_in_code():
    # regenerate with: python -c "from pipelines.schema import contract_markdown; print(contract_markdown())"
    text = DOC.read_text()
    assert text.endswith(contract_markdown())
    for entity in ENTITIES.values():
        for column in entity.columns:
            assert f"| `{column.name}` |" in text
