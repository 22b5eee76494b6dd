"""Typer's own words in Danish: "Usage:", "Options", "Show this message and exit.", the type labels
("<str>"), and its error messages ("Missing option '--role'.", "No such command 'x'.").

Typer has no translation hook for most of these (its vendored click writes them as literals), so `install`
replaces them at their source: panel titles and hints are module constants of typer.rich_utils, the help
option's text comes from typer._click.decorators.help_option, the usage prefix from HelpFormatter, type
labels from TyperParameter._bare_type, messages pass through rich_format_error. Every step checks that
the piece it changes exists, so a typer upgrade that moves one leaves that piece English instead of
failing; tests/test_cli_danish.py reads the help and errors of every command and fails on English words.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from typing import Any

HELP_TEXT = "Vis denne hjælp og afslut."
USAGE_PREFIX = "Brug: "
OPTIONS_METAVAR = "[TILVALG]"
SUBCOMMAND_METAVAR = "KOMMANDO [ARGUMENTER]..."

RICH_CONSTANTS = {
    "ARGUMENTS_PANEL_TITLE": "Argumenter",
    "OPTIONS_PANEL_TITLE": "Tilvalg",
    "COMMANDS_PANEL_TITLE": "Kommandoer",
    "ERRORS_PANEL_TITLE": "Fejl",
    "ABORTED_TEXT": "Afbrudt.",
    "RICH_HELP": "Prøv [blue]'{command_path} {help_option}'[/] for at se hjælpen.",
    "REQUIRED_LONG_STRING": "[påkrævet]",
    "DEFAULT_STRING": "[standard: {}]",
    "ENVVAR_STRING": "[miljøvariabel: {}]",
    "DEPRECATED_STRING": "(udgået) ",
}
# typer.core's gettext strings.
CORE_TEXTS = {
    "(dynamic)": "(beregnes)", "Aborted!": "Afbrudt!", "default: {default}": "standard: {default}",
    "required": "påkrævet", "env var: {var}": "miljøvariabel: {var}", "Arguments": "Argumenter",
    "Options": "Tilvalg", "Commands": "Kommandoer", "Missing command.": "Der mangler en kommando.",
    "No such command {name!r}.": "Kommandoen {name!r} findes ikke.",
}
TYPE_LABELS = {"str": "tekst", "int": "heltal", "float": "tal", "bool": "ja/nej", "Path": "sti",
               "PosixPath": "sti", "WindowsPath": "sti", "path": "sti", "file": "fil", "directory": "mappe",
               "datetime": "dato"}
# Click's and typer's messages, most specific first; each pattern matches the whole message.
MESSAGES: list[tuple[re.Pattern[str], str]] = [(re.compile(p, re.S), r) for p, r in (
    (r"Missing argument (.+)\.", r"Argumentet \1 mangler."),
    (r"Missing option (.+)\.", r"Tilvalget \1 mangler."),
    (r"Missing parameter: (.+)", r"Parameteren \1 mangler."),
    (r"Missing (.+)\.", r"\1 mangler."),
    (r"No such option: (\S+) \(Possible options: (.+)\)", r"Tilvalget \1 findes ikke. Mulige tilvalg: \2."),
    (r"No such option: (\S+)(?:\s+Did you mean (\S+)\?)?", r"Tilvalget \1 findes ikke."),
    (r"No such command (.+)\.", r"Kommandoen \1 findes ikke."),
    (r"Invalid value for (.+?): (.+)", r"Ugyldig værdi for \1: \2"),
    (r"Invalid value: (.+)", r"Ugyldig værdi: \1"),
    (r"Got unexpected extra argument(?:\(s\)|s)? \((.+)\)", r"Uventede ekstra argumenter: \1"),
    (r"Option (.+) requires an argument\.", r"Tilvalget \1 kræver en værdi."),
    (r"Option (.+) requires (\d+) arguments\.", r"Tilvalget \1 kræver \2 værdier."),
    (r"Option (.+) does not take a value\.", r"Tilvalget \1 tager ingen værdi."),
    (r"Argument (.+) takes (\d+) values\.", r"Argumentet \1 tager \2 værdier."),
    (r"(File|Directory|Path) (.+) does not exist\.", r"Stien \2 findes ikke."),
    (r"(File|Directory|Path) (.+) is a file\.", r"Stien \2 er en fil."),
    (r"(File|Directory|Path) (.+) is a directory\.", r"Stien \2 er en mappe."),
    (r"(File|Directory|Path) (.+) is not readable\.", r"Stien \2 kan ikke læses."),
    (r"(File|Directory|Path) (.+) is not writable\.", r"Stien \2 kan ikke skrives."),
    (r"Could not open file (.+?): (.+)", r"Filen \1 kunne ikke åbnes: \2"),
    (r"Value must be an iterable\.", "Værdien skal være en liste."),
)]
# pydantic's bounds, one rule for all four; the longer English phrase first, so the alternation prefers it.
COMPARISONS = {"greater than or equal to": "skal være mindst {}", "greater than": "skal være større end {}",
               "less than or equal to": "må højst være {}", "less than": "skal være mindre end {}"}
_COMPARISON = re.compile(rf"Input should be ({'|'.join(map(re.escape, COMPARISONS))}) (\S+)")
# Typer validates values with pydantic; its first error's message arrives as the `Invalid value` detail.
VALUE_MESSAGES: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    (re.compile(r"Input should be a valid integer.*"), "skal være et helt tal"),
    (re.compile(r"Input should be a valid number.*"), "skal være et tal"),
    (re.compile(r"Input should be a valid boolean.*"), "skal være ja eller nej (true/false)"),
    (_COMPARISON, lambda match: COMPARISONS[match[1]].format(match[2])),
    (re.compile(r"Input should be (.+)"), r"skal være \1"),
    (re.compile(r"Field required"), "skal udfyldes"),
]


def danish_message(message: str) -> str:
    """An English click/typer message in Danish; unknown messages are returned unchanged."""
    for pattern, replacement in MESSAGES:
        match = pattern.fullmatch(message.strip())
        if match:
            message = match.expand(replacement)
            break
    for pattern, replacement in VALUE_MESSAGES:
        message = pattern.sub(replacement, message)
    return message


def _danish_help_option(original: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(original)
    def help_option(param_decls: list[str]) -> Callable[[Any], Any]:
        decorate = original(param_decls)

        def apply(command: Any) -> Any:
            result = decorate(command)
            if command.params:
                command.params[-1].help = HELP_TEXT
            return result
        return apply
    return help_option


def _danish_usage(original: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(original)
    def write_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> Any:
        return original(self, prog, args, USAGE_PREFIX if prefix is None else prefix)
    return write_usage


def _danish_errors(original: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(original)
    def rich_format_error(self: Any) -> Any:
        english = self.format_message
        self.format_message = lambda: danish_message(english())
        return original(self)
    return rich_format_error


def _danish_types(original: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(original)
    def bare_type(self: Any, annotation: Any) -> str:
        label = original(self, annotation)
        listed = re.fullmatch(r"list\[(.+)\]", label)
        if listed:  # "--jobcenter <tekst ...>": the option may be repeated
            return f"{TYPE_LABELS.get(listed.group(1), listed.group(1))} ..."
        return TYPE_LABELS.get(label, label)
    return bare_type


def danish_range(low: float | None, high: float | None) -> str | None:
    """An option's number range as the help shows it: "mindst 1", "højst 37", "1–37"."""
    if low is None and high is None:
        return None
    if low is None:
        return f"højst {high}"
    if high is None:
        return f"mindst {low}"
    return f"{low}–{high}"


def _danish_display_type(original: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(original)
    def display_type(self: Any, ctx: Any) -> Any:
        label = original(self, ctx)
        if isinstance(label, str):
            label = re.sub(r"<(\w+)(?: range)?>", lambda m: f"<{TYPE_LABELS.get(m.group(1), m.group(1))}>", label)
        return label
    return display_type


def install() -> None:
    """Put typer's texts into Danish, once per process."""
    import typer.core
    import typer.rich_utils

    if getattr(typer.core, "_fleksmatch_danish", False):
        return
    for name, text in RICH_CONSTANTS.items():
        if hasattr(typer.rich_utils, name):
            setattr(typer.rich_utils, name, text)
    if hasattr(typer.rich_utils, "OptionHighlighter"):
        typer.rich_utils.OptionHighlighter.highlights = [
            h.replace("Usage: ", USAGE_PREFIX) for h in typer.rich_utils.OptionHighlighter.highlights]
    if callable(getattr(typer.core, "_", None)):
        typer.core._ = lambda text: CORE_TEXTS.get(text, text)
    if hasattr(typer.rich_utils, "rich_format_error"):
        typer.rich_utils.rich_format_error = _danish_errors(typer.rich_utils.rich_format_error)
    _install_vendored_click()
    parameter = getattr(typer.core, "_TyperParameter", None)
    if parameter is not None and hasattr(parameter, "_bare_type"):
        parameter._bare_type = _danish_types(parameter._bare_type)
    if parameter is not None and hasattr(parameter, "display_type"):
        parameter.display_type = _danish_display_type(parameter.display_type)
    if hasattr(typer.core, "describe_number_range"):
        typer.core.describe_number_range = danish_range
    typer.core._fleksmatch_danish = True


def _install_vendored_click() -> None:
    try:
        from typer._click import decorators, formatting
    except ImportError:  # an older typer on the real click: the help text is set per command instead
        return
    if hasattr(decorators, "help_option"):
        decorators.help_option = _danish_help_option(decorators.help_option)
    if hasattr(formatting, "HelpFormatter"):
        formatting.HelpFormatter.write_usage = _danish_usage(formatting.HelpFormatter.write_usage)


__all__ = ["HELP_TEXT", "OPTIONS_METAVAR", "SUBCOMMAND_METAVAR", "danish_message", "install"]
