"""A table a person opens one row of: the Library (a document's chunks) and Evals (a
question's answer and details) pages show what is picked below the table."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st


def pick_row(
    table: pd.DataFrame, key: str, column_config: dict[str, Any] | None = None
) -> int | None:
    """Show ``table`` full width; the position of the row the person selected, or None."""
    event = st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key=key,
        column_config=column_config,
    )
    rows = event.selection.rows if event else []
    return rows[0] if rows else None
