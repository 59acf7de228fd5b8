"""Property-based: mutated and random manifests and CSVs always give clean, positioned errors.

The loader and checks must never raise for bad input; every problem must point at a real file
with a 1-based position. Kept under ~30 s with small ``max_examples``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bundle.builders import BASE_CSV, BASE_YAML, VALID_YAML, write_bundle
from reportgen.limits import Limits
from reportgen.validation import validate

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
LIMITS = Limits(max_rows=1000, max_table_bytes=100_000, max_yaml_nodes=5000)


def assert_clean(yaml_data: bytes, csv_data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = write_bundle(Path(folder) / "b", yaml_data, {"rows.csv": csv_data})
        result = validate(root, strict=True, limits=LIMITS)  # must not raise
        for problem in result.problems:
            assert problem.line >= 1 and problem.col >= 1, problem
            assert problem.message and "\n" not in problem.message, problem
            assert Path(problem.path).name in ("bundle.yaml", "rows.csv"), problem
            assert "Traceback" not in problem.message


def mutate(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    out = bytearray(data)
    for position, delete, insert in edits:
        position %= len(out) + 1
        out[position:position + delete] = insert
    return bytes(out)


YAML_BITS = st.sampled_from([
    b":", b"- ", b"\n", b"  ", b"\t", b"{", b"}", b"[", b"]", b"&a ", b"*a", b"<<: ", b"!!str ", b"!!binary ",
    b"'", b'"', b"#", b"---\n", b"~", b"null", b"-1", b".nan", b"1e999", b"2026-13-45", b"TLP:WHITE",
    b"\xff", b"\x00", b"{accounts}", b"{{", b"..", b"/etc/passwd", b"formula: total", b"?", b"|", b">",
])
EDITS = st.lists(st.tuples(st.integers(0, 2000), st.integers(0, 8), YAML_BITS | st.binary(max_size=6)),
                 min_size=1, max_size=6)


@SETTINGS
@given(EDITS)
def test_mutated_manifest(edits):
    assert_clean(mutate(VALID_YAML.encode(), edits), BASE_CSV.encode())


@SETTINGS
@given(st.lists(st.tuples(st.integers(0, 200), st.integers(0, 4),
                          st.sampled_from([b",", b'"', b"\n", b"\r\n", b"", b"x", b"-1", b"1e30", b"inf",
                                           b"2026-02-30", b"NA", b"\xe9", b"\x00", b";"]) | st.binary(max_size=4)),
                min_size=1, max_size=6))
def test_mutated_csv(edits):
    assert_clean(VALID_YAML.encode(), mutate(BASE_CSV.encode(), edits))


CELL = st.one_of(st.integers(-10**25, 10**25).map(str), st.floats(allow_nan=True).map(str),
                 st.text(alphabet=st.characters(codec="utf-8"), max_size=8), st.just("2026-01-01"))


@SETTINGS
@given(st.lists(st.lists(CELL, min_size=0, max_size=5), max_size=8))
def test_random_csv_rows(rows):
    import csv
    import io
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["name", "exchanges", "day"])
    writer.writerows(rows)
    assert_clean(VALID_YAML.encode(), buffer.getvalue().encode("utf-8", "surrogatepass"))


# Random but well-formed manifests: valid YAML of arbitrary shape, so the schema layer is exercised.
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12),
                    st.sampled_from(["rows", "src-a", "accounts", "total", "sum", "count", "share",
                                     "TLP:WHITE", "nearly 25,000", "../x.csv", "rows.csv", "2026-11"]))
FIELDS = st.sampled_from(["id", "title", "as_of", "audience", "authors", "tlp", "summary", "sources",
                          "metrics", "tables", "views", "charts", "sections", "key_figures", "value",
                          "stated", "formula", "aggregate", "check", "table", "function", "column",
                          "where", "match", "file", "columns", "group_by", "name", "type", "soruce"])
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(FIELDS, inner, max_size=5), max_leaves=25)


@SETTINGS
@given(st.dictionaries(FIELDS, VALUES, max_size=10))
@example({"id": None, "sections": [{"id": None, "tables": True}]})  # placements counted only in lists
def test_random_manifest_shapes(document):
    import yaml
    assert_clean(yaml.safe_dump(document, allow_unicode=True).encode(), BASE_CSV.encode())


@SETTINGS
@given(st.sampled_from(["metrics", "tables", "sources"]), st.integers(0, 2), VALUES)
def test_valid_manifest_with_one_field_replaced(section, index, value):
    import yaml
    document = yaml.safe_load(BASE_YAML)
    items = document[section]
    item = items[index % len(items)]
    key = sorted(item)[index % len(item)]
    item[key] = value
    assert_clean(yaml.safe_dump(document, allow_unicode=True).encode(), BASE_CSV.encode())
