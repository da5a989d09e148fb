"""The language of one session or one job, and the translations of the ``cxdash`` domain.

English is the source language: every message in the code is the English text
(the gettext ``msgid``), and ``dashboard/locale/vi/LC_MESSAGES/cxdash.po`` holds the
Vietnamese. The ``.po`` file is compiled in memory when a process first needs it
(Babel's ``read_po`` + ``write_mo``), so a plain ``pip install -e .`` runs the app
in both languages with no build step.

The current language lives in a :class:`contextvars.ContextVar`, never in the
process: Streamlit runs each session's script in its own thread, and a new
thread starts with the variable's default (English), so one session switching
language never changes another's. Whoever starts a run sets it
(:func:`set_language` at the top of the app's script, :func:`language` around an
export or a CLI command). Work handed to another thread (a thread pool) does not
inherit it: run it with ``contextvars.copy_context().run`` or set it there again.
"""

from __future__ import annotations

import contextlib
import functools
import gettext
import io
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

DOMAIN = "cxdash"
SOURCE_LANGUAGE = "en"  # the msgids are the English text
LANGUAGES = ("vi", "en")
AUTO = "auto"
URL_PARAM = "lang"  # ?lang=vi in a shared link
# Each language named in itself (the switch shows these untranslated, as is usual).
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"

_current: ContextVar[str] = ContextVar("cxdash_language", default=SOURCE_LANGUAGE)


# -- choosing the language --------------------------------------------------------------


def parse_language(value: str | Sequence[str] | None) -> str | None:
    """``"vi"`` or ``"en"`` for an explicit choice (case and blanks ignored), else None.

    Accepts a URL parameter's list of values (the first one counts).
    """
    if value is None:
        return None
    if not isinstance(value, str):
        value = next(iter(value), None)
        if value is None:
            return None
    value = str(value).strip().lower()
    return value if value in LANGUAGES else None


def check_language(lang: str) -> str:
    """``lang`` if it is a supported language, else ValueError."""
    parsed = parse_language(lang)
    if parsed is None:
        raise ValueError(f"unsupported language {lang!r}; use one of {', '.join(LANGUAGES)}")
    return parsed


def language_from_locale(locale: str | None) -> str:
    """The language for a browser locale (``navigator.language``): vi for ``vi``/``vi-*``."""
    if not locale:
        return SOURCE_LANGUAGE
    code = locale.strip().lower().replace("_", "-")
    return "vi" if code == "vi" or code.startswith("vi-") else SOURCE_LANGUAGE


def language_setting(setting: str | None) -> str:
    """The ``CXDASH_LANGUAGE`` setting checked: ``"vi"``, ``"en"`` or ``"auto"`` (default)."""
    if setting is None or not str(setting).strip():
        return AUTO
    value = str(setting).strip().lower()
    if value == AUTO or value in LANGUAGES:
        return value
    raise ValueError(f"CXDASH_LANGUAGE must be vi, en or auto, got {setting!r}")


def resolve_language(
    url_value: str | Sequence[str] | None,
    session_value: str | None,
    setting: str | None,
    browser_locale: str | None,
) -> str:
    """The language of a dashboard run.

    The session's own choice (the sidebar switch) wins; on a session's first run
    there is none yet, so a ``lang=vi|en`` URL parameter (a shared link) decides;
    then the ``CXDASH_LANGUAGE`` setting, where ``auto`` follows the browser's locale
    (``st.context.locale``). Invalid URL or session values are ignored; an invalid
    setting is a configuration error (ValueError).
    """
    chosen = parse_language(session_value) or parse_language(url_value)
    if chosen:
        return chosen
    default = language_setting(setting)
    return language_from_locale(browser_locale) if default == AUTO else default


def cli_language(option: str | None, setting: str | None) -> str:
    """The language of a CLI command: ``--lang`` if given, else the setting (``auto`` = en)."""
    if option is not None:
        return check_language(option)
    default = language_setting(setting)
    return SOURCE_LANGUAGE if default == AUTO else default


# -- the current language -------------------------------------------------------------------


def current_language() -> str:
    """The language of this session / job (English unless set)."""
    return _current.get()


def set_language(lang: str) -> str:
    """Make ``lang`` the language of the current context (a session's script run)."""
    lang = check_language(lang)
    _current.set(lang)
    return lang


@contextlib.contextmanager
def language(lang: str | None) -> Iterator[str]:
    """``with language("vi"): ...`` -- an export or CLI command in one language.

    ``None`` keeps the current language. The previous language is restored on exit.
    """
    token = _current.set(check_language(lang) if lang is not None else _current.get())
    try:
        yield _current.get()
    finally:
        _current.reset(token)


# -- catalogs ----------------------------------------------------------------------------------


def catalog_path(lang: str, locale_dir: Path = LOCALE_DIR) -> Path:
    """Where the main ``.po`` file of ``lang`` lives (the source of truth, committed)."""
    return Path(locale_dir) / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def catalog_paths(lang: str, locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """Every ``.po`` file of ``lang``: the main one first, then one per feature area
    (e.g. ``customers.po``), so that areas built in parallel do not edit one file."""
    main = catalog_path(lang, locale_dir)
    others = sorted(p for p in main.parent.glob("*.po") if p != main)
    return [main, *others]


def read_catalogs(po_files) -> Catalog:
    """The messages of several ``.po`` files as one catalog (the first file's header)."""
    merged = None
    for po_file in po_files:
        with open(po_file, "rb") as handle:
            catalog = read_po(handle, domain=DOMAIN)
        if merged is None:
            merged = catalog
            continue
        for message in catalog:
            if message.id:
                merged[message.id] = message
    return merged


def compile_po(po_file: Path | list[Path]) -> gettext.GNUTranslations:
    """``.po`` file(s) compiled in memory; untranslated and fuzzy entries stay English."""
    catalog = read_catalogs(po_file if isinstance(po_file, list) else [po_file])
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


@functools.lru_cache(maxsize=8)
def translations(lang: str, locale_dir: Path = LOCALE_DIR) -> gettext.NullTranslations:
    """The translations of ``lang``, compiled once per process.

    English needs no catalog (the messages are English): its translations are
    ``NullTranslations``, which also picks English plurals (``n == 1``). A missing
    Vietnamese catalog raises: it is a packaging error, not something to hide.
    """
    lang = check_language(lang)
    if lang == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    return compile_po(catalog_paths(lang, locale_dir))


def reload_catalogs() -> None:
    """Forget the compiled catalogs (after editing a ``.po`` file in a running process)."""
    translations.cache_clear()


def _active() -> gettext.NullTranslations:
    return translations(_current.get())


# -- marking and translating messages -----------------------------------------------------


def _(message: str) -> str:
    """``message`` (English) in the current language."""
    return _active().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message for ``n`` things.

    ``ngettext("{n} response", "{n} responses", n).format(n=fmt_int(n))``: fill the
    placeholder afterwards, with the number formatted for the language.
    """
    return _active().ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` in the current language, disambiguated by ``context`` (e.g. "dimension")."""
    return _active().pgettext(context, message)


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    """:func:`ngettext` with a context."""
    return _active().npgettext(context, singular, plural, n)


def N_(message: str) -> str:  # noqa: N802 -- the gettext convention
    """Mark a module-level constant for extraction; translate it with ``_()`` when shown."""
    return message
