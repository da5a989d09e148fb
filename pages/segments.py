"""Segments (analysts): KPI table per dimension; select a row to drill into the next.

The drill path (``seg_path``: ``segment:SMB``, ``region:Hà Nội`` ...) is in the URL;
the breadcrumb goes back. Two groups of the current level can be compared.
"""

from __future__ import annotations

import streamlit as st

from dashboard import charts, state, ui, views
from dashboard.views import Options
from queries.schema import DIMENSIONS

f = ui.filters()
root = ui.url_value("seg_root", "segment", parse=state.one_of(DIMENSIONS))
ui.url_value("seg_path", [], parse=lambda v: state.join_pairs(state.split_pairs(v)))
order = [st.session_state["seg_root"]] + [
    d for d in DIMENSIONS if d != st.session_state["seg_root"]
]
path = [(d, v) for d, v in state.split_pairs(st.session_state["seg_path"]) if d in DIMENSIONS]
path = [pair for pair, d in zip(path, order, strict=False) if pair[0] == d]  # a valid prefix only
level = order[len(path)] if len(path) < len(order) else None


def go_to(depth: int) -> None:
    st.session_state["seg_path"] = state.join_pairs(path[:depth])


drill_f = f.replace(**{d: (v,) for d, v in path})  # the drill path narrows the filters
ui.header("Segments", drill_f)
st.selectbox("Start from", list(DIMENSIONS), key="seg_root", format_func=ui.dimension_label,
             on_change=lambda: st.session_state.update(seg_path=[]), width=260)  # fmt: skip

crumbs = st.container(horizontal=True, vertical_alignment="center", gap="small")
crumbs.button(f"All {ui.dimension_label(order[0]).lower()}s", on_click=go_to, args=(0,),
              key="crumb_0", icon=":material/home:", type="tertiary")  # fmt: skip
for depth, (dim, value) in enumerate(path, start=1):
    crumbs.button(f"› {value}", on_click=go_to, args=(depth,), key=f"crumb_{depth}",
                  type="tertiary", help=ui.dimension_label(dim))  # fmt: skip
if level is None:
    st.info("Every dimension is drilled into: go back with the breadcrumb above.")
    st.stop()
crumbs.markdown(f"› **by {ui.dimension_label(level).lower()}**", width="content")

with ui.friendly_errors():
    frame = ui.run(views.SEGMENTS, drill_f, Options(by=level))
if frame.is_empty():
    ui.no_data()
    st.stop()

shown = frame.with_columns(frame["low_n"].replace_strict({True: "low n", False: ""}, default=""))
columns = {
    level: st.column_config.TextColumn(ui.dimension_label(level), pinned=True),
    "customers": st.column_config.NumberColumn("Customers", format="%,d"),
    "revenue": st.column_config.NumberColumn("Revenue", format="%,.0f ₫"),
    "orders": st.column_config.NumberColumn("Orders", format="%,d"),
    "aov": st.column_config.NumberColumn("AOV", format="%,.0f ₫"),
    "repeat_rate": st.column_config.NumberColumn("Repeat rate", format="%.1f%%"),
    "nps": st.column_config.NumberColumn("NPS", format="%.1f"),
    "moe": st.column_config.NumberColumn("± MoE", format="%.1f"),
    "csat": st.column_config.NumberColumn("CSAT", format="%.1f%%"),
    "ces": st.column_config.NumberColumn("CES", format="%.2f"),
    "n_nps": st.column_config.NumberColumn("NPS n", format="%,d"),
    "low_n": st.column_config.TextColumn("Sample", help=f"fewer than {f.min_n} NPS answers"),
}
table_key = f"segments_{len(path)}_{level}"
can_drill = len(path) + 1 < len(order)
st.caption("Click a column header to sort." + (" Select a row to drill down." if can_drill else ""))
event = ui.table(
    shown.select(list(columns)), "segments", key=table_key, column_config=columns,
    on_select="rerun" if can_drill else "ignore", selection_mode="single-row",
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
    st.markdown("**Compare two groups**")
    a_col, b_col = st.columns(2)
    a = a_col.selectbox("Group A", groups, index=0, key=f"cmp_a_{level}")
    b = b_col.selectbox("Group B", groups, index=min(1, len(groups) - 1), key=f"cmp_b_{level}")
    ui.chart(charts.compare_groups(frame, by=level, a=a, b=b), "segment_compare")
    pick = {str(r[level]): r for r in frame.iter_rows(named=True)}
    ui.table(
        [{"KPI": label, a: fmt(pick[a][key]), b: fmt(pick[b][key])}
         for key, label, fmt in charts.COMPARE_METRICS] if a != b else [],
        "segment_compare_table",
    )  # fmt: skip
