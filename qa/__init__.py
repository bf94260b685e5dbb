"""qa: cited, multilingual (en / ru / uz), offline question answering over a folder of documents."""

import os

# Before torch/faiss load their shared OpenMP pool: on a 2-core machine busy-waiting threads make
# one query ~30x slower. Everything is offline: never reach for a model hub.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

__version__ = "0.1.0"
