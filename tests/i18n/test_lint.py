"""The string lint: user-facing literals must go through translation (on sample sources)."""

from __future__ import annotations

import textwrap

import pytest

from dashboard.i18n import lint

FLAGGED = """
import streamlit as st
import plotly.graph_objects as go

st.title("Overview")
st.sidebar.markdown("#### :material/tune: Filters")
sb = st.sidebar
sb.selectbox("Period", options, help="Which days count")
left, right = st.columns(2)
left.metric("Revenue", value, help=f"Compared with {previous}")
container.multiselect(label, options, placeholder=f"All {plural}")
with st.expander("More filters") as box:
    box.info("Nothing here")
st.tabs(["Funnel", "Heatmap"])
st.column_config.NumberColumn("Customers", help="Distinct customers")
st.download_button("Download", data, file_name="bao-cao.pdf")
st.error(f"**Cannot open the data store.** {message}")
st.Page("pages/overview.py", title="Overview")
sections = {"Dashboard": pages}
sections["Admin"] = admin
st.navigation(sections)
st.caption("Grey: " + "low sample")
st.warning("Heads up" if risky else _("All good"))

fig = go.Figure()
fig.add_trace(go.Scatter(x=x, y=y, name="95% margin of error",
                         hovertemplate="%{x}: %{y} customers"))
fig.update_layout(title=dict(text="NPS over time"), legend_title_text="Group")
fig.update_yaxes(title_text="share of scored responses")
fig.add_hline(y=0, annotation_text=f"target {target:.0f}")
fig.add_annotation(text="No data", x=0.5, y=0.5)
fig.add_trace(go.Heatmap(z=z, colorbar=dict(title=dict(text="vs target"))))
empty_figure(title, "No data for these filters")


def nps_mix(frame, title="Promoters, passives and detractors"):
    return frame


label = f"{_('Revenue')}: {value}"
message = _(f"{count} responses")
"""

EXPECTED = [
    (5, "st.title"),
    (6, "st.sidebar.markdown"),
    (8, "sb.selectbox"),
    (8, "sb.selectbox(help=)"),
    (10, "left.metric"),
    (10, "left.metric(help=)"),
    (11, "container.multiselect(placeholder=)"),
    (12, "st.expander"),
    (13, "box.info"),
    (14, "st.tabs"),
    (14, "st.tabs"),
    (15, "st.column_config.NumberColumn"),
    (15, "st.column_config.NumberColumn(help=)"),
    (16, "st.download_button"),
    (16, "st.download_button(file_name=)"),
    (17, "st.error"),
    (18, "st.Page(title=)"),
    (19, "st.navigation section"),
    (20, "st.navigation section"),
    (22, "st.caption"),
    (22, "st.caption"),
    (23, "st.warning"),
    (26, "go.Scatter(name=)"),
    (27, "go.Scatter(hovertemplate=)"),
    (28, "fig.update_layout(legend_title_text=)"),
    (28, "fig.update_layout(title.text=)"),
    (29, "fig.update_yaxes(title_text=)"),
    (30, "fig.add_hline(annotation_text=)"),
    (31, "fig.add_annotation(text=)"),
    (32, "go.Heatmap(colorbar.title.text=)"),
    (33, "empty_figure"),
    (36, "def nps_mix(title=)"),
    (40, "f-string"),
    (41, "_"),
]


def test_untranslated_literals_are_flagged_where_people_read_them():
    found = [(v.line, v.call) for v in lint.lint_source(FLAGGED, "sample.py")]
    assert sorted(found) == sorted(EXPECTED)


PASSING = """
import logging

import streamlit as st
import plotly.graph_objects as go
from dashboard.i18n import N_, _, ngettext, pgettext

logger = logging.getLogger(__name__)
PRESETS = {"last_30_days": N_("Last 30 days")}

st.title(_("Overview"))
st.set_page_config(page_title="CX Insights", page_icon=":material/insights:")
st.sidebar.markdown("#### :material/tune: " + _("Filters"))
st.selectbox(_("Period"), list(PRESETS), format_func=lambda k: _(PRESETS[k]))
st.caption(ngettext("{n} response", "{n} responses", n).format(n=n))
st.metric("NPS", value, delta)
st.metric(pgettext("kpi", "Orders"), value, help=_("Transactions in the period"))
st.markdown("---")
st.markdown("")
st.write(frame)
st.caption(f"{label} · {value}")
st.caption(f"{_(PRESETS[key])}: {value}")  # a marked constant: extracted where it is defined
st.caption(" · ".join([_("Revenue"), words]))
st.info(message)
st.button(segment_name)  # i18n: ok
st.markdown(f"**{customer_name}**")
st.metric(
    "Khách hàng",  # i18n: ok -- a data value
    value,
)
logger.info("Imported the file")
logger.error("failed: %s", reason)
name.title()
"done".title()
st.column_config.NumberColumn("CSAT", format="%.1f%%")
st.download_button(_("Download"), data, file_name=f"{stem}.csv")

fig = go.Figure()
fig.add_trace(go.Scatter(x=x, y=y, name=label, hovertemplate="%{x}<br>NPS %{y:.1f} ± "
                         "%{customdata:.1f}<br>n = %{customdata[0]:,}<extra></extra>"))
fig.add_trace(go.Bar(x=x, y=y, text=[fmt(v) for v in y],
                     hovertemplate=f"<b>%{{y}}</b><br>%{{x:.1f}} {unit}"))
fig.update_layout(title=dict(text=_("NPS over time")), separators=",.")
fig.update_yaxes(title_text=_("share of scored responses"), ticksuffix="%", tickformat=",.1f")
fig.add_hline(y=0, annotation_text=_("target {value}").format(value=target))
fig.add_annotation(text="n<5", x=0.5, y=0.5)
go.Scatter(name="cells")  # i18n: ok -- never shown
empty_figure(_(TITLE), _("No data for these filters"))


def nps_mix(frame, title=None, message=N_("No data")):
    title = title or _("Promoters, passives and detractors")
    return frame


def other(frame, kind="bar", n=30):
    return frame
"""


def test_translated_allowed_and_marked_strings_pass():
    assert lint.lint_source(PASSING, "sample.py") == []


@pytest.mark.parametrize(
    ("text", "needs"),
    [
        ("Overview", True),
        ("NPS (−100 to 100)", True),
        ("NPS", False),
        ("CSAT %", False),
        ("n = %{customdata[0]:,}", False),
        ("<b>%{y}</b><br>%{x:.1f}<extra></extra>", False),
        (":material/download:", False),
        (" · ", False),
        ("±", False),
        ("{value} ₫", False),
        ("%.1f%%", False),
        ("report.pdf", True),
        ("{stem}.xlsx", False),
        ("CX Insights", False),
        ("Tổng quan", True),  # Vietnamese literals are flagged too: data needs the marker
        (":red[Warning]", True),
        ("", False),
    ],
)
def test_what_counts_as_words(text, needs):
    assert lint.needs_translation(text) is needs


def test_violations_name_the_file_line_and_call(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "demo.py").write_text(
        textwrap.dedent(
            """
            import streamlit as st

            st.header("Funnel")
            st.header(_("Funnel"))
            """
        ),
        encoding="utf-8",
    )
    (pages / "clean.py").write_text("import streamlit as st\nst.write(x)\n", encoding="utf-8")
    violations = lint.lint_repo(tmp_path, ["pages"])
    assert [str(v) for v in violations] == [
        "pages/demo.py:4:10: st.header: 'Funnel' is not translated "
        "(wrap it in _() or mark the line '# i18n: ok')"
    ]
    assert lint.main([str(pages / "clean.py")]) == 0
    assert lint.main([str(pages / "demo.py")]) == 1


HELPERS = """
from dashboard import charts, ui

ui.header("Overview", f)
ui.no_data("Nothing here")
ui.table(frame, "segments", title="Segments by region")
fig = charts.nps_trend(trend, title="NPS by month")
fig = charts.nps_mix(trend, "Promoters by month")
ui.header(_("Overview"), f, (f"{tp} × {group}",))
ui.chart(fig, "nps_by_month")  # a file name, not text
"""


def test_the_projects_own_text_helpers_are_checked():
    found = [(v.line, v.call) for v in lint.lint_source(textwrap.dedent(HELPERS))]
    assert found == [
        (4, "ui.header"),
        (5, "ui.no_data"),
        (6, "ui.table(title=)"),
        (7, "charts.nps_trend(title=)"),
        (8, "charts.nps_mix"),
    ]


def test_the_repository_has_no_untranslated_literal():
    # dashboard/ and pages/: every string people read goes through translation
    violations = lint.lint_repo()
    assert violations == [], "\n".join(map(str, violations))
