"""Markdown nested deeper than the renderers handle is refused by `validate`, at the field's line.

Issue #10, class 9: 1,000 nested emphasis marks passed `validate` and crashed the PDF build with
RecursionError (WeasyPrint styles nested elements recursively; it failed between 400 and 500
levels of emphasis here). And blockquotes past the parser's 20 levels silently lost their text.
Validation now counts how deep the briefing's own Markdown parser nests each narrative field.
"""

from __future__ import annotations

import pytest

from bundle.builders import VALID_YAML, edit, line_of, write_bundle
from conftest import FIXED_EPOCH
from reportgen.bundle import narrative
from reportgen.cli.main import main
from reportgen.validation import validate

LIMIT = narrative.MAX_MARKDOWN_DEPTH


def emphasis(levels: int, middle: str = "b") -> str:
    """``*a *a b* c* c*``: emphasis ``levels`` deep (with its paragraph, depth levels + 1)."""
    return "*a " * levels + middle + "*" + " c*" * (levels - 1)


def quotes(levels: int) -> str:
    return "> " * levels + "x"


def nested_list(levels: int) -> list[str]:
    return ["  " * i + "- item" for i in range(levels)]


def with_body(lines: list[str]) -> str:
    """The valid test bundle with one section whose body is ``lines``."""
    body = "".join(f"      {line}\n" for line in lines)
    return VALID_YAML + f"sections:\n  - id: s\n    heading: A section\n    body: |\n{body}"


def test_the_issues_payload_is_refused_at_the_fields_line(tmp_path, monkeypatch, capsys):
    yaml_text = with_body([emphasis(1000)])
    monkeypatch.chdir(tmp_path)
    write_bundle(tmp_path / "b", yaml_text)
    assert main(["validate", "b"]) == 2
    out, err = capsys.readouterr()
    line = line_of(yaml_text, "body: |")
    assert out == (f"b/bundle.yaml:{line}:11: error: text nests Markdown 1001 levels deep (quotes, lists, "
                   f"emphasis or links one inside another); at most {LIMIT} can be rendered\n")
    assert "Traceback" not in err


@pytest.mark.parametrize("lines", [
    [emphasis(LIMIT)],  # LIMIT levels of emphasis inside a paragraph
    [quotes(LIMIT)],  # LIMIT blockquotes, the innermost holding a paragraph
    [quotes(25)],  # past the parser's 20 levels, where it drops the text
    nested_list(LIMIT // 2 + 1),  # a list and its item per level
], ids=["emphasis", "quotes", "quotes-past-the-parser", "list"])
def test_one_level_past_the_limit_is_refused(lines, tmp_path):
    problems = validate(write_bundle(tmp_path / "b", with_body(lines))).errors
    assert [p.message.split(";")[0] for p in problems] == [
        f"text nests Markdown {narrative.markdown_depth(chr(10).join(lines))} levels deep (quotes, lists, "
        "emphasis or links one inside another)"]
    assert narrative.markdown_depth("\n".join(lines)) > LIMIT


def test_inline_fields_are_counted_too(tmp_path):
    yaml_text = edit(VALID_YAML, "summary: Operators used {accounts} to generate {total}.",
                     "summary: Operators used {accounts}.\nkey_findings:\n  - '" + emphasis(LIMIT) + "'")
    error, = validate(write_bundle(tmp_path / "b", yaml_text)).errors
    assert error.line == line_of(yaml_text, "  - '*a") and "levels deep" in error.message


def test_at_the_limit_validate_passes_and_the_pdf_builds(tmp_path, monkeypatch):
    import reportgen

    # Every construct at the limit, a cited figure at the deepest point of the emphasis.
    deepest = [emphasis(LIMIT - 1, "{accounts}"), "", quotes(LIMIT - 1), "", *nested_list(LIMIT // 2 - 1),
               "", "[*a **b** c*](https://example.org)"]
    assert max(narrative.markdown_depth(part) for part in "\n".join(deepest).split("\n\n")) == LIMIT
    bundle = write_bundle(tmp_path / "b", with_body(deepest))
    assert validate(bundle).ok
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)
    result = reportgen.build(bundle, out=tmp_path / "out", formats=("html", "pdf"))
    html = (result.out_dir / "brief.html").read_text()
    assert html.count("<blockquote>") == LIMIT - 1 and "<em>a <em>a" in html and "nearly 25,000" in html
    assert (result.out_dir / "brief.pdf").read_bytes().startswith(b"%PDF")
