"""The command line declares the actors itself, once, the first time a command sends something
(``infra.entry.cli_common.actors_of``): the composition root no longer does (issue 20)."""

from __future__ import annotations

import click

from infra.bootstrap import App
from infra.entry.cli_common import actors_of


def test_given_a_command_line_when_a_command_and_its_group_ask_for_the_actors_then_they_are_declared_once(
        monkeypatch):
    declared = []
    monkeypatch.setattr("workers.entry.declare", lambda app: declared.append(app) or object())
    group = click.Context(click.Group("coi"), obj="the app of this command line")
    command = click.Context(click.Command("retry"), parent=group)

    first, again = actors_of(command), actors_of(group)

    assert first is again
    assert declared == ["the app of this command line"]


def test_given_the_composition_root_then_it_declares_no_actors():
    assert not hasattr(App, "actors")
