"""How a command line is read: queries that start with a minus, global options after the command, plain help.

Twitter's query language starts exclusions with a minus, so `-obama`, `-filter:retweets` and `-"a phrase"` are
queries. A stock option parser reads `-obama` as the short-option cluster `-o bama` and exports the whole
archive; `-news` becomes `-n ews`, and `--help` is printed for `-hillary`. Here only a *whole, known* option
name (`-o`, `--output`, `--limit=5`) is an option; every other word that starts with a single minus is an
argument, and a word that starts with two is an option the command does not have, reported as such. `--`
still ends the options.

Only the command line's reading lives here; the commands themselves stay plain Typer functions, each built (its
module imported, its signature read) only when it is the one run, or when the group's help lists them all.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any, ClassVar

import typer
import typer.main
from typer._click.core import Command as ClickCommand
from typer._click.exceptions import NoArgsIsHelpError, UsageError
from typer._types import TyperChoice
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

# Options of the `tweetsearch` group that may also be written after the command name.
GLOBAL_OPTIONS = ("--url", "--alias")


def option_arity(params: Iterable[object]) -> dict[str, bool]:
    """Every option name of `params` → whether it takes a value (flags and counts do not)."""
    arity: dict[str, bool] = {}
    for param in params:
        if isinstance(param, TyperOption):
            takes_value = not (param.is_flag or param.count)
            for name in (*param.opts, *param.secondary_opts):
                arity[name] = takes_value
    return arity


def separate_arguments(args: list[str], arity: dict[str, bool]) -> list[str]:
    """`args` rewritten as `OPTIONS -- ARGUMENTS`, so that the parser never reads an argument as options.

    A word is an option only when it is one of `arity`'s names as a whole (or `--name=value` for one that takes
    a value); the value of an option that takes one is the next word whatever it looks like (`-o -`). A word
    that starts with `--` and names no option stays an option, so the parser reports it (`--limt`). Every
    other word, `-obama` included, is an argument, in the order given.
    """
    options: list[str] = []
    arguments: list[str] = []
    position = 0
    while position < len(args):
        word = args[position]
        if word == "--":
            arguments.extend(args[position + 1 :])
            break
        if word in arity:
            options.append(word)
            if arity[word] and position + 1 < len(args):
                position += 1
                options.append(args[position])
        elif word.startswith("--"):
            options.append(word)
        else:
            arguments.append(word)
        position += 1
    return [*options, "--", *arguments] if arguments else options


def hoist_global_options(args: list[str], commands: Iterable[str]) -> list[str]:
    """`args` with `--url X` / `--alias X` written after the command name moved before it.

    A global option given both before and after the command with different values is a usage error: which
    of the two servers was meant cannot be guessed.
    """
    names = set(commands)
    start = 0
    while start < len(args) and args[start] not in names:
        start += 2 if args[start] in GLOBAL_OPTIONS else 1
    if start >= len(args):
        return args
    before, command, after = args[:start], args[start], args[start + 1 :]
    moved: list[str] = []
    rest: list[str] = []
    position = 0
    while position < len(after):
        word = after[position]
        name, equals, value = word.partition("=")
        if word == "--":
            rest.extend(after[position:])
            break
        if word in GLOBAL_OPTIONS and position + 1 < len(after):
            moved += [word, after[position + 1]]
            position += 2
            continue
        if equals and name in GLOBAL_OPTIONS:
            moved += [name, value]
        else:
            rest.append(word)
        position += 1
    _refuse_conflicts(before, moved)
    return [*before, *moved, command, *rest]


def _refuse_conflicts(before: list[str], after: list[str]) -> None:
    given: dict[str, str] = {}
    for words in (before, after):
        position = 0
        while position < len(words):
            name, equals, value = words[position].partition("=")
            if name in GLOBAL_OPTIONS:
                if not equals and position + 1 < len(words):
                    value = words[position + 1]
                    position += 1
                if name in given and given[name] != value:
                    raise typer.BadParameter("given twice, with different values", param_hint=name)
                given[name] = value
            position += 1


def _option_metavar(option: TyperOption) -> str | None:
    """No metavar for a flag; `NAME` for a value, from its long name; the choices (`<a|b>`) where it has them."""
    if option.is_flag or option.count:
        return ""
    if option.metavar is not None or isinstance(option.type, TyperChoice):
        return option.metavar
    long_names = [name for name in option.opts if name.startswith("--")]
    return (long_names or option.opts)[0].lstrip("-").upper().replace("-", "_")


class _PlainArgument(TyperArgument):
    """An argument shown as `QUERY` (usage and help), without Typer's `{query}` braces and `<str>` type."""

    def display_type_rich(self, ctx: typer.Context) -> str | None:
        return None

    def make_metavar(self, ctx: typer.Context, *, usage: bool = False) -> str:
        name = self.metavar or (self.name or "").upper()
        if self.nargs != 1:
            name += "..."
        return name if self.required or not usage else f"[{name}]"


class _PlainHelp:
    """Help in the usual form for a command or the group: flags without a value type, values as `NAME` or their
    choices (`<a|b|c>`), arguments as `QUERY` or `PATHS...`."""

    params: list[Any]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if isinstance(param, TyperArgument):
                param.__class__ = _PlainArgument
                param.metavar = param.metavar or (param.name or "").upper()
            elif isinstance(param, TyperOption):
                param.metavar = _option_metavar(param)

    def get_help_option(self, ctx: typer.Context) -> TyperOption | None:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.metavar = ""
        return option


class Command(_PlainHelp, TyperCommand):
    """A `tweetsearch` command: arguments that start with a minus are arguments (`-obama` is a query)."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        from search_cli.output import exit_on_closed_pipe

        with exit_on_closed_pipe():  # `--help | head -1`
            return super().parse_args(ctx, separate_arguments(args, option_arity(self.get_params(ctx))))


def build_command(name: str, function: Any) -> ClickCommand:
    """The command `name` running `function`, read by Typer exactly as `app.command(name, cls=Command)` would."""
    single = typer.Typer(add_completion=False, rich_markup_mode=None)
    single.command(name, cls=Command)(function)
    return typer.main.get_command(single)


class LazyCommands(MutableMapping[str, ClickCommand]):
    """A group's commands by name, each built the first time it is looked up, in the order `modules` gives.

    Building every command at start costs each run the imports of all the command modules and Typer's reading of
    every signature (~20 ms, more than the command at hand needs); a run looks up one. Membership and iteration
    read names only; a value is built from `modules[name]`, a module whose function `name` is the command.
    """

    def __init__(self, modules: dict[str, str], built: MutableMapping[str, ClickCommand] | None = None) -> None:
        self._modules = dict(modules)
        self._built: dict[str, ClickCommand] = dict(built or {})

    def __getitem__(self, name: str) -> ClickCommand:
        if name not in self._built:
            if name not in self._modules:
                raise KeyError(name)
            module = importlib.import_module(self._modules[name])
            self._built[name] = build_command(name, getattr(module, name))
        return self._built[name]

    def __contains__(self, name: object) -> bool:
        return name in self._modules or name in self._built

    def __iter__(self) -> Iterator[str]:
        yield from self._modules
        yield from (name for name in self._built if name not in self._modules)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __setitem__(self, name: str, command: ClickCommand) -> None:
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        if name not in self:
            raise KeyError(name)
        self._modules.pop(name, None)
        self._built.pop(name, None)


class Group(_PlainHelp, TyperGroup):
    """The `tweetsearch` group: `--url` and `--alias` work before and after the command name.

    Its commands are `command_modules` (name → module), built only when looked up (`LazyCommands`).
    """

    command_modules: ClassVar[dict[str, str]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = LazyCommands(self.command_modules, self.commands)

    def list_commands(self, ctx: typer.Context) -> list[str]:
        """The names, in order, without building the commands (Typer's own reads every command to list them)."""
        return list(self.commands)

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        from search_cli.output import exit_on_closed_pipe

        with exit_on_closed_pipe(), _one_line_usage_errors():
            refuse_undecodable(args)
            return super().parse_args(ctx, hoist_global_options(args, self.list_commands(ctx)))

    def invoke(self, ctx: typer.Context) -> Any:
        """Every command ends with exit 141 when its output's reader goes away (`| head`), whatever the format,
        and a usage error of any command is one line on stderr, exit 2."""
        from search_cli.output import exit_on_closed_pipe

        with exit_on_closed_pipe(), _one_line_usage_errors():
            return super().invoke(ctx)


def refuse_undecodable(args: list[str]) -> None:
    """A usage error (exit 2) for the first word of the command line that is not UTF-8.

    Python keeps such a byte as a lone surrogate (`\\udcff`), which no search, file name or request can carry:
    left in, it reached the client's JSON encoder as a bug (exit 70) that printed the whole request.
    """
    for word in args:
        typed = word.encode("utf-8", "surrogateescape")
        try:
            typed.decode("utf-8")
        except UnicodeDecodeError as exc:
            shown = typed.decode("utf-8", "backslashreplace")
            raise UsageError(
                f"'{shown}' is not valid UTF-8 (byte {exc.start + 1}); type it again, or set the terminal to UTF-8"
            ) from None


@contextmanager
def _one_line_usage_errors() -> Iterator[None]:
    """A usage error (unknown option, bad choice, conflicting options) as one `error:` line and exit 2.

    The parser would print the usage and a help hint before it; here a mistake reads like every other error a
    user can cause.
    """
    from search_cli.output import fail

    try:
        yield
    except NoArgsIsHelpError as exc:  # bare `tweetsearch`: its help as help, not squashed on an error line
        typer.echo(exc.ctx.get_help() if exc.ctx else "")
        raise typer.Exit(exc.exit_code) from None
    except UsageError as exc:
        raise fail(exc.format_message().replace("Value error, ", ""), exc.exit_code) from None
