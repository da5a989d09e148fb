"""The Data page: a mapping's lookups read only the files uploaded beside the main file."""

from __future__ import annotations

import tempfile

from tests.pages.test_data_page import feedback_rows, run_page, store_env, upload  # noqa: F401

SURVEY = "response_id,responded_at,touchpoint,nps,order\nT-1,2024-03-01,Web,9,O1\n"
ORDERS = "order,customer_id\nO1,C7\n"
MAPPING = """table = "feedback"
[columns]
customer_id = "customer_id"

[[lookups]]
file = "{file}"
on = "order"
columns = ["customer_id"]
"""


def test_lookups_come_from_the_lookup_uploader_only(store_env, tmp_path, monkeypatch):  # noqa: F811
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    at = run_page()
    upload(at, "survey.csv", SURVEY.encode())
    at.text_area(key="mapping_text").set_value(MAPPING.format(file="/etc/hostname"))
    at.button(key="check").click().run()
    assert "the mapping:6: lookup file '/etc/hostname' is an absolute path" in at.error[0].value
    assert not at.code  # no report, nothing read
    at.file_uploader(key="lookup_uploads").set_value([("orders.csv", ORDERS.encode(), "text/csv")])
    at.text_area(key="mapping_text").set_value(MAPPING.format(file="orders.csv"))
    at.button(key="check").click().run()
    assert not at.exception, at.exception
    assert "would insert: 1" in at.code[0].value
    at.button(key="import").click().run()
    assert feedback_rows(store_env) == [("T-1", "C7", 9, "Web")]
    assert list(scratch.iterdir()) == []  # no upload left behind
