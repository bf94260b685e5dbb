"""Process settings that must be in place before torch or FAISS start their shared OpenMP pool.

Applied when the embedder or a vector index is first needed, never at import: importing ``qa`` or
``qa.api`` leaves ``os.environ`` as it was. On a 2-core machine busy-waiting OpenMP threads make one
query ~30x slower (PASSIVE waits instead), and everything runs offline: never reach for a model hub.
"""

from __future__ import annotations

import os

ENVIRONMENT = {
    "OMP_WAIT_POLICY": "PASSIVE",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "TRANSFORMERS_VERBOSITY": "error",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
}


def configure() -> None:
    """Set what is not set already (a user's own value wins). Idempotent."""
    for name, value in ENVIRONMENT.items():
        os.environ.setdefault(name, value)
