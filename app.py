"""The Gradio UI: `python app.py` (what `make run` starts) is the same as `qa serve`.

    python app.py [--host 127.0.0.1] [--port 7860] [--corpus corpus/] [--index index/]

Host and port also come from $QA_HOST / $QA_PORT; $QA_PASSWORD turns on a login (user $QA_USER,
default "qa"). On start the index of the corpus is built or updated (only changed files are
embedded), then the page is served. The UI itself lives in qa/web/page.py.
"""

from __future__ import annotations

import sys

from qa.cli import main

if __name__ == "__main__":
    raise SystemExit(main(["serve", *sys.argv[1:]]))
