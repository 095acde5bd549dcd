"""Start the dashboard: `python -m ui.serve [streamlit options]`, i.e. `streamlit run app.py`
with Streamlit's legacy pages/ folder mode off from the very first visit (see ui.navigation)."""

from __future__ import annotations

import sys
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app.py"


def main() -> None:
    from streamlit.web import cli

    from ui.navigation import disable_legacy_pages_folder

    disable_legacy_pages_folder()  # the server runs in this process: the flag holds for every session
    sys.argv = ["streamlit", "run", str(APP), *sys.argv[1:]]
    cli.main()


if __name__ == "__main__":
    main()
