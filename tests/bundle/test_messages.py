"""Messages in the bundle's terms, with a hint a user can act on: no pydantic or pandas wording."""

from __future__ import annotations

from bundle.builders import BASE_CSV, VALID_YAML, col_of, edit, formatted, line_of

FIVE = "key_figures: [accounts, total, accounts, total, accounts]\n"


def test_too_many_key_figures_are_counted_in_words(make_bundle):
    text = edit(VALID_YAML, "sources:\n  - id: src-a", FIVE.replace("]", ", total]") + "sources:\n  - id: src-a")
    assert formatted(make_bundle(text)) == [
        f"b0/bundle.yaml:{line_of(text, 'key_figures')}:14: error: key_figures lists 6 metrics; at most 5 are allowed"]


def test_an_empty_list_says_what_it_needs(make_bundle):
    text = edit(VALID_YAML, "authors: [Tester]", "authors: []")
    assert formatted(make_bundle(text)) == [
        "b0/bundle.yaml:5:10: error: authors lists no authors; at least 1 is needed"]


def test_no_pydantic_wording_for_a_mapping_where_a_field_mapping_is_needed(make_bundle):
    text = edit(VALID_YAML, "      - {name: day, type: date}", "      - day")
    message = "\n".join(formatted(make_bundle(text)))
    assert "instance of" not in message and "Input should" not in message
    assert "tables[0].columns[2]: 'day' is not a mapping of fields" in message


def test_unquoted_colon_in_text_gets_the_quoted_line(make_bundle):
    text = edit(VALID_YAML, "summary: Operators used {accounts} to generate {total}.",
                "summary: Note: operators used {accounts}.")
    assert formatted(make_bundle(text)) == [
        f"b0/bundle.yaml:7:{col_of(text, ': operators')}: error: YAML syntax error: mapping values are not allowed "
        "here (quote this line: summary: \"Note: operators used {accounts}.\")"]


def test_unquoted_colon_in_a_list_item_is_read_as_a_mapping_and_says_so(make_bundle):
    text = edit(VALID_YAML, "sources:\n  - id: src-a", "key_findings:\n  - Fact: a thing\nsources:\n  - id: src-a")
    assert formatted(make_bundle(text)) == [
        f"b0/bundle.yaml:{line_of(text, 'Fact: a thing')}:5: error: key_findings[0]: 'Fact: a thing' was read as a "
        "mapping, not text (quote this line: \"Fact: a thing\" (a ': ' inside text starts a mapping))"]


def test_grouped_digits_suggest_the_thousands_option(make_bundle):
    folder = make_bundle(VALID_YAML, files={"rows.csv": BASE_CSV.replace("alpha,10", 'alpha,"1,250"')})
    assert formatted(folder) == [
        "b0/rows.csv:2:2: error: column 'exchanges': '1,250' is not a whole number (the file groups digits "
        "with \",\": add read: {thousands: \",\"})"]


def test_a_plain_bad_number_gets_no_separator_hint(make_bundle):
    folder = make_bundle(VALID_YAML, files={"rows.csv": BASE_CSV.replace("alpha,10", "alpha,ten")})
    assert formatted(folder) == ["b0/rows.csv:2:2: error: column 'exchanges': 'ten' is not a whole number"]


def test_a_hint_never_points_at_an_item_set_aside(make_bundle):
    # 'accounts' is set aside for its status: the misspelt reference is not told to use it.
    text = edit(VALID_YAML, "    status: alleged\n", "    status: alledged\n")
    text = edit(text, "used {accounts}", "used {acounts}")
    problems = formatted(make_bundle(text))
    assert len(problems) == 2
    assert not any("did you mean '{accounts}'" in p for p in problems)
