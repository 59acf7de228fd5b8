"""Size limits on a bundle's inputs (a light module: the CLI reads them before any heavy import)."""

from __future__ import annotations

from dataclasses import dataclass

# The largest scale word is "trillion": from a thousand trillion on a figure would read
# "1,000 trillion", "1,000,000 trillion"… and no reader could take it in, so none is printed,
# neither as a metric nor as a table cell.
MAX_FIGURE = 10.0**15


@dataclass(frozen=True)
class Limits:
    """What one bundle may hold: far above any real briefing, low enough that a hostile bundle
    ends in seconds and well under a gigabyte of memory."""

    max_rows: int = 2_000_000  # rows per table
    max_table_bytes: int = 256 * 1024 * 1024  # per table file, and per Parquet table once decoded
    max_bundle_table_bytes: int = 256 * 1024 * 1024  # all table files of a bundle (or max_table_bytes if higher)
    max_table_cells: int = 20_000_000  # rows × columns of a bundle's tables together: what they cost in memory
    max_table_columns: int = 1_000  # columns in a table file's header
    max_manifest_bytes: int = 1024 * 1024  # bundle.yaml
    max_yaml_nodes: int = 100_000  # values in bundle.yaml once its aliases are expanded
    max_text_chars: int = 150_000  # characters of bundle.yaml's text, aliases expanded (about 50 pages)
    max_list_items: int = 200  # items of any list in bundle.yaml not limited below (sources, sections…)
    max_metrics: int = 200
    max_tables: int = 30  # tables and views each
    max_charts: int = 30
    max_placements: int = 60  # charts and tables placed in sections, together (one may be placed often)
