"""Help of the command line: what each sub-command does, every option with text and default."""

from __future__ import annotations

import argparse

import pytest

from replication.cli import COMMANDS, build_parser


def subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_top_level_help_describes_the_tool_with_examples():
    text = build_parser().format_help()
    assert "The ``replicate`` command" not in text
    assert "CFA/SEM" in text and "examples:" in text and "exit status" in text
    for name in COMMANDS:
        assert name in text


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_option_has_text_and_a_default(name):
    p = subparsers()[name]
    text = p.format_help()
    assert "example" in text.lower(), name
    assert p.description and p.description != p.format_usage()
    for action in p._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        assert action.help, f"{name}: {action.dest} has no help text"
        if action.option_strings and not action.required:
            shown = p._get_formatter()._get_help_string(action)
            assert "default" in shown.lower(), f"{name}: {action.dest} shows no default"
