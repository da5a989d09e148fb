"""Roles and scopes as DESIGN.md's Access section defines them."""

from __future__ import annotations

import threading

import pytest

from dashboard import access


def test_each_role_adds_to_the_one_before_and_analysts_never_see_personal_data():
    executive = access.permissions("executive")
    manager = access.permissions("manager")
    analyst = access.permissions("analyst")
    admin = access.permissions("admin")
    assert {"dashboards", "chart_exports", "report_exports"} == executive
    assert executive < manager and {"comments", "customers", "followup"} <= manager
    assert "table_exports" not in manager and "table_exports" in analyst
    assert "personal_data" in manager and "personal_data" not in analyst
    assert {"imports", "users", "personal_data"} <= admin
    assert "labels" not in manager and "labels" in analyst and "settings" not in analyst
    with pytest.raises(ValueError, match="unknown role"):
        access.permissions("owner")


def test_a_scope_is_cleaned_hashable_and_refuses_unknown_dimensions():
    scope = access.Scope.of({"region": ["TP.HCM", " TP.HCM ", ""], "segment": []})
    assert scope.as_dict() == {"region": ("TP.HCM",)}
    assert hash(scope) == hash(access.Scope.of({"region": ["TP.HCM"]}))
    assert access.Scope().everything and not scope.everything
    with pytest.raises(ValueError, match="unknown dimension"):
        access.Scope.of({"city": ["Hà Nội"]})


def test_the_viewer_is_per_thread_and_the_cli_acts_as_admin():
    assert access.current_viewer() == access.CLI_ADMIN and not access.viewer_is_set()
    seen = {}

    def run(name, viewer):
        with access.acting_as(viewer):
            seen[name] = (access.current_viewer().role, access.may_see_personal_data())

    threads = [
        threading.Thread(target=run, args=("a", access.Viewer("a@x.vn", "analyst"))),
        threading.Thread(target=run, args=("m", access.Viewer("m@x.vn", "manager"))),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == {"a": ("analyst", False), "m": ("manager", True)}
    assert access.current_viewer() == access.CLI_ADMIN
