"""What an import says is translatable (issue 13): the validator's row errors, the file
and mapping messages shown on the Data page and printed by the CLI. The i18n lint
checks ``raise X("...")`` and ``_Check(...)`` under dashboard/ingest; here they are read
in Vietnamese."""

from __future__ import annotations

import textwrap

import pytest

from dashboard.i18n import language, lint
from dashboard.ingest.mapping import MappingError, parse_mapping
from dashboard.ingest.plan import plan_import
from dashboard.ingest.read import FileRejected, open_source


def test_the_lint_checks_exception_messages_and_row_errors_in_ingest():
    source = textwrap.dedent(
        """
        def f(name):
            raise FileRejected(f"{name}: no such file")

        def g():
            raise MappingError(_("{origin}: fine").format(origin=1))

        checks = [_Check(name, bad, "is empty", "this column is required")]
        """
    )
    found = [(v.line, v.call) for v in lint.lint_source(source, "dashboard/ingest/x.py")]
    assert found == [(3, "raise FileRejected"), (8, "_Check"), (8, "_Check")]
    elsewhere = lint.lint_source(source, "dashboard/cli/x.py")  # CLI usage errors: English
    assert [(v.line, v.call) for v in elsewhere] == [(8, "_Check"), (8, "_Check")]
    assert lint.lint_repo(dirs=("dashboard/ingest",)) == []


def test_row_errors_in_vietnamese(duck_store, tmp_path):
    path = tmp_path / "feedback.csv"
    path.write_text(
        "response_id,responded_at,touchpoint,nps\n"
        "r1,2025-01-05,Website,abc\n"
        "r2,2025-01-05,Website,11\n"
        "r4,2025-01-06,Website,9\n"
        "R4,2025-01-07,Website,8\n",
        encoding="utf-8",
    )
    with language("vi"):
        report = plan_import(path, "feedback", engine=duck_store).report
    rules = report.errors["rule"].to_list()
    assert "không phải là số nguyên" in rules  # 'abc'
    assert "nằm ngoài khoảng 0–10" in rules  # 11
    assert any(r.startswith("trùng mã với dòng") for r in rules)  # R4 repeats r4
    fixes = " ".join(report.errors["fix"].to_list())
    assert "không bao giờ" in fixes and "never" not in fixes


@pytest.mark.parametrize(
    ("content", "words"),
    [(b"", "tệp trống (0 byte)"), (b"a,b\n", "có dòng tiêu đề nhưng không có dòng dữ liệu")],
)
def test_file_messages_in_vietnamese(tmp_path, content, words):
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    with language("vi"), pytest.raises(FileRejected) as raised:
        open_source(path).head()
    assert words in str(raised.value)


def test_mapping_messages_in_vietnamese():
    with language("vi"), pytest.raises(MappingError, match="dayfirst phải là true hoặc false"):
        parse_mapping({"table": "feedback", "dayfirst": "maybe"}, origin="m.toml")
    with pytest.raises(MappingError, match="dayfirst must be true or false"):  # English stays
        parse_mapping({"table": "feedback", "dayfirst": "maybe"}, origin="m.toml")
