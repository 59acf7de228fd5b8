"""yamlsource: positions of values and keys, duplicate keys, alias limits, read_text."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.bundle.yamlsource import load_yaml, read_text
from reportgen.problems import Problems


def load(tmp_path: Path, text: str | bytes, **limits):
    path = tmp_path / "x.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    problems = Problems()
    data, positions = load_yaml(path, problems, max_bytes=limits.get("max_bytes", 10**6),
                                max_nodes=limits.get("max_nodes", 10**5))
    return data, positions, [(p.line, p.col, p.message) for p in problems.items]


def test_positions_of_values_and_keys(tmp_path):
    data, pos, problems = load(tmp_path, "a: 1\nb:\n  - x\n  - {c: d}\n")
    assert problems == [] and data == {"a": 1, "b": ["x", {"c": "d"}]}
    assert pos.of(("a",)) == (1, 4)
    assert pos.of(("a",), key=True) == (1, 1)
    assert pos.of(("b", 1, "c")) == (4, 9)
    assert pos.of(("b", 1, "c"), key=True) == (4, 6)
    # Unknown paths fall back to the nearest recorded ancestor.
    assert pos.of(("b", 1, "zzz")) == (4, 5)
    assert pos.of(("nothing",)) == (1, 1)


def test_inside_plain_quoted_and_literal_scalars(tmp_path):
    text = 'p: hello {x}\nq: "hi {x}"\nr: |\n  one\n    two {x}\n'
    data, pos, _ = load(tmp_path, text)
    assert pos.inside(("p",), data["p"], data["p"].index("{x}")) == (1, 10)
    assert pos.inside(("q",), data["q"], data["q"].index("{x}")) == (2, 8)
    assert pos.inside(("r",), data["r"], data["r"].index("{x}")) == (5, 9)


def test_inside_folded_scalar_falls_back_to_its_start(tmp_path):
    data, pos, _ = load(tmp_path, "f: >-\n  one\n  two {x}\n")
    assert pos.inside(("f",), data["f"], data["f"].index("{x}")) == pos.of(("f",)) == (1, 4)


def test_duplicate_keys_keep_the_first(tmp_path):
    data, _, problems = load(tmp_path, "a: 1\nb: 2\na: 3\n")
    assert data == {"a": 1, "b": 2}
    assert problems == [(3, 1, "duplicate key 'a' (first defined on line 1)")]


def test_merge_keys_are_resolved(tmp_path):
    data, _, problems = load(tmp_path, "base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n")
    assert problems == [] and data["other"] == {"x": 1, "y": 2}


def test_alias_bomb_is_bounded(tmp_path):
    text = "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8))
    data, _, problems = load(tmp_path, text, max_nodes=1000)
    assert data is None
    assert problems == [(1, 1, "document expands to more than 1,000 values")]


def test_impossible_timestamp_stays_text(tmp_path):
    data, pos, problems = load(tmp_path, "d: 2026-13-45\n")
    assert problems == [] and data == {"d": "2026-13-45"} and pos.of(("d",)) == (1, 4)


def test_python_tags_are_never_constructed(tmp_path):
    # Collections are walked as plain data whatever their tag; scalars go to the safe constructor.
    data, _, problems = load(tmp_path, "a: !!python/object/apply:os.system ['true']\n")
    assert problems == [] and data == {"a": ["true"]}
    data, _, problems = load(tmp_path, "a: !!python/name:os.system ''\n")
    assert data is None and len(problems) == 1 and problems[0][0:2] == (1, 4)
    assert "could not determine a constructor for the tag 'tag:yaml.org,2002:python/name:os.system'" in problems[0][2]


@pytest.mark.parametrize("data,message", [
    (b"", "file is empty"),
    (b"a: \xff\n", "file is not UTF-8 (byte 0xff)"),
])
def test_read_text_refusals(tmp_path, data, message):
    path = tmp_path / "f"
    path.write_bytes(data)
    problems = Problems()
    assert read_text(path, problems, max_bytes=100) is None
    assert [p.message for p in problems.items] == [message]


def test_read_text_position_of_bad_byte(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"ok\nab\xffc\n")
    problems = Problems()
    read_text(path, problems, max_bytes=100)
    assert (problems.items[0].line, problems.items[0].col) == (2, 3)


def test_deep_nesting_is_refused_before_libyaml_can_crash(make_bundle):
    from bundle.builders import formatted

    depth = 50_000
    folder = make_bundle("id: x\nfoo: " + "[" * depth + "]" * depth + "\n")
    (line,) = formatted(folder)
    # Column 105 where our limit trips; newer libyaml (PyYAML 6.0.4) stops the scan itself at 1,000.
    assert line.startswith(("b0/bundle.yaml:2:105: error: YAML nests deeper than 100 levels",
                            "b0/bundle.yaml:2:1005: error: YAML nests deeper than 100 levels"))
