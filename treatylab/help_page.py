"""typer's rich `--help` page of the top-level group, written without importing rich.

`treatylab --help` would otherwise import `typer.rich_utils` (rich.markdown, markdown_it,
rich.traceback, rich.syntax, ...), which costs more than the rest of start-up. The CLI's
`LazyGroup.format_help` asks `top_level_help` for the page and falls back to typer's own
renderer when it returns None. The comment below lists what is reproduced and what is not.
"""

from __future__ import annotations

import builtins
import inspect
import math
import os
import re
import sys
from gettext import gettext as _
from typing import Any, NamedTuple

import typer
import typer.core

# --- The top-level help page without rich ---------------------------------------------------
#
# typer renders `treatylab --help` with `typer.rich_utils`, whose import (rich.markdown,
# markdown_it, rich.traceback, rich.syntax, ...) costs more than the rest of start-up. The page
# itself is simple: a usage line, one paragraph, an Options panel and a Commands panel. The
# code below reproduces, for exactly that shape, what rich would emit, byte for byte: rich's
# word wrapping (`rich._wrap.divide_line`, `Text.wrap`), its table column widths
# (`Table._calculate_column_widths` and `rich._ratio`), its segment boundaries (each styled
# run is its own `ESC[...m ... ESC[0m`), typer's highlighters and styles, and the way typer's
# console picks width, terminal and colour from the environment. Anything it does not model
# raises `_Unsupported`, and the page is then left to typer's renderer:
#
# - text rich would treat specially: markup (`[`), emoji codes (`:name:`), ANSI escapes, tabs,
#   control characters, characters outside rich's single-cell ranges, `\b` paragraphs, an
#   app help of more than one paragraph, a word wider than its column (rich would fold it or
#   cut it with an ellipsis: in practice a console under about 40 columns), titles wider
#   than the panel, a console under 20 columns;
# - page parts typer renders that the top level does not have: arguments, deprecated or
#   custom-panel (`rich_help_panel`) commands and options, options showing an env var, a
#   default or `[required]`, an epilog, a markup mode other than "rich";
# - environments whose output rich builds differently: Windows, Jupyter, a non-UTF-8 stdout,
#   typer's STYLE_* / highlighter settings changed in this process, a colour system other
#   than auto/standard/256/truecolor, a TERMINAL_WIDTH that is not an integer.
#
# tests/treatylab/test_cli_help_page.py compares this page with typer's own at many widths,
# piped and on a pseudo-terminal, with and without FORCE_COLOR / NO_COLOR / TTY_COMPATIBLE.


class _Unsupported(Exception):
    """Something on the page or in the environment the hand renderer does not model."""


# typer.rich_utils' settings the page depends on (a test keeps them equal to typer's).
_TYPER_STYLES: dict[str, Any] = {
    "STYLE_OPTION": "bold cyan",
    "STYLE_SWITCH": "bold green",
    "STYLE_NEGATIVE_OPTION": "bold magenta",
    "STYLE_NEGATIVE_SWITCH": "bold red",
    "STYLE_TYPES": "bold yellow",
    "STYLE_TYPES_SEPARATOR": "dim",
    "STYLE_USAGE": "yellow",
    "STYLE_USAGE_COMMAND": "bold",
    "STYLE_HELPTEXT_FIRST_LINE": "",
    "STYLE_OPTION_HELP": "",
    "STYLE_OPTIONS_PANEL_BORDER": "dim",
    "ALIGN_OPTIONS_PANEL": "left",
    "STYLE_OPTIONS_TABLE_SHOW_LINES": False,
    "STYLE_OPTIONS_TABLE_LEADING": 0,
    "STYLE_OPTIONS_TABLE_PAD_EDGE": False,
    "STYLE_OPTIONS_TABLE_PADDING": (0, 1),
    "STYLE_OPTIONS_TABLE_BOX": "",
    "STYLE_OPTIONS_TABLE_ROW_STYLES": None,
    "STYLE_OPTIONS_TABLE_BORDER_STYLE": None,
    "STYLE_COMMANDS_PANEL_BORDER": "dim",
    "ALIGN_COMMANDS_PANEL": "left",
    "STYLE_COMMANDS_TABLE_SHOW_LINES": False,
    "STYLE_COMMANDS_TABLE_LEADING": 0,
    "STYLE_COMMANDS_TABLE_PAD_EDGE": False,
    "STYLE_COMMANDS_TABLE_PADDING": (0, 1),
    "STYLE_COMMANDS_TABLE_BOX": "",
    "STYLE_COMMANDS_TABLE_ROW_STYLES": None,
    "STYLE_COMMANDS_TABLE_BORDER_STYLE": None,
    "STYLE_COMMANDS_TABLE_FIRST_COLUMN": "bold cyan",
}
# typer's highlighters: (regexes, in order) as in OptionHighlighter, NegativeOptionHighlighter
# and TypesHighlighter; each named group becomes a span styled by the theme below.
_OPTION_HIGHLIGHTS = (r"(^|\W)(?P<switch>\-\w+)(?![a-zA-Z0-9])",
                      r"(^|\W)(?P<option>\-\-[\w\-]+)(?![a-zA-Z0-9])",
                      r"(?P<types>\<[^\>]+\>)", r"(?P<usage>Usage: )")
_NEGATIVE_HIGHLIGHTS = (r"(^|\W)(?P<negative_switch>\-\w+)(?![a-zA-Z0-9])",
                        r"(^|\W)(?P<negative_option>\-\-[\w\-]+)(?![a-zA-Z0-9])")
_TYPES_HIGHLIGHTS = (r"^(?P<types_sep>(\[|<))", r"(?P<types_sep>\|)",
                     r"(?P<types_sep>(\]|>))(\.\.\.)?$")
_THEME_KEYS = {"option": "STYLE_OPTION", "switch": "STYLE_SWITCH",
               "negative_option": "STYLE_NEGATIVE_OPTION",
               "negative_switch": "STYLE_NEGATIVE_SWITCH", "types": "STYLE_TYPES",
               "types_sep": "STYLE_TYPES_SEPARATOR", "usage": "STYLE_USAGE"}

# Characters rich measures as one cell without its width tables (rich.cells), plus the
# general punctuation block (dashes, quotes, ellipsis), one cell wide too.
_ONE_CELL = re.compile("[\n\x20-\x7e\xa0-\xac\xae-\u02ff\u0370-\u0482\u2010-\u2027]*")
_EMOJI_CODE = re.compile(r"(:(\S*?)(?:(?:\-)(emoji|text))?:)")
_WORD = re.compile(r"\s*\S+\s*")
_TRAILING_SPACE = re.compile(r"\s+$")
_COLOURS = ("black", "red", "green", "yellow", "blue", "magenta", "cyan", "white")

# A style as rich would combine it: (bold, dim, SGR colour code); None fields are unset.
_Style = tuple[bool | None, bool | None, int | None]
_Segment = tuple[str, "_Style | None"]
_Line = list[_Segment]


def _style(spec: str) -> _Style | None:
    """A typer style string ("bold cyan", "dim", "") as (bold, dim, colour), None if empty."""
    bold = dim = colour = None
    words = spec.lower().split()
    if words == ["none"]:
        return None
    for word in words:
        if word in ("bold", "b"):
            bold = True
        elif word in ("dim", "d"):
            dim = True
        elif word in _COLOURS:
            colour = 30 + _COLOURS.index(word)
        elif word.startswith("bright_") and word[7:] in _COLOURS:
            colour = 90 + _COLOURS.index(word[7:])
        else:
            raise _Unsupported(f"style {spec!r}")
    return None if (bold, dim, colour) == (None, None, None) else (bold, dim, colour)


def _combine(*styles: _Style | None) -> _Style | None:
    """Later styles win, attribute by attribute (rich's `Style.__add__`)."""
    bold = dim = colour = None
    for style in styles:
        if style is not None:
            bold = style[0] if style[0] is not None else bold
            dim = style[1] if style[1] is not None else dim
            colour = style[2] if style[2] is not None else colour
    return None if (bold, dim, colour) == (None, None, None) else (bold, dim, colour)


def _over(style: _Style | None, line: _Line) -> _Line:
    """`Segment.apply_style`: `style` under every segment's own style."""
    return line if style is None else [(text, _combine(style, own)) for text, own in line]


class _Text(NamedTuple):
    """A rich `Text`: plain characters, a base style, and (start, end, style) spans in order."""

    plain: str
    style: _Style | None = None
    spans: tuple[tuple[int, int, _Style | None], ...] = ()


def _checked(plain: str) -> str:
    """`plain` if every character is one cell and nothing in it is special to rich."""
    if _ONE_CELL.fullmatch(plain) is None or _EMOJI_CODE.search(plain):
        raise _Unsupported("text rich would measure or substitute itself")
    return plain


def _highlighted(text: _Text, regexes: tuple[str, ...], styles: dict[str, Any]) -> _Text:
    """`RegexHighlighter.highlight`: a span per named group of every match, regex by regex."""
    spans = list(text.spans)
    for regex in regexes:
        for match in re.finditer(regex, text.plain):
            for name in match.groupdict():
                start, end = match.span(name)
                if start != -1 and end > start:
                    spans.append((start, end, _style(styles[_THEME_KEYS[name]])))
    return text._replace(spans=tuple(spans))


def _rich_text(text: str, style: str, styles: dict[str, Any]) -> _Text:
    """typer's `_make_rich_text` in "rich" markup mode, for text without markup."""
    text = inspect.cleandoc(text)
    if "[" in text or "\x1b" in text:
        raise _Unsupported("markup or ANSI in a help text")
    return _highlighted(_Text(_checked(text), _style(style)), _OPTION_HIGHLIGHTS, styles)


def _segments(plain: str, base: _Style | None, spans: list[tuple[int, int, Any]]) -> _Line:
    """`Text.render` of one line: a segment wherever a span starts or ends."""
    if not plain:
        return []
    cuts = sorted({0, len(plain), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    return [(plain[a:b], _combine(base, *(st for s, e, st in spans if s <= a and e >= b)))
            for a, b in zip(cuts, cuts[1:])]


def _clip(spans: Any, start: int, end: int) -> list[tuple[int, int, Any]]:
    """Spans cut to [start, end) and shifted to it (`Text.divide`)."""
    return [(max(s, start) - start, min(e, end) - start, st) for s, e, st in spans
            if min(e, end) > max(s, start)]


def _divide_line(text: str, width: int) -> list[int]:
    """`rich._wrap.divide_line`: where to break `text` so each piece fits `width` cells."""
    breaks: list[int] = []
    offset = 0
    for match in _WORD.finditer(text):
        start, word = match.start(), match.group()
        length = len(word.rstrip())
        if width - offset >= length:
            offset += len(word)
        elif length > width:
            raise _Unsupported("a word wider than its column")  # rich folds or crops it
        elif offset and start:
            breaks.append(start)
            offset = len(word)
    return breaks


def _wrap(text: _Text, width: int, *, pad: bool, no_wrap: bool = False) -> list[_Line]:
    """`Text.wrap` then `Text.render`, line by line; `pad` is justify="left" (table cells)."""
    lines: list[_Line] = []
    position = 0
    for raw in text.plain.split("\n"):
        spans = _clip(text.spans, position, position + len(raw))
        position += len(raw) + 1
        cuts = [0, *([] if no_wrap else _divide_line(raw, width)), len(raw)]
        for a, b in zip(cuts, cuts[1:]):
            piece, piece_spans = raw[a:b], _clip(spans, a, b)
            if len(piece) > width and not no_wrap:  # Text.rstrip_end
                blank = _TRAILING_SPACE.search(piece)
                if blank is not None:
                    piece = piece[:len(piece) - min(len(blank.group()), len(piece) - width)]
                    piece_spans = _clip(piece_spans, 0, len(piece))
            if len(piece) > width:
                raise _Unsupported("a line rich would crop")
            if pad:
                piece += " " * (width - len(piece))
            lines.append(_segments(piece, text.style, piece_spans))
    return lines


def _fill(line: _Line, width: int) -> _Line:
    """`Segment.adjust_line_length` with pad=True and no style."""
    short = width - sum(len(text) for text, _ in line)
    if short < 0:
        raise _Unsupported("a line wider than its box")
    return [*line, (" " * short, None)] if short else line


def _measure(cell: tuple[str, Any, int, int], max_width: int) -> tuple[int, int]:
    """`Measurement.get` of a table cell: `Padding(content, (0, right, 0, left))`.

    Content is ("text", _Text) or ("columns", _Text) (typer's `Columns([text])`, which has
    no measure of its own, so rich gives it (0, max_width)).
    """
    if max_width < 1:
        return (0, 0)
    kind, text, left, right = cell
    extra = left + right
    if max_width - extra < 1:
        low, high = max_width, max_width
    else:
        if kind == "columns":
            inner = (0, max_width)
        else:
            inner = _get_measure(_text_measure(text), max_width)
        low, high = min(inner[0] + extra, max_width), min(inner[1] + extra, max_width)
    return _get_measure((low, high), max_width)


def _text_measure(text: _Text) -> tuple[int, int]:
    lines = text.plain.splitlines()
    longest = max((len(line) for line in lines), default=0)
    words = text.plain.split()
    return (max((len(word) for word in words), default=longest), longest)


def _get_measure(measure: tuple[int, int], max_width: int) -> tuple[int, int]:
    """`Measurement.get`'s normalize / with_maximum / at-least-one-cell steps."""
    def normalize(low: int, high: int) -> tuple[int, int]:
        low = min(max(0, low), high)
        return max(0, low), max(0, max(low, high))
    low, high = normalize(*measure)
    low, high = min(low, max_width), min(high, max_width)
    return (0, 0) if high < 1 else normalize(low, high)


def _ratio_reduce(total: int, ratios: list[int], maximums: list[int],
                  values: list[int]) -> list[int]:
    """`rich._ratio.ratio_reduce`."""
    ratios = [ratio if maximum else 0 for ratio, maximum in zip(ratios, maximums)]
    total_ratio = sum(ratios)
    if not total_ratio:
        return values[:]
    remaining, result = total, []
    for ratio, maximum, value in zip(ratios, maximums, values):
        if ratio and total_ratio > 0:
            distributed = min(maximum, round(ratio * remaining / total_ratio))
            result.append(value - distributed)
            remaining -= distributed
            total_ratio -= ratio
        else:
            result.append(value)
    return result


def _ratio_distribute(total: int, ratios: list[int],
                      minimums: list[int] | None = None) -> list[int]:
    """`rich._ratio.ratio_distribute`."""
    if minimums:
        ratios = [ratio if minimum else 0 for ratio, minimum in zip(ratios, minimums)]
    total_ratio = sum(ratios)
    if total_ratio <= 0:
        raise _Unsupported("no column to widen")
    remaining, result = total, []
    for ratio, minimum in zip(ratios, minimums or [0] * len(ratios)):
        distributed = (max(minimum, math.ceil(ratio * remaining / total_ratio))
                       if total_ratio > 0 else remaining)
        result.append(distributed)
        total_ratio -= ratio
        remaining -= distributed
    return result


class _Column(NamedTuple):
    """One column of an expanded, borderless typer table: its cells and settings."""

    cells: list[tuple[str, Any, int, int]]
    style: _Style | None = None
    width: int | None = None
    ratio: int | None = None
    no_wrap: bool = False


def _column_measure(column: _Column, max_width: int) -> tuple[int, int]:
    """`Table._measure_column`."""
    if max_width < 1:
        return (0, 0)
    if column.width is not None:
        pads = column.cells[0][2] + column.cells[0][3] if column.cells else 0
        fixed = column.width + pads
        return (min(fixed, max_width), min(fixed, max_width))
    measures = [_measure(cell, max_width) for cell in column.cells]
    low = max((m[0] for m in measures), default=1)
    high = max((m[1] for m in measures), default=max_width)
    return (min(low, max_width), min(high, max_width))


def _column_widths(columns: list[_Column], max_width: int) -> list[int]:
    """`Table._calculate_column_widths` for expand=True, no borders, no min_width."""
    ranges = [_column_measure(column, max_width) for column in columns]
    widths = [high or 1 for _, high in ranges]
    if any(column.ratio for column in columns):
        fixed = [0 if column.ratio else high for (_, high), column in zip(ranges, columns)]
        minimums = [(column.width or 1) + (column.cells[0][2] + column.cells[0][3])
                    for column in columns if column.ratio]
        flexible = iter(_ratio_distribute(max_width - sum(fixed),
                                          [c.ratio or 0 for c in columns if c.ratio], minimums))
        widths = [fixed[i] + next(flexible) if column.ratio else widths[i]
                  for i, column in enumerate(columns)]
    table_width = sum(widths)
    if table_width > max_width:
        wrapable = [column.width is None and not column.no_wrap for column in columns]
        excess = table_width - max_width
        while any(wrapable) and table_width and excess > 0:  # Table._collapse_widths
            largest = max(w for w, ok in zip(widths, wrapable) if ok)
            second = max(w if ok and w != largest else 0 for w, ok in zip(widths, wrapable))
            ratios = [1 if (w == largest and ok) else 0 for w, ok in zip(widths, wrapable)]
            if not any(ratios) or not largest - second:
                break
            widths = _ratio_reduce(excess, ratios, [min(excess, largest - second)] * len(widths),
                                   widths)
            table_width = sum(widths)
            excess = table_width - max_width
        if table_width > max_width:
            widths = _ratio_reduce(table_width - max_width, [1] * len(widths), widths, widths)
            table_width = sum(widths)
        widths = [_column_measure(column, width)[1] or 0
                  for width, column in zip(widths, columns)]
    if table_width < max_width:
        widths = [w + extra for w, extra in
                  zip(widths, _ratio_distribute(max_width - table_width, widths))]
    return widths


def _cell_lines(cell: tuple[str, Any, int, int], column: _Column, width: int) -> list[_Line]:
    """`Table._render` of one cell in a column `width` wide: Padding, then the cell style."""
    kind, text, left, right = cell
    inner = width - left - right
    if inner < 1:
        return []  # rich renders nothing into no space
    if kind == "columns":  # Columns([text]): a one-column grid as wide as the text needs
        grid = _get_measure(_text_measure(text), inner)[1] or 1
        body = [_fill(line, inner) for line in _wrap(text, grid, pad=True)]
    else:
        body = _wrap(text, inner, pad=True, no_wrap=column.no_wrap)
    lines = [[*([(" " * left, None)] if left else []), *_fill(line, inner),
              *([(" " * right, None)] if right else [])] for line in body]
    return [_over(column.style, line) for line in lines]


def _table(columns: list[_Column], width: int) -> list[_Line]:
    """Rows of a typer options or commands table (box None, vertical "top")."""
    widths = _column_widths(columns, width)
    rows: list[_Line] = []
    for index in range(len(columns[0].cells)):
        cells = [_cell_lines(column.cells[index], column, w)
                 for column, w in zip(columns, widths)]
        height = max(1, *(len(lines) for lines in cells))
        for column, w, lines in zip(columns, widths, cells):
            lines.extend([(" " * w, column.style)] for _ in range(height - len(lines)))
        for line_no in range(height):
            rows.append([segment for column, w, lines in zip(columns, widths, cells)
                         for segment in _fill(lines[line_no], w)])
    return rows


def _panel(title: str, columns: list[_Column], width: int, border: _Style | None) -> list[_Line]:
    """`Panel(table, title=..., title_align="left")` with the rounded box, full width."""
    heading = f" {_checked(title)} "
    if "[" in title or len(heading) > width - 4:
        raise _Unsupported("panel title")
    rule = width - 4 - len(heading)
    top: _Line = [("╭─", border), (heading, border), *([("─" * rule, border)] if rule else []),
                  ("─╮", border)]
    body = [[("│", border), (" ", None), *_fill(line, width - 4), (" ", None), ("│", border)]
            for line in _table(columns, width - 4)]
    return [top, *body, [("╰" + "─" * (width - 2) + "╯", border)]]


def _param_row(param: Any, ctx: Any, styles: dict[str, Any]) -> list[tuple[str, Any, int, int]]:
    """The cells typer's `_print_options_panel` makes of one option, if it shows help only."""
    if not isinstance(param, typer.core.TyperOption) or getattr(param, "rich_help_panel", None):
        raise _Unsupported("an argument or an option in its own panel")
    if param.required or getattr(param, "deprecated", False):
        raise _Unsupported("a required or deprecated option")
    envvar = getattr(param, "envvar", None)
    if envvar is None and getattr(param, "allow_from_autoenv", None) and \
            getattr(ctx, "auto_envvar_prefix", None) is not None and param.name:
        envvar = "x"
    if envvar and getattr(param, "show_envvar", None):
        raise _Unsupported("an option showing its env var")
    default = param._extract_default_help_str(ctx=ctx)
    if isinstance(param.show_default, str) or (default is not None and
                                               (param.show_default or ctx.show_default)):
        raise _Unsupported("an option showing its default")
    if not param.help:
        raise _Unsupported("an option without help")
    paragraphs = [p.replace("\n", " ").strip() if not p.startswith("\b")
                  else "{}\n".format(p.strip("\b\n")) for p in param.help.split("\n\n")]
    help_text = _rich_text("\n".join(paragraphs).strip(), styles["STYLE_OPTION_HELP"], styles)
    names = {"long": [], "short": [], "neg_long": [], "neg_short": []}
    for opt in param.opts:
        names["long" if "--" in opt else "short"].append(_checked(opt))
    for opt in param.secondary_opts:
        names["neg_long" if "--" in opt else "neg_short"].append(_checked(opt))
    types = ""
    shown = param.display_type_rich(ctx=ctx)
    if shown is not None:
        types += shown
    number_range = param._get_number_range_help_str()
    if number_range:
        types += f" [{number_range}]"
    type_text = _highlighted(_Text(_checked(types), _style(styles["STYLE_TYPES"])),
                             _TYPES_HIGHLIGHTS, styles)
    return [
        ("text", _highlighted(_Text(",".join(names["long"])), _OPTION_HIGHLIGHTS, styles), 0, 1),
        ("text", _highlighted(_Text(",".join(names["short"])), _OPTION_HIGHLIGHTS, styles), 1, 1),
        ("text", _highlighted(_Text(",".join(names["neg_long"])), _NEGATIVE_HIGHLIGHTS, styles),
         1, 1),
        ("text", _highlighted(_Text(",".join(names["neg_short"])), _NEGATIVE_HIGHLIGHTS,
                              styles), 1, 1),
        ("text", type_text, 1, 1),
        ("columns", help_text, 1, 0),
    ]


def _help_console() -> tuple[int, bool, bool]:
    """(width, styled, no_color) of the console typer's help would print on, here and now.

    Mirrors `typer.rich_utils._get_rich_console` (TERMINAL_WIDTH, FORCE_COLOR / PY_COLORS /
    GITHUB_ACTIONS, _TYPER_FORCE_DISABLE_TERMINAL) and rich's `Console` (TTY_COMPATIBLE,
    FORCE_COLOR, NO_COLOR, COLUMNS, LINES, TERM, the size of the first terminal among
    stdin, stdout and stderr). typer reads its settings when `typer.rich_utils` is imported:
    if something in this process already did, its values are the ones used.
    """
    if sys.platform == "win32" or hasattr(builtins, "get_ipython"):
        raise _Unsupported("Windows or Jupyter console")
    env = os.environ
    loaded = sys.modules.get("typer.rich_utils")
    if loaded is not None:
        max_width, force, colour_system = loaded.MAX_WIDTH, loaded.FORCE_TERMINAL, \
            loaded.COLOR_SYSTEM
    else:
        given = env.get("TERMINAL_WIDTH")
        try:
            max_width = int(given) if given else None
        except ValueError:
            raise _Unsupported("TERMINAL_WIDTH") from None  # typer fails on it the same way
        force = True if (env.get("GITHUB_ACTIONS") or env.get("FORCE_COLOR")
                         or env.get("PY_COLORS")) else None
        if env.get("_TYPER_FORCE_DISABLE_TERMINAL"):
            force = False
        colour_system = "auto"
    out = getattr(sys.stdout, "rich_proxied_file", sys.stdout)
    if out is None or not (getattr(out, "encoding", "utf-8") or "utf-8").lower().startswith("utf"):
        raise _Unsupported("stdout without UTF-8")  # rich would draw ASCII boxes
    if force is not None:
        terminal = bool(force)
    elif hasattr(sys.stdin, "__module__") and sys.stdin.__module__.startswith("idlelib"):
        terminal = False
    elif env.get("TTY_COMPATIBLE", "") in ("0", "1"):
        terminal = env["TTY_COMPATIBLE"] == "1"
    elif env.get("FORCE_COLOR") is not None:
        terminal = env["FORCE_COLOR"] != ""
    else:
        isatty = getattr(out, "isatty", None)
        try:
            terminal = False if isatty is None else bool(isatty())
        except ValueError:
            terminal = False
    dumb = terminal and env.get("TERM", "").lower() in ("dumb", "unknown")
    columns, lines = env.get("COLUMNS"), env.get("LINES")
    width = max_width
    if width is None and columns is not None and columns.isdigit():
        width = int(columns)
    if width is None or not (lines is not None and lines.isdigit()):
        if dumb:
            width = 80
        elif width is None:
            for fd in (0, 1, 2):
                try:
                    width = os.get_terminal_size(fd)[0]
                except (AttributeError, ValueError, OSError):
                    continue
                break
            if columns is not None and columns.isdigit():
                width = int(columns)
            width = width or 80
    if colour_system == "auto":
        styled = terminal and not dumb
    elif colour_system in ("standard", "256", "truecolor", None):
        styled = colour_system is not None
    else:
        raise _Unsupported(f"colour system {colour_system!r}")
    return width, styled, env.get("NO_COLOR", "") != ""


def _page_lines(group: typer.core.TyperGroup, ctx: Any, listed: list[Any],
                width: int) -> list[_Line]:
    """typer's `rich_format_help` of the top-level group, as lines of styled segments."""
    if not typer.core.HAS_RICH or group.rich_markup_mode != "rich":
        raise _Unsupported("markup mode")
    loaded = sys.modules.get("typer.rich_utils")
    if loaded is not None:
        if any(getattr(loaded, key) != value for key, value in _TYPER_STYLES.items()) or \
                tuple(loaded.OptionHighlighter.highlights) != _OPTION_HIGHLIGHTS:
            raise _Unsupported("typer's help styles changed in this process")
    styles = _TYPER_STYLES
    if group.epilog or group.deprecated:
        raise _Unsupported("epilog or deprecated group")
    bold = _style(styles["STYLE_USAGE_COMMAND"])
    blank: _Line = [(" " * width, None)]
    usage = _highlighted(_Text(_checked(group.get_usage(ctx))), _OPTION_HIGHLIGHTS, styles)
    page = [_over(bold, blank)]
    page += [_over(bold, [(" ", None), *_fill(line, width - 2), (" ", None)])
             for line in _wrap(usage, width - 2, pad=False)]
    page.append(_over(bold, blank))
    if group.help:
        help_text = inspect.cleandoc(group.help).partition("\f")[0]
        first, *rest = help_text.split("\n\n")
        if rest or first.startswith("\b"):
            raise _Unsupported("help of more than one paragraph")
        text = _rich_text(first.replace("\n", " ").strip(), styles["STYLE_HELPTEXT_FIRST_LINE"],
                          styles)
        fits = _get_measure(_text_measure(text), width - 2)[1]  # Align(pad=False) measures
        page += [[(" ", None), *_fill(line, width - 2), (" ", None)]
                 for line in _wrap(text, fits, pad=False)]
        page.append(blank)
    rows = [_param_row(param, ctx, styles) for param in group.get_params(ctx)
            if not getattr(param, "hidden", False)]
    if rows:
        option_columns = [_Column([row[i] for row in rows]) for i in range(6)]
        page += _panel(_("Options"), option_columns, width,
                       _style(styles["STYLE_OPTIONS_PANEL_BORDER"]))
    commands = [command for command in listed if not command.hidden]
    if commands:
        names, helps = [], []
        for command in commands:
            if command.deprecated or getattr(command, "rich_help_panel", None):
                raise _Unsupported("a deprecated command or one in its own panel")
            first = inspect.cleandoc(command.short_help or command.help or "").split("\n\n")[0]
            if first.startswith("\b"):
                raise _Unsupported("a \\b paragraph")
            names.append(("text", _Text(_checked(command.name or "")), 0, 1))
            helps.append(("text", _rich_text(first.strip(), styles["STYLE_OPTION_HELP"], styles),
                          1, 0))
        longest = max(len(command.name or "") for command in commands)
        command_columns = [
            _Column(names, style=_style(styles["STYLE_COMMANDS_TABLE_FIRST_COLUMN"]),
                    width=longest, no_wrap=True),
            _Column(helps, ratio=10),
        ]
        page += _panel(_("Commands"), command_columns, width,
                       _style(styles["STYLE_COMMANDS_PANEL_BORDER"]))
    return page


def _sgr(style: _Style | None, no_color: bool) -> str:
    """The SGR parameters rich writes for `style` (bold, dim, then the colour)."""
    if style is None:
        return ""
    codes = [code for code, on in (("1", style[0]), ("2", style[1])) if on]
    if style[2] is not None and not no_color:
        codes.append(str(style[2]))
    return ";".join(codes)


def top_level_help(group: typer.core.TyperGroup, ctx: Any, listed: list[Any]) -> str | None:
    """The top-level help page exactly as typer's rich renderer would print it, or None.

    None means "let typer render it": the page or the environment holds something this
    renderer does not model (see the comment above `_Unsupported`). The page is built from
    the group itself (usage, help, options) and `listed`, the commands its list shows in
    order (the CLI passes `LAZY_COMMANDS` stand-ins and loaded commands), so a change to any
    of them shows up here as it would in typer's page.
    """
    try:
        width, styled, no_color = _help_console()
        if width < 20:
            raise _Unsupported("narrow console")
        lines = _page_lines(group, ctx, listed, width)
    except _Unsupported:
        return None
    out = []
    for line in lines:
        for text, style in line:
            codes = _sgr(style, no_color) if styled else ""
            out.append(f"\x1b[{codes}m{text}\x1b[0m" if codes else text)
        out.append("\n")
    return "".join(out)
