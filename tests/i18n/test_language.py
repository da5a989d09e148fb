"""The language of a session: choosing it, scoping it to a thread, translating with it."""

from __future__ import annotations

import contextvars
import gettext
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from dashboard import i18n
from dashboard.config import Settings
from dashboard.i18n import N_, _, ngettext, pgettext
from dashboard.i18n import formats as fmt


@pytest.mark.parametrize(
    ("url", "session", "setting", "browser", "expected"),
    [
        # a shared link decides a session's first run (no session choice yet) ...
        ("vi", None, "en", "en-US", "vi"),
        (["en"], None, "vi", "vi-VN", "en"),
        # ... then the session's own choice (the sidebar switch) wins over the URL
        ("vi", "en", "auto", "vi-VN", "en"),
        (None, "vi", "en", "en-US", "vi"),
        # no choice: the setting; auto follows the browser
        (None, None, "vi", "en-US", "vi"),
        (None, None, "en", "vi-VN", "en"),
        (None, None, "auto", "vi-VN", "vi"),
        (None, None, "auto", "vi", "vi"),
        (None, None, "AUTO", "vi_VN", "vi"),
        (None, None, "auto", "en-GB", "en"),
        (None, None, "auto", "vietnam", "en"),  # not a vi locale tag
        (None, None, "auto", None, "en"),
        (None, None, None, "vi-VN", "vi"),  # no setting = auto
        # bad URL / session values are ignored, never raise
        ("fr", "xx", "auto", "vi-VN", "vi"),
        ([], None, "en", None, "en"),
        (" VI ", None, "en", None, "vi"),
    ],
)
def test_resolve_language(url, session, setting, browser, expected):
    assert i18n.resolve_language(url, session, setting, browser) == expected


def test_an_unknown_setting_is_a_configuration_error():
    with pytest.raises(ValueError, match="CXDASH_LANGUAGE"):
        i18n.resolve_language(None, None, "fr", "vi-VN")
    with pytest.raises(ValueError, match="CXDASH_LANGUAGE"):
        i18n.cli_language(None, "de")


@pytest.mark.parametrize(
    ("option", "setting", "expected"),
    [(None, "auto", "en"), (None, "vi", "vi"), ("en", "vi", "en"), ("vi", "auto", "vi")],
)
def test_cli_language_auto_means_english(option, setting, expected):
    assert i18n.cli_language(option, setting) == expected


def test_cli_language_rejects_an_unknown_option():
    with pytest.raises(ValueError, match="unsupported language"):
        i18n.cli_language("fr", "auto")


def test_the_language_setting_defaults_to_auto_and_reads_the_environment():
    assert Settings().language == "auto"
    assert Settings.from_env({"CXDASH_LANGUAGE": "vi"}).language == "vi"


def test_the_language_is_english_until_set_and_restored_after_a_block():
    def run():
        assert i18n.current_language() == "en"
        with i18n.language("vi") as lang:
            assert lang == "vi" and i18n.current_language() == "vi"
            with i18n.language("en"):
                assert _("Last 30 days") == "Last 30 days"
            with i18n.language(None):  # None keeps the current language
                assert _("Last 30 days") == "30 ngày gần nhất"
        assert i18n.current_language() == "en"
        assert i18n.set_language("vi") == "vi"
        assert i18n.current_language() == "vi"

    contextvars.copy_context().run(run)  # set_language stays inside that context
    assert i18n.current_language() == "en"
    with pytest.raises(ValueError):
        i18n.set_language("fr")
    with pytest.raises(ValueError), i18n.language("fr"):
        pass


def test_vietnamese_translations_come_from_the_po_file_compiled_at_load_time():
    catalog_dir = i18n.LOCALE_DIR / "vi" / "LC_MESSAGES"
    assert not list(catalog_dir.glob("*.mo"))  # nothing built: the .po is compiled in memory
    assert isinstance(i18n.translations("vi"), gettext.GNUTranslations)
    assert i18n.translations("vi") is i18n.translations("vi")  # once per process
    with i18n.language("vi"):
        assert _("Last 30 days") == "30 ngày gần nhất"
        assert _("Acquisition channel") == "Kênh thu hút khách hàng"
        assert _("No such message in the catalog") == "No such message in the catalog"
        assert ngettext("+{n} more", "+{n} more", 1).format(n=1) == "+1 khác"
        assert ngettext("+{n} more", "+{n} more", 5).format(n=5) == "+5 khác"
        # the context picks the entry: "age band" exists only as a dimension noun
        assert pgettext("dimension", "age band") == "nhóm tuổi"
        assert _("age band") == "age band"


def test_english_is_the_message_itself_with_english_plurals():
    with i18n.language("en"):
        assert _("Last 30 days") == "Last 30 days"
        assert ngettext("{n} response", "{n} responses", 1) == "{n} response"
        assert ngettext("{n} response", "{n} responses", 0) == "{n} responses"
        assert pgettext("dimension", "age band") == "age band"
    assert N_("Marked only") == "Marked only"


def test_a_new_thread_starts_in_english_whatever_the_starting_thread_uses():
    seen = []
    with i18n.language("vi"):
        thread = threading.Thread(target=lambda: seen.append(i18n.current_language()))
        thread.start()
        thread.join()
        # work handed to a pool keeps the language only when its context is copied
        with ThreadPoolExecutor(max_workers=1) as pool:
            copied = pool.submit(contextvars.copy_context().run, _, "Last 30 days").result()
    assert seen == ["en"]
    assert copied == "30 ngày gần nhất"


def test_two_sessions_in_two_threads_keep_their_own_language():
    """Streamlit runs each session's script in its own thread: interleave two of them."""
    both_set = threading.Barrier(2, timeout=10)
    results: dict[str, list[tuple[str, str, str]]] = {}
    errors = []

    def session(lang: str) -> None:
        try:
            i18n.set_language(lang)
            both_set.wait()  # both threads have set their language before either reads
            seen = []
            for _round in range(200):
                seen.append((_("Last 30 days"), fmt.fmt_int(19962), fmt.fmt_vnd_short(36.5e9)))
                if _round == 100:
                    both_set.wait()  # and read at the same time
            results[lang] = seen
        except Exception as exc:  # surfaced below: an assert in a thread would be lost
            errors.append(exc)

    threads = [threading.Thread(target=session, args=(lang,)) for lang in ("vi", "en")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert set(results["vi"]) == {("30 ngày gần nhất", "19.962", "36,5 tỷ ₫")}
    assert set(results["en"]) == {("Last 30 days", "19,962", "36.5 bn ₫")}
    assert i18n.current_language() == "en"  # the test's own thread never changed


def test_language_names_are_written_in_their_own_language():
    assert i18n.LANGUAGE_NAMES == {"vi": "Tiếng Việt", "en": "English"}
    assert set(i18n.LANGUAGES) == {"vi", "en"} and i18n.URL_PARAM == "lang"


def test_the_i18n_package_does_not_import_streamlit():
    import subprocess
    import sys

    code = (
        "import sys, dashboard.i18n, dashboard.i18n.formats, dashboard.i18n.catalog, "
        "dashboard.i18n.lint; print('streamlit' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
