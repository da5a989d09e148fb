"""Segments (analysts): KPI table per dimension; select a row to drill into the next.

The drill path (``seg_path``: ``segment:SMB``, ``region:Hà Nội`` ...) is in the URL;
the breadcrumb goes back. Two groups of the current level can be compared.
"""

from __future__ import annotations

import streamlit as st

from dashboard import charts, state, ui, views
from dashboard.i18n import _
from dashboard.views import Options
from queries.schema import DIMENSIONS

f = ui.filters()
root = ui.url_value("seg_root", "segment", parse=state.one_of(DIMENSIONS))
ui.url_value("seg_path", [], parse=lambda v: state.join_pairs(state.split_pairs(v)))
root = ui.widget_value("seg_root", "segment", DIMENSIONS)
order = [root] + [d for d in DIMENSIONS if d != root]
path = [(d, v) for d, v in state.split_pairs(ui.widget_value("seg_path", [])) if d in DIMENSIONS]
path = [pair for pair, d in zip(path, order, strict=False) if pair[0] == d]  # a valid prefix only
level = order[len(path)] if len(path) < len(order) else None


def go_to(depth: int) -> None:
    st.session_state["seg_path"] = state.join_pairs(path[:depth])


drill_f = f.replace(**{d: (v,) for d, v in path})  # the drill path narrows the filters
ui.header(_("Segments"), drill_f)
st.selectbox(_("Start from"), list(DIMENSIONS), key="seg_root", format_func=ui.dimension_label,
             on_change=lambda: st.session_state.update(seg_path=[]), width=260)  # fmt: skip

crumbs = st.container(horizontal=True, vertical_alignment="center", gap="small")
crumbs.button(_(ui.EVERYTHING[order[0]]), on_click=go_to, args=(0,),
              key="crumb_0", icon=":material/home:", type="tertiary")  # fmt: skip
for depth, (dim, value) in enumerate(path, start=1):
    crumbs.button(f"› {ui.md(charts.group_label(value))}", on_click=go_to, args=(depth,),
                  key=f"crumb_{depth}", type="tertiary", help=ui.dimension_label(dim))  # fmt: skip
ui.report_button("segments", drill_f, by=level or order[0])
if level is None:
    st.info(_("Every dimension is drilled into: go back with the breadcrumb above."))
    st.stop()
by_level = _("by {dimension}").format(dimension=charts.dimension_noun(level))
crumbs.markdown(f"› **{by_level}**", width="content")

with ui.friendly_errors():
    frame = ui.run(views.SEGMENTS, drill_f, Options(by=level))
if frame.is_empty():
    ui.no_data()
    st.stop()

low = _("low n")
shown = frame.with_columns(frame["low_n"].replace_strict({True: low, False: ""}, default=""))
FORMATS = {level: charts.group_label, "customers": charts.fmt_int, "revenue": charts.fmt_vnd,
           "orders": charts.fmt_int, "aov": charts.fmt_vnd, "repeat_rate": charts.fmt_pct,
           "nps": charts.fmt_score, "moe": charts.fmt_score, "csat": charts.fmt_pct,
           "ces": lambda v: charts.fmt_number(v, 2), "n_nps": charts.fmt_int}  # fmt: skip
columns = ui.headers(shown, [*FORMATS, "low_n"])
columns[level] = ui.text_column(ui.dimension_label(level), pinned=True)
help_sample = _("fewer than {min_n} NPS answers").format(min_n=charts.fmt_int(f.min_n))
columns["low_n"] = ui.text_column(_("Sample"), help=help_sample)
table_key = f"segments_{len(path)}_{level}"
can_drill = len(path) + 1 < len(order)
sort_hint = _("Click a column header to sort.")
st.caption(sort_hint + (" " + _("Select a row to drill down.") if can_drill else ""))
event = ui.table(
    shown.select(list(columns)), "segments", key=table_key, column_config=columns,
    formats=FORMATS, on_select="rerun" if can_drill else "ignore", selection_mode="single-row",
    title=views.SEGMENTS.title(Options(by=level)),
)  # fmt: skip
rows = event.selection.rows if can_drill else []
if rows:
    st.session_state["seg_path"] = state.join_pairs([*path, (level, str(frame[level][rows[0]]))])
    st.rerun()

groups = [str(g) for g in frame[level].to_list()]
left, right = st.columns([3, 2], gap="large")
with left:
    ui.chart(charts.segment_bars(frame, by=level), "segment_nps")
with right:
    st.markdown("**" + _("Compare two groups") + "**")
    a_col, b_col = st.columns(2)
    a = a_col.selectbox(_("Group A"), groups, index=0, key=f"cmp_a_{level}",
                        format_func=charts.group_label)  # fmt: skip
    b = b_col.selectbox(_("Group B"), groups, index=min(1, len(groups) - 1), key=f"cmp_b_{level}",
                        format_func=charts.group_label)  # fmt: skip
    ui.chart(charts.compare_groups(frame, by=level, a=a, b=b), "segment_compare")
    pick = {str(r[level]): r for r in frame.iter_rows(named=True)}
    ui.table(
        [{"KPI": _(label), a: fmt(pick[a][key]), b: fmt(pick[b][key])}
         for key, label, fmt in charts.COMPARE_METRICS] if a != b else [],
        "segment_compare_table",
        column_config={"KPI": ui.text_column(_("KPI")), a: ui.text_column(charts.group_label(a)),
                       b: ui.text_column(charts.group_label(b))},
    )  # fmt: skip
