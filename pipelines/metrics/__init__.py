"""The read API: small typed functions over the warehouse marts, each taking the Viewer first.

Every public function applies the viewer's scope (a manager sees their reporting subtree as of
the date, an executive no person-level rows) and suppresses aggregate cells that cover fewer
people than settings.min_group_size.
"""

from __future__ import annotations

from pipelines.metrics.context import Context, connect_context, open_context

__all__ = ["Context", "connect_context", "open_context"]
