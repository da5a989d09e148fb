"""The cxdash entry points around serving: demo data first, then the dashboard."""

from __future__ import annotations

import subprocess
import sys

from dashboard import cli
from dashboard.cli import setup as cli_setup


def test_demo_generates_then_hands_the_store_to_the_dashboard(tmp_path, monkeypatch, capsys):
    store = tmp_path / "demo.duckdb"
    monkeypatch.setenv("CXDASH_DATABASE_URL", f"duckdb:///{store}")

    def serve_in_another_process(args) -> int:
        # What `streamlit run` does first: open the store from a second process.
        # DuckDB refuses while this process still holds the file.
        probe = "import duckdb, sys; c = duckdb.connect(sys.argv[1]); " \
                "print(c.sql('select count(*) from customers').fetchall()[0][0])"  # fmt: skip
        done = subprocess.run([sys.executable, "-c", probe, str(store)],
                              capture_output=True, text=True)  # fmt: skip
        print(done.stdout.strip(), done.stderr.strip()[-300:])
        return done.returncode

    monkeypatch.setattr(cli_setup, "_serve", serve_in_another_process)
    assert cli.main(["demo", "--scale", "small", "--port", "8599"]) == 0
    out = capsys.readouterr().out
    assert "Demo data (small) written" in out
    assert "2000" in out  # the dashboard's process read the generated customers
    # a second run finds data and does not regenerate
    assert cli.main(["demo", "--scale", "small"]) == 0
    assert "written" not in capsys.readouterr().out


def test_streamlit_command_honours_the_port():
    command = cli_setup._streamlit_command(8765)
    assert command[5:7] == ["--server.port", "8765"]
    assert command[1:4] == ["-m", "dashboard.ui.serve", "run"] and command[4].endswith("app.py")


def test_settings_lists_every_variable(capsys, monkeypatch):
    monkeypatch.setenv("CXDASH_MIN_N", "12")
    assert cli.main(["settings"]) == 0
    out = capsys.readouterr().out
    assert "CXDASH_DATABASE_URL=" in out and "CXDASH_MIN_N=12" in out


def test_init_db_is_idempotent(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CXDASH_DATABASE_URL", f"duckdb:///{tmp_path / 'x.duckdb'}")
    assert cli.main(["init-db"]) == 0
    assert cli.main(["init-db"]) == 0
    assert "Schema ready" in capsys.readouterr().out
