"""The Streamlit server of `dangjian serve`: `python -m dashboards.server run dashboards/app.py …`.

Streamlit treats an app with a `pages/` folder beside it as an old-style multipage app until a script
run calls `st.navigation`. Until then (the first run after the server starts) a URL naming a file in
`pages/` would run that file directly, without app.py and so without its login. Switching the old
mode off before the server starts sends every run through app.py.

Two more things are settled before the server takes a request:
- whether a users file exists: if it does, logins stay on for the server's life (dashboards/auth.py);
- whose X-Forwarded-For header the web server (uvicorn) believes. By default it believes any
  connection from 127.0.0.1 — and every browser reaches `dangjian serve` from 127.0.0.1 — so a
  client could name its own address and slip out of the failed-login back-off. Here it believes
  only the proxies listed in DANGJIAN_TRUSTED_PROXIES (`dangjian serve --trusted-proxy`), none by
  default.
"""

import os
import sys

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web.cli import main

from dagster_project.access import TRUSTED_PROXIES_ENV

if __name__ == "__main__":
    PagesManager.uses_pages_directory = False
    os.environ["FORWARDED_ALLOW_IPS"] = os.environ.get(TRUSTED_PROXIES_ENV, "")
    from dashboards import auth

    auth.note_server_start()
    sys.exit(main(prog_name="streamlit"))
