"""Catalog tooling: extraction, update, and a check that fails on missing, untranslated
or fuzzy messages -- on a small sample, then on the real code and catalog."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog

from dashboard.i18n import catalog, compile_po

SAMPLE_CODE = """
from dashboard.i18n import N_, _, ngettext, pgettext

TITLE = N_("Revenue")


def page(n, name):
    # TRANSLATORS: the page's heading
    heading = _("Overview")
    count = ngettext("{n} response", "{n} responses", n).format(n=n)
    verb = pgettext("menu", "Open")
    greeting = _("Hello {name}").format(name=name)
    return heading, count, verb, greeting, _(TITLE), _("Orders")
"""

SAMPLE_PO = r"""
msgid ""
msgstr ""
"Language: vi\n"
"Plural-Forms: nplurals=1; plural=0;\n"
"Content-Type: text/plain; charset=utf-8\n"

msgid "Revenue"
msgstr "Doanh thu"

msgid "Overview"
msgstr ""

#, fuzzy
msgid "{n} response"
msgid_plural "{n} responses"
msgstr[0] "{n} phản hồi"

msgid "Hello {name}"
msgstr "Xin chào {ten}"

msgid "Orders"
msgstr "Đơn hàng"

msgid "Left over"
msgstr "Còn sót"
"""


@pytest.fixture
def sample(tmp_path: Path) -> tuple[Path, Path]:
    """A package with marked messages, and a Vietnamese catalog with one of each fault."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "page.py").write_text(SAMPLE_CODE, encoding="utf-8")
    po_file = tmp_path / "cxdash.po"
    po_file.write_text(textwrap.dedent(SAMPLE_PO).lstrip(), encoding="utf-8")
    return tmp_path, po_file


def test_extraction_finds_every_keyword_with_context_plural_and_comment(sample):
    root, _ = sample
    template = catalog.extract(root, ["pkg"])
    found = {(m.id if isinstance(m.id, str) else m.id, m.context) for m in template if m.id}
    assert found == {
        ("Revenue", None),
        ("Overview", None),
        (("{n} response", "{n} responses"), None),
        ("Open", "menu"),
        ("Hello {name}", None),
        ("Orders", None),
    }
    overview = template.get("Overview")
    assert overview.locations == [("pkg/page.py", 9)]
    assert overview.auto_comments == ["the page's heading"]


def test_the_check_reports_each_fault(sample):
    root, po_file = sample
    problems = catalog.check(po_file, catalog.extract(root, ["pkg"]))
    assert [(p.kind, p.msgid, p.context) for p in problems] == [
        ("fuzzy", "{n} response", None),
        ("missing", "Open", "menu"),
        ("placeholders", "Hello {name}", None),
        ("untranslated", "Overview", None),
        ("unused", "Left over", None),
    ]
    assert [p.kind for p in catalog.errors(problems)] == [
        "fuzzy",
        "missing",
        "placeholders",
        "untranslated",
    ]
    assert problems[1].where == "pkg/page.py"


def test_a_complete_catalog_passes(sample):
    root, po_file = sample
    text = po_file.read_text(encoding="utf-8")
    text = text.replace('msgstr ""\n\n#, fuzzy', 'msgstr "Tổng quan"\n\n')
    text = text.replace("{ten}", "{name}")
    text += '\nmsgctxt "menu"\nmsgid "Open"\nmsgstr "Mở"\n'
    po_file.write_text(text, encoding="utf-8")
    problems = catalog.check(po_file, catalog.extract(root, ["pkg"]))
    assert catalog.errors(problems) == []
    assert [p.kind for p in problems] == ["unused"]


def test_the_command_line_exit_codes(sample, monkeypatch, capsys):
    root, po_file = sample
    template = catalog.extract(root, ["pkg"])
    monkeypatch.setattr(catalog, "extract", lambda: template)
    assert catalog.main(["check", "--po", str(po_file)]) == 1
    out = capsys.readouterr().out
    assert "missing: 'Open' [menu] (pkg/page.py)" in out and "4 error(s), 1 note(s)" in out

    assert catalog.main(["extract"]) == 0
    assert 'msgid "Overview"' in capsys.readouterr().out
    assert catalog.main(["extract", "-o", str(root / "cxdash.pot")]) == 0
    assert 'msgctxt "menu"' in (root / "cxdash.pot").read_text(encoding="utf-8")

    fixed = root / "fixed" / "cxdash.po"  # its own folder: the files of a folder form one catalog
    fixed.parent.mkdir()
    fixed.write_text(
        'msgid ""\nmsgstr ""\n"Language: vi\\n"\n"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
        'msgid "Revenue"\nmsgstr "Doanh thu"\n\nmsgid "Overview"\nmsgstr "Tổng quan"\n\n'
        'msgid "{n} response"\nmsgid_plural "{n} responses"\nmsgstr[0] "{n} phản hồi"\n\n'
        'msgctxt "menu"\nmsgid "Open"\nmsgstr "Mở"\n\n'
        'msgid "Hello {name}"\nmsgstr "Xin chào {name}"\n\nmsgid "Orders"\nmsgstr "Đơn hàng"\n\n'
        'msgid "Left over"\nmsgstr "Còn sót"\n',
        encoding="utf-8",
    )
    assert catalog.main(["check", "--po", str(fixed)]) == 0
    assert catalog.main(["check", "--po", str(fixed), "--strict"]) == 1  # "Left over"


def test_update_adds_new_messages_keeps_and_revives_old_ones(sample):
    root, po_file = sample
    code = root / "pkg" / "page.py"
    catalog.update(po_file, catalog.extract(root, ["pkg"]))
    updated = catalog.read_catalog(po_file)
    assert updated.get("Open", context="menu").string == ""  # new: to translate
    assert updated.get("Revenue").string == "Doanh thu"  # kept
    assert "Left over" in updated.obsolete and updated.get("Left over") is None

    # "Orders" leaves the code, then comes back: its translation comes back with it
    code.write_text(SAMPLE_CODE.replace('_("Orders")', '"x"'), encoding="utf-8")
    catalog.update(po_file, catalog.extract(root, ["pkg"]))
    assert catalog.read_catalog(po_file).get("Orders") is None
    code.write_text(SAMPLE_CODE, encoding="utf-8")
    catalog.update(po_file, catalog.extract(root, ["pkg"]))
    assert catalog.read_catalog(po_file).get("Orders").string == "Đơn hàng"

    # a slightly changed message keeps its old translation, flagged for review
    code.write_text(SAMPLE_CODE.replace('"Revenue"', '"Revenue."'), encoding="utf-8")
    catalog.update(po_file, catalog.extract(root, ["pkg"]))
    changed = catalog.read_catalog(po_file).get("Revenue.")
    assert changed.fuzzy and changed.string == "Doanh thu"
    kinds = {p.msgid: p.kind for p in catalog.check(po_file, catalog.extract(root, ["pkg"]))}
    assert kinds["Revenue."] == "fuzzy"


def test_fuzzy_and_untranslated_entries_stay_english_when_loaded(sample):
    _, po_file = sample
    translations = compile_po(po_file)
    assert translations.gettext("Revenue") == "Doanh thu"
    assert translations.gettext("Overview") == "Overview"  # untranslated
    assert translations.ngettext("{n} response", "{n} responses", 3) == "{n} responses"  # fuzzy


# -- the real code and catalog --------------------------------------------------------------


def test_every_message_in_the_code_is_in_the_vietnamese_catalog_and_translated():
    template = catalog.extract()
    assert template.get("all time") is not None  # the extraction reads the real code
    problems = catalog.errors(catalog.check(catalog.VI_CATALOG, template))
    assert problems == [], "\n".join(str(p) for p in problems) + (
        "\n-> run `cxdash i18n update` (python -m dashboard.i18n.catalog update), "
        "translate in dashboard/locale/vi/LC_MESSAGES/cxdash.po, remove the fuzzy flags"
    )


def test_the_vietnamese_catalog_has_one_plural_form_and_no_empty_or_fuzzy_entry():
    vi = catalog.read_catalog(catalog.VI_CATALOG)
    assert str(vi.locale) == "vi" and vi.num_plurals == 1
    entries = [m for m in vi if m.id]
    assert len(entries) > 80
    assert not [m.id for m in entries if m.fuzzy or not m.string]


def test_area_files_beside_the_main_catalog_are_one_catalog(tmp_path):
    # Feature areas keep their messages in files of their own (customers.po, ...): the
    # translations and the check read every file of the language's folder.
    from dashboard.i18n import core

    folder = tmp_path / "vi" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    header = 'msgid ""\nmsgstr ""\n"Language: vi\\n"\n"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
    (folder / "cxdash.po").write_text(header + 'msgid "Revenue"\nmsgstr "Doanh thu"\n')
    (folder / "customers.po").write_text(header + 'msgid "At risk"\nmsgstr "Có nguy cơ"\n')
    translated = core.compile_po(core.catalog_paths("vi", tmp_path))
    assert translated.gettext("Revenue") == "Doanh thu"
    assert translated.gettext("At risk") == "Có nguy cơ"
    template = Catalog()
    template.add("Revenue")
    template.add("At risk")
    assert catalog.errors(catalog.check(folder / "cxdash.po", template)) == []
    template.add("Missing one")
    assert [p.msgid for p in catalog.errors(catalog.check(folder / "cxdash.po", template))] == [
        "Missing one"
    ]
