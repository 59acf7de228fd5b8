"""``reportgen diff OLD NEW``: what changed between two briefings or bundles, in words.

Each side is a built briefing's folder or manifest.json, a bundle folder, or a bundle at a git
revision (PATH@REVISION). Differences are not errors: the exit code is 0 whether or not anything
changed, 2 for input that cannot be read (as for ``validate``). Warnings (a revised figure that
no revision note explains) go to stderr, or into the JSON.

The parser reads this module for every command, so the revision and validation code is
imported only when ``diff`` runs.
"""

from __future__ import annotations

import argparse
import json
import re
import sys

from reportgen.problems import EXIT_INVALID, EXIT_OK, BundleInvalid, Problem, UsageError, escaped_strings
from reportgen.safetext import escaped

FORMATS = ("text", "json", "github")


def add_arguments(diff: argparse.ArgumentParser) -> None:
    diff.add_argument("old", metavar="OLD", help="the earlier briefing: a briefing's folder or manifest.json, "
                      "a bundle folder, or PATH@REVISION (a bundle in git)")
    diff.add_argument("new", metavar="NEW", help="the later one, named the same ways")
    diff.add_argument("--format", choices=FORMATS, default="text",
                      help="text (default), json for machines, github for a pull-request comment (Markdown)")


def run_diff(args: argparse.Namespace, limits) -> int:
    from reportgen.revisions.compare import compare
    from reportgen.revisions.sources import revision_warnings

    try:
        old, new = _sides(args.old, args.new, limits)
    except BundleInvalid as exc:
        for problem in exc.problems:
            print(problem.format(), file=sys.stderr)
        return EXIT_INVALID
    changes = compare(old.record, new.record)
    warnings = revision_warnings(changes, new)
    render = {"text": _text, "json": _json, "github": _github}[args.format]
    print(render(old, new, changes, warnings), end="")
    if args.format != "json":
        for warning in warnings:
            print(escaped(warning.format()), file=sys.stderr)
    return EXIT_OK


def _sides(old: str, new: str, limits):
    """Both sides; a folder of briefings (such as dist/) on one side is read for the bundle the
    other side names."""
    from reportgen.revisions.sources import load_side
    from reportgen.validation import validate

    def validate_bundle(folder):
        return validate(folder, limits=limits)

    try:
        first = load_side(old, validate_bundle)
    except UsageError:
        second = load_side(new, validate_bundle)
        return load_side(old, validate_bundle, bundle_id=second.record["bundle"]["id"]), second
    return first, load_side(new, validate_bundle, bundle_id=first.record["bundle"]["id"])


def _title(side) -> str:
    from reportgen.revisions.wording import as_of_words

    bundle = side.record["bundle"]
    return f"{side.label} ({bundle['id']}, as of {as_of_words(bundle['as_of'])})"


def _groups(changes) -> list[tuple[str, list[str]]]:
    from reportgen.revisions.wording import HEADINGS, sentence

    return [(heading, [sentence(c) for c in changes if c.kind is kind])
            for kind, heading in HEADINGS.items() if any(c.kind is kind for c in changes)]


def _text(old, new, changes, warnings) -> str:
    lines = [f"Comparing {_title(old)}", f"     with {_title(new)}", ""]
    for heading, sentences in _groups(changes):
        lines += [f"{heading}:", *(f"  - {s}" for s in sentences), ""]
    lines.append(f"{len(changes)} change(s)." if changes else "No changes.")
    return escaped("\n".join(lines)) + "\n"


def _json(old, new, changes, warnings: list[Problem]) -> str:
    def side(s) -> dict:
        return {"spec": s.label, "bundle": s.record["bundle"]}

    return json.dumps(escaped_strings({"old": side(old), "new": side(new), "changes": [c.as_dict() for c in changes],
                                       "warnings": [w.as_dict() for w in warnings]}),
                      indent=2, ensure_ascii=False) + "\n"


def _github(old, new, changes, warnings: list[Problem]) -> str:
    """A pull-request comment: a heading, one list per kind of change, warnings last."""
    from reportgen.revisions.wording import as_of_words

    bundle = new.record["bundle"]
    lines = [f"### What changed in “{_markdown(bundle['title'])}” since "
             f"{as_of_words(old.record['bundle']['as_of'])}", "",
             f"`{_code(old.label)}` → `{_code(new.label)}`", ""]
    for heading, sentences in _groups(changes):
        lines += [f"**{heading}**", "", *(f"- {_markdown(s)}" for s in sentences), ""]
    if not changes:
        lines += ["No figure, status, source or handling marking has changed.", ""]
    if warnings:
        lines += ["> [!WARNING]", *(f"> {_markdown(w.message)}  " for w in warnings), ""]
    return escaped("\n".join(lines)) + "\n"


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~])")


def _markdown(text: str) -> str:
    """Bundle text in a Markdown comment: its special characters escaped, so a title cannot
    add a link, an image or an HTML tag to the comment."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _code(text: str) -> str:
    return text.replace("`", "'")
