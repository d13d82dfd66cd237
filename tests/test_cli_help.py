"""Every command's help says what it does and shows an example, as sqlite-utils' commands do."""
import pytest
from click.testing import CliRunner

from pubsync.cli import cli


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help_with_an_example(name):
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0, result.output
    example = result.output.split("Example", 1)[1].split("Options:", 1)[0]
    assert f"pubsync {name}" in example, result.output
