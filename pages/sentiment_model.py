"""Sentiment model (analysts and admins): the labels, training from them, a candidate's
cross-validated quality before it replaces the sentiment in use, and switching it on."""

from __future__ import annotations

import streamlit as st

from dashboard import ui
from dashboard.i18n import _
from dashboard.ui import sentiment_model as sm

ui.require("labels")
st.title(_("Sentiment model"), anchor=False)
st.caption(_("A comment's sentiment is a person's label when it has one, else the model "
             "switched on here, else the baseline word list. The model learns from your own "
             "labels, on this machine; nothing is sent anywhere."))  # fmt: skip

models = sm.stored_models()
active, candidate = sm.active_and_candidate(models)
sm.in_use(active)
st.divider()
sm.labels_and_training()
models = sm.stored_models()  # training may have added a candidate
active, candidate = sm.active_and_candidate(models)
if candidate is not None:
    st.divider()
    sm.candidate_panel(candidate, active)
sm.history(models)
