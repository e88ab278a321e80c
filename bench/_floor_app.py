"""The floor under `page_load_p95_ms` (bench/_browser.py): a Streamlit page that queries nothing and
draws one line, served with the dashboard's own command and settings. What it takes in a fresh
Chromium context is Streamlit's own cost (its frontend bundle, the websocket, a script run), which no
work on our pages can remove."""

import streamlit as st

st.title("基线页面")
st.write("这一页不查询任何数据。")
