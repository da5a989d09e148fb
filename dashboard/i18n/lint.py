"""An AST check: no user-facing string literal reaches Streamlit or a chart untranslated.

Flagged: a string literal (or an f-string / concatenation with literal words) given

* to a Streamlit element's label, body or help -- ``st.title("Overview")``,
  ``sb.selectbox("Period", ...)``, ``col.metric("Revenue", ...)``,
  ``st.column_config.NumberColumn("Revenue")``, ``st.Page(..., title="Overview")``,
  ``st.tabs(["A", "B"])``, ``st.navigation({"Dashboard": ...})`` section names,
  ``st.download_button(..., file_name="report.pdf")``;
* to a chart's text -- in a plotly call (``go.*``, ``px.*``, ``fig.update_layout``,
  ``update_xaxes``, ``add_annotation``, ``add_hline`` ...): ``title=``, ``title_text=``,
  ``name=``, ``annotation_text=``, ``hovertemplate=``, axis / legend titles, ``text=`` of
  an annotation, and the same keys inside ``dict(...)`` values (``title=dict(text=...)``);
  the titles, messages and labels of the project's own helpers (:data:`TITLE_FUNCTIONS`:
  ``ui.header``, ``ui.no_data``, ``charts.nps_trend(title=)``, ``ExportContext`` ...);
* as the default of a parameter named ``title``, ``message``, ``label``, ``caption``,
  ``help``, ``placeholder`` or ``body``;

unless it goes through ``_()``, ``ngettext``, ``pgettext``, ``npgettext`` or ``N_``
(``_("{n} responses").format(...)`` is fine). An f-string is a literal unless every
literal part is free of words (``f"{label}: {value}"`` passes). A translation call
on a literal *inside* an f-string is flagged wherever it is: Babel's extractor does not look
into f-strings on Python 3.11, so its message would never reach the catalog --
translate first (``label = _("Revenue")``) or use ``_("{metric} by {dimension}").format(...)``.

Not words, so never flagged: placeholders (``%{x}``, ``{n}``), HTML tags, Material
icons (``:material/tune:``), numbers and symbols, and the reviewed allow-list below
(metric names that stay as they are). A data value drawn through a literal can be
waved through with ``# i18n: ok`` on its line.

Streamlit calls are recognised by the element's name; names that other libraries
share (``title``, ``info``, ``error``, ``write`` ...) only on a receiver that comes from
``st`` in the same module (``st.x``, ``sb = st.sidebar``, ``a, b = st.columns(2)``,
``with st.expander(...) as box``). Values reaching a widget through a variable or a
``format_func`` are out of reach of an AST check: the AppTest run in both languages
covers them.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SOURCE_DIRS = ("dashboard", "pages")
MARKER = "i18n: ok"

TRANSLATORS = frozenset({"_", "N_", "gettext", "ngettext", "pgettext", "npgettext"})

# Reviewed allow-list: words that are the same in Vietnamese and English.
ALLOWED_WORDS = frozenset({"NPS", "CSAT", "CES", "VND", "n", "p", "q"})
ALLOWED_STRINGS = frozenset({"CX Insights"})  # the product's name


def _names(text: str) -> tuple[str, ...]:
    """Space-separated names (long lists of API names read better as one string)."""
    return tuple(text.split())


_LABEL = ((0,), frozenset({"label", "help", "placeholder", "captions", "body"}))
_BODY = ((0,), frozenset({"body", "help", "text"}))
LABELLED_ELEMENTS = _names(
    "selectbox multiselect radio segmented_control pills toggle checkbox text_input "
    "number_input date_input time_input text_area slider select_slider file_uploader "
    "color_picker chat_input button link_button form_submit_button metric popover expander "
    "status"
)
TEXT_ELEMENTS = _names(
    "title header subheader caption markdown text write info warning error success exception "
    "toast spinner"
)
# element -> (positional arguments, keyword arguments) that people read
ELEMENTS: dict[str, tuple[tuple[int, ...], frozenset[str]]] = {
    **dict.fromkeys(LABELLED_ELEMENTS, _LABEL),
    **dict.fromkeys(TEXT_ELEMENTS, _BODY),
    "download_button": ((0,), frozenset({"label", "help", "file_name"})),
    "page_link": ((), frozenset({"label", "help"})),
    "progress": ((), frozenset({"text"})),
    "dialog": ((0,), frozenset({"title"})),
    "tabs": ((0,), frozenset({"tabs"})),
    "Page": ((), frozenset({"title"})),
    "set_page_config": ((0,), frozenset({"page_title"})),
    "navigation": ((0,), frozenset({"pages"})),  # section names: the dict's keys
}
# Names other libraries use too (logging.info, str.title ...): only on an ``st`` receiver.
SHARED_NAMES = frozenset(
    _names(
        "title header text write info warning error success exception spinner status progress "
        "dialog Page navigation set_page_config"
    )
)
COLUMN_TEXT = ((0,), frozenset({"label", "help"}))  # st.column_config.*Column

PLOTLY_METHODS = frozenset(
    _names(
        "update_layout update_xaxes update_yaxes update_traces update_coloraxes add_annotation "
        "add_hline add_vline add_hrect add_vrect add_trace add_scatter add_bar add_shape"
    )
)
PLOTLY_MODULES = frozenset({"go", "px"})
PLOTLY_KEYWORDS = frozenset(
    _names(
        "title title_text name annotation_text hovertemplate texttemplate legend_title_text "
        "xaxis_title yaxis_title xaxis_title_text yaxis_title_text coloraxis_colorbar_title_text"
    )
)
ANNOTATION_KEYWORDS = frozenset({"text"})  # add_annotation(text=...)
NESTED_KEYS = frozenset({"title", "text", "title_text", "name", "hovertemplate", "texttemplate"})
# The project's own helpers that put text in front of people: the positional arguments
# and keywords that are a title, a message or a label. Names are matched on any receiver
# (``ui.header``, ``charts.nps_trend``, a bare ``header``); keep them distinctive.
_TITLE = frozenset({"title"})
TITLE_FUNCTIONS: dict[str, tuple[tuple[int, ...], frozenset[str]]] = {
    "_figure": ((0,), _TITLE),
    "empty_figure": ((0, 1), frozenset({"title", "message"})),
    "header": ((0,), frozenset({"title", "extra"})),  # ui.header(title, f, extra)
    "no_data": ((0,), frozenset({"message"})),  # ui.no_data(message)
    "table": ((), _TITLE),  # ui.table(frame, name, title=...): the exported file's title
    "report_button": ((), frozenset({"label"})),
    "nps_trend": ((), _TITLE),
    "nps_mix": ((1,), _TITLE),
    "funnel": ((), _TITLE),
    "heatmap": ((), _TITLE),
    "sparkline": ((2,), _TITLE),
    "with_context": ((), _TITLE),
    "ExportContext": ((0,), frozenset({"title", "filters_words"})),
    "report_pdf": ((), frozenset({"title", "filters_words", "period_words"})),
    "_Check": ((2, 3), frozenset({"rule", "fix"})),  # ingest.validate: a row error's words
}
# Where an exception's message is what people read (the Data page shows it, the CLI prints
# it): in modules under these folders, ``raise X("literal")`` is checked too.
MESSAGE_DIRS = ("dashboard/ingest/",)
TEXT_PARAMETERS = frozenset({"title", "message", "label", "caption", "help", "placeholder", "body"})

_NOT_WORDS = re.compile(
    r"%\{[^}]*\}"  # plotly placeholders
    r"|\{[^{}]*\}"  # str.format / f-string fields
    r"|<[^>]*>"  # HTML tags
    r"|:material/[a-z_]+:"  # Material icons
    r"|:[a-z_]+:"  # emoji short codes
    r"|:[a-z]+(?:-background)?\["  # Streamlit colour directives (their text stays)
    r"|%[-+#0]*\d*(?:\.\d+)?[sdifgeExX%]"  # printf specs (no space flag: "% satisfied")
    r"|&[a-z]+;"  # HTML entities
    r"|\.(?:pdf|csv|xlsx|png|svg|json|zip)\b"  # file extensions
)
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True, order=True)
class Violation:
    """A literal people would read in English: where, through what, and the text."""

    path: str
    line: int
    column: int
    call: str
    text: str

    def __str__(self) -> str:
        return (
            f"{self.path}:{self.line}:{self.column}: {self.call}: {self.text!r} is not "
            "translated (wrap it in _() or mark the line '# i18n: ok')"
        )


def needs_translation(text: str) -> bool:
    """Whether a literal holds words a person reads (not placeholders, tags, allowed terms)."""
    if text.strip() in ALLOWED_STRINGS:
        return False
    words = _WORD.findall(_NOT_WORDS.sub(" ", text))
    return any(word not in ALLOWED_WORDS for word in words)


def _root(node: ast.AST) -> str | None:
    """The name a chain like ``st.sidebar.columns(2)[0].metric`` starts from."""
    while True:
        if isinstance(node, ast.Attribute | ast.Subscript):
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Name):
            return node.id
        else:
            return None


def _attributes(node: ast.AST) -> Iterator[str]:
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        if isinstance(node, ast.Attribute):
            yield node.attr
            node = node.value
        else:
            node = node.func if isinstance(node, ast.Call) else node.value


def _func_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _is_translated(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and _func_name(node.func) in TRANSLATORS


class _Checker(ast.NodeVisitor):
    def __init__(self, path: str, marked: set[int]):
        self.path = path
        self.marked = marked
        self.st_names = {"st"}
        self.dict_keys: dict[str, list[ast.expr]] = {}  # name -> literal keys given to it
        self.violations: list[Violation] = []

    # -- which names come from streamlit ------------------------------------------------

    def _from_st(self, node: ast.AST | None) -> bool:
        if node is None:
            return False
        if isinstance(node, ast.Call) and _func_name(node.func) in {"zip", "enumerate"}:
            return any(self._from_st(arg) for arg in node.args)
        return _root(node) in self.st_names

    def _bind(self, target: ast.AST) -> None:
        for node in ast.walk(target):
            if isinstance(node, ast.Name):
                self.st_names.add(node.id)

    def visit_Assign(self, node: ast.Assign) -> None:
        if self._from_st(node.value):
            for target in node.targets:
                self._bind(target)
        for target in node.targets:
            # sections = {"Dashboard": [...]}; sections["Admin"] = [...]; st.navigation(sections)
            if isinstance(target, ast.Name) and isinstance(node.value, ast.Dict):
                self.dict_keys[target.id] = [k for k in node.value.keys if k is not None]
            elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                self.dict_keys.setdefault(target.value.id, []).append(target.slice)
        self.generic_visit(node)

    def visit_With(self, node: ast.With) -> None:
        for item in node.items:
            if item.optional_vars is not None and self._from_st(item.context_expr):
                self._bind(item.optional_vars)
        self.generic_visit(node)

    def visit_For(self, node: ast.For) -> None:
        if self._from_st(node.iter):
            self._bind(node.target)
        self.generic_visit(node)

    # -- findings ------------------------------------------------------------------------

    def _report(self, node: ast.AST, call_node: ast.AST, where: str, text: str) -> None:
        lines = {getattr(call_node, "lineno", 0), node.lineno, getattr(node, "end_lineno", 0)}
        if lines & self.marked:
            return
        self.violations.append(Violation(self.path, node.lineno, node.col_offset, where, text))

    def _judge(self, node: ast.AST | None, call_node: ast.AST, where: str) -> None:
        """Report the untranslated literal words in an expression shown to people."""
        if node is None or _is_translated(node):
            return
        if isinstance(node, ast.Constant):
            if isinstance(node.value, str) and needs_translation(node.value):
                self._report(node, call_node, where, node.value)
        elif isinstance(node, ast.JoinedStr):
            literal = "".join(part.value for part in node.values if isinstance(part, ast.Constant))
            if needs_translation(literal):
                self._report(node, call_node, where, ast.unparse(node))
            for part in node.values:
                if isinstance(part, ast.FormattedValue):
                    self._judge(part.value, call_node, where)
        elif isinstance(node, ast.BinOp):  # "a" + "b", "%s" % x
            self._judge(node.left, call_node, where)
            if isinstance(node.op, ast.Add):
                self._judge(node.right, call_node, where)
        elif isinstance(node, ast.IfExp):
            self._judge(node.body, call_node, where)
            self._judge(node.orelse, call_node, where)
        elif isinstance(node, ast.BoolOp):
            for value in node.values:
                self._judge(value, call_node, where)
        elif isinstance(node, ast.List | ast.Tuple | ast.Set):
            for element in node.elts:
                self._judge(element, call_node, where)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            # "Hello {}".format(x), _("...").format(x), " · ".join([...])
            self._judge(node.func.value, call_node, where)
            if node.func.attr == "join":
                for arg in node.args:
                    self._judge(arg, call_node, where)

    def _judge_nested(self, node: ast.AST, call_node: ast.AST, label: str, path: str) -> None:
        """Text keys inside ``dict(...)`` / ``{...}`` values of a plotly call."""
        if isinstance(node, ast.Call) and _func_name(node.func) == "dict":
            items = [(k.arg, k.value) for k in node.keywords if k.arg is not None]
        elif isinstance(node, ast.Dict):
            items = [
                (k.value, v)
                for k, v in zip(node.keys, node.values, strict=True)
                if isinstance(k, ast.Constant) and isinstance(k.value, str)
            ]
        elif isinstance(node, ast.List | ast.Tuple):
            for element in node.elts:
                self._judge_nested(element, call_node, label, path)
            return
        else:
            return
        for key, value in items:
            if key in NESTED_KEYS:
                self._judge(value, call_node, f"{label}({path}.{key}=)")
            self._judge_nested(value, call_node, label, f"{path}.{key}")

    def _check_arguments(
        self, node: ast.Call, positions: Iterable[int], keywords: Iterable[str], where: str
    ) -> None:
        for index in positions:
            if index < len(node.args):
                self._judge(node.args[index], node, where)
        keywords = set(keywords)
        for keyword in node.keywords:
            if keyword.arg in keywords:
                self._judge(keyword.value, node, f"{where}({keyword.arg}=)")

    def _check_navigation(self, node: ast.Call, where: str) -> None:
        values = [*node.args[:1], *(k.value for k in node.keywords if k.arg == "pages")]
        for value in values:
            if isinstance(value, ast.Dict):
                keys = [k for k in value.keys if k is not None]
            elif isinstance(value, ast.Name):
                keys = self.dict_keys.get(value.id, [])
            else:
                keys = []
            for key in keys:
                self._judge(key, node, f"{where} section")

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = _func_name(func)
        label = ast.unparse(func)
        streamlit_element = False
        if isinstance(func, ast.Attribute):
            receiver = func.value
            from_st = self._from_st(receiver)
            if name in ELEMENTS and (name not in SHARED_NAMES or from_st):
                streamlit_element = True
                if name == "navigation":
                    self._check_navigation(node, label)
                else:
                    self._check_arguments(node, *ELEMENTS[name], label)
            elif name.endswith("Column") and "column_config" in _attributes(receiver):
                self._check_arguments(node, *COLUMN_TEXT, label)
            if name in PLOTLY_METHODS or _root(receiver) in PLOTLY_MODULES:
                self._check_plotly(node, name, label)
        if name in TRANSLATORS:
            # _(f"...") looks a message up that no catalog can hold: pass a template
            # and fill it with .format() instead.
            for arg in node.args:
                if isinstance(arg, ast.JoinedStr):
                    self._report(arg, node, label, f"{ast.unparse(arg)} (a dynamic message)")
        if name in TITLE_FUNCTIONS and not streamlit_element:  # st.header: checked above
            self._check_arguments(node, *TITLE_FUNCTIONS[name], label)
        self.generic_visit(node)

    def _check_plotly(self, node: ast.Call, name: str, label: str) -> None:
        text_keywords = PLOTLY_KEYWORDS | (
            ANNOTATION_KEYWORDS if name == "add_annotation" else set()
        )
        for keyword in node.keywords:
            if keyword.arg in text_keywords:
                self._judge(keyword.value, node, f"{label}({keyword.arg}=)")
            if keyword.arg is not None:
                self._judge_nested(keyword.value, node, label, keyword.arg)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        # Babel's extractor reads no code inside f-strings (Python 3.11 tokenizes an
        # f-string as one string): a message there never reaches the catalog.
        for part in node.values:
            for inner in ast.walk(part):
                if (
                    isinstance(part, ast.FormattedValue)
                    and _is_translated(inner)
                    and any(isinstance(a, ast.Constant) for a in inner.args)
                ):
                    self._report(inner, node, "f-string", f"{ast.unparse(inner)} (not extractable)")
        self.generic_visit(node)

    def _check_defaults(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        arguments = node.args
        positional = [*arguments.posonlyargs, *arguments.args]
        with_default = positional[len(positional) - len(arguments.defaults) :]
        pairs = list(zip(with_default, arguments.defaults, strict=True))
        pairs += [
            (a, d) for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True) if d
        ]
        for argument, default in pairs:
            if argument.arg in TEXT_PARAMETERS:
                self._judge(default, default, f"def {node.name}({argument.arg}=)")

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._check_defaults(node)
        self.generic_visit(node)

    def visit_Raise(self, node: ast.Raise) -> None:
        exc = node.exc
        if (
            any(folder in self.path.replace("\\", "/") for folder in MESSAGE_DIRS)
            and isinstance(exc, ast.Call)
            and exc.args
        ):
            self._judge(exc.args[0], node, f"raise {ast.unparse(exc.func)}")
        self.generic_visit(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._check_defaults(node)
        self.generic_visit(node)


def _marked_lines(source: str) -> set[int]:
    marked = set()
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    for token in tokens:
        if token.type == tokenize.COMMENT and MARKER in token.string:
            marked.add(token.start[0])
    return marked


def lint_source(source: str, path: str = "<string>") -> list[Violation]:
    """The untranslated user-facing literals of one module's source, in order."""
    checker = _Checker(path, _marked_lines(source))
    checker.visit(ast.parse(source, filename=path))
    return sorted(checker.violations)


def lint_paths(paths: Iterable[Path], root: Path = PROJECT_ROOT) -> list[Violation]:
    """:func:`lint_source` over files (paths shown relative to ``root`` when inside it)."""
    violations = []
    for path in sorted(Path(p) for p in paths):
        try:
            shown = path.resolve().relative_to(Path(root).resolve()).as_posix()
        except ValueError:
            shown = str(path)
        violations.extend(lint_source(path.read_text(encoding="utf-8"), shown))
    return violations


def lint_repo(root: Path = PROJECT_ROOT, dirs: Iterable[str] = SOURCE_DIRS) -> list[Violation]:
    """Every violation in the Python files under ``root/<dirs>`` (dashboard/ and pages/)."""
    files = [path for folder in dirs for path in (Path(root) / folder).rglob("*.py")]
    return lint_paths(files, root)


def main(argv: Iterable[str] | None = None) -> int:
    """Print the violations of the repository (or of the given files); exit 1 if any."""
    argv = list(argv or [])
    violations = lint_paths([Path(a) for a in argv]) if argv else lint_repo()
    for violation in violations:
        print(violation)
    return 1 if violations else 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
