"""Tables and views as a reader sees them: category values by their display labels, and
booleans in the data's own words ("Yes"/"No"), for charts, tables and alt text alike.

Conditions and counts work on the values as read; only what is shown is relabelled, once,
so a legend, an axis and a data table never disagree.
"""

from __future__ import annotations

import pandas as pd

from reportgen.bundle.model import Bundle, Column, ColumnType


def shown_frames(model: Bundle, frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """``frames`` (tables and views by id) with every labelled or boolean column relabelled."""
    declared = {t.id: {c.name: c for c in t.columns} for t in model.tables}
    words = {table_id: frame.attrs.get("boolean_words", {}) for table_id, frame in frames.items()}
    for view in model.views:  # a view's group_by columns are its table's columns
        declared[view.id] = {name: c for name, c in declared.get(view.table, {}).items() if name in view.group_by}
        words[view.id] = words.get(view.table, {})
    return {frame_id: _shown(frame, declared.get(frame_id, {}), words.get(frame_id, {}))
            for frame_id, frame in frames.items()}


def _shown(frame: pd.DataFrame, columns: dict[str, Column], words: dict[str, tuple[str, str]]) -> pd.DataFrame:
    changed = {name: shown for name, column in columns.items() if name in frame.columns
               if (shown := shown_values(frame[name], column, words.get(name))) is not None}
    if not changed:
        return frame
    result = frame.assign(**changed)
    result.attrs = dict(frame.attrs)
    return result


def shown_values(values: pd.Series, column: Column, words: tuple[str, str] | None = None) -> pd.Series | None:
    """The column as shown, or None when it is shown as read."""
    if column.type is ColumnType.BOOLEAN:
        yes, no = words or ("Yes", "No")
        return values.map({True: yes, False: no}).astype("string")
    if column.labels:
        if isinstance(values.dtype, pd.CategoricalDtype):
            labels = {c: column.labels.get(str(c), c) for c in values.cat.categories}
            if len(set(labels.values())) == len(labels):  # two values labelled alike cannot be categories
                return values.cat.rename_categories(labels)
        return values.map(lambda v: column.labels.get(str(v), str(v)) if pd.notna(v) else pd.NA).astype("string")
    return None
