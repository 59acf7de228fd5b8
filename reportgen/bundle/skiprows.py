"""Where pandas' C reader starts reading after ``skiprows=N``.

pandas does not skip N lines, nor N CSV records: its tokenizer has states of its own for
skipped rows (``*_IN_SKIP_LINE`` in pandas/_libs/src/parser/tokenizer.c). A quote opens a
quoted cell only at the start of a line or right after a delimiter that is not the line's
first character; a line end inside that cell does not count; a carriage return ends a line.
Line numbers in problems, and the Arrow reader's starting point, both need the same answer.
"""

from __future__ import annotations

_QUOTE = '"'


def skipped_characters(text: str, rows: int, delimiter: str) -> int | None:
    """How many characters at the start of ``text`` pandas skips for ``skiprows=rows``, or None
    when ``text`` ends before they do (a longer banner, or a file shorter than its banner)."""
    lines = 0  # the tokenizer's file_lines: line ends outside quoted cells
    state = "record"
    index = 0
    while index < len(text):
        char = text[index]
        if state == "record":
            if lines >= rows:
                return index
            state = "quoted" if char == _QUOTE else "field"
            if char == "\n":
                lines, state = lines + 1, "record"
        elif char == "\r" and state != "quoted":
            if text[index + 1:index + 2] != "\n":
                # After a lone carriage return pandas eats a delimiter, then may back up to it
                # when the next line starts with blanks: not worth modelling for a banner.
                return None
            lines, state = lines + 1, "record"
            index += 1  # "\r\n" is one line end
        elif state in ("field", "start"):  # IN_FIELD_IN_SKIP_LINE, START_FIELD_IN_SKIP_LINE
            if char == "\n":
                lines, state = lines + 1, "record"
            elif char == delimiter:
                state = "start"
            elif state == "start":
                state = "quoted" if char == _QUOTE else "field"
        elif state == "quoted":
            if char == _QUOTE:
                state = "quote"
        elif state == "quote":  # a quote inside a quoted cell: doubled, or the cell's end
            if char == _QUOTE:
                state = "quoted"
            elif char == "\n":
                lines, state = lines + 1, "record"
            else:
                state = "start" if char == delimiter else "field"
        index += 1
    return index if state == "record" and lines >= rows else None


def line_breaks(text: str) -> int:
    """Physical lines ended in ``text``: at "\\r\\n", a lone "\\r" or "\\n"."""
    return text.count("\n") + text.count("\r") - text.count("\r\n")
