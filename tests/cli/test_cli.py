"""Command-line parsing: paths anywhere among the options, and errors in the subcommand's words."""

from __future__ import annotations

import pytest

from reportgen.cli.main import _parse, _parser


def test_paths_may_follow_options():
    args = _parse(_parser(), ["build", "a", "--format", "html", "b", "--out", "dist", "c"])
    assert [str(p) for p in args.paths] == ["a", "b", "c"] and args.formats == "html" and str(args.out) == "dist"
    args = _parse(_parser(), ["validate", "--strict", "a", "--format", "json", "b"])
    assert [str(p) for p in args.paths] == ["a", "b"] and args.strict and args.format == "json"


@pytest.mark.parametrize("argv, usage", [
    (["build", "a", "--bogus", "3"], "usage: reportgen build"),
    (["serve", "a", "b"], "usage: reportgen serve"),
    (["schema", "bundle", "extra"], "usage: reportgen schema"),
])
def test_unknown_arguments_are_usage_errors_of_the_subcommand(argv, usage, capsys):
    with pytest.raises(SystemExit) as stopped:
        _parse(_parser(), argv)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(usage) and "unrecognized arguments: " + " ".join(argv[2:]) in err
