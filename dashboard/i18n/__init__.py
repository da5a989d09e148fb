"""Vietnamese and English: the language of a session, translations, locale formatting.

No streamlit here. Usage::

    from dashboard.i18n import N_, _, ngettext, pgettext

    TITLE = N_("Customers reaching each funnel step")  # extracted; translated when shown
    fig.update_layout(title=_(TITLE))
    ngettext("{n} response", "{n} responses", n).format(n=fmt_int(n))

The app sets the language once per script run (:func:`set_language`, chosen by
:func:`resolve_language`); exports and CLI commands wrap their work in
``with language(lang):``. Formatters live in :mod:`dashboard.i18n.formats`, the
catalog tooling in :mod:`dashboard.i18n.catalog`, the string lint in
:mod:`dashboard.i18n.lint`.
"""

from __future__ import annotations

from dashboard.i18n.core import (
    AUTO,
    DOMAIN,
    LANGUAGE_NAMES,
    LANGUAGES,
    LOCALE_DIR,
    N_,
    SOURCE_LANGUAGE,
    URL_PARAM,
    _,
    catalog_path,
    check_language,
    cli_language,
    compile_po,
    current_language,
    language,
    language_from_locale,
    language_setting,
    ngettext,
    npgettext,
    parse_language,
    pgettext,
    reload_catalogs,
    resolve_language,
    set_language,
    translations,
)

__all__ = [
    "AUTO",
    "DOMAIN",
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "LOCALE_DIR",
    "SOURCE_LANGUAGE",
    "URL_PARAM",
    "N_",
    "_",
    "catalog_path",
    "check_language",
    "cli_language",
    "compile_po",
    "current_language",
    "language",
    "language_from_locale",
    "language_setting",
    "ngettext",
    "npgettext",
    "parse_language",
    "pgettext",
    "reload_catalogs",
    "resolve_language",
    "set_language",
    "translations",
]
