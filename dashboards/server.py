"""The Streamlit server of `dangjian serve`: `python -m dashboards.server run dashboards/app.py …`.

Streamlit treats an app with a `pages/` folder beside it as an old-style multipage app until a script
run calls `st.navigation`. Until then (the first run after the server starts) a URL naming a file in
`pages/` would run that file directly, without app.py and so without its login. Switching the old
mode off before the server starts sends every run through app.py.
"""

import sys

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web.cli import main

if __name__ == "__main__":
    PagesManager.uses_pages_directory = False
    sys.exit(main(prog_name="streamlit"))
