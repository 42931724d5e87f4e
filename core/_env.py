"""Process environment that must be set before heavy libraries are imported.

- Offline: no library may reach a model hub or phone home.
- tiktoken reads its encodings from the cache that llama-index-core ships.
- numpy's BLAS pool is pinned to one thread: on two cores it otherwise fights torch's
  intra-op threads and a dense query takes three times as long.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

_DEFAULTS = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "2",
    "MKL_NUM_THREADS": "1",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "DO_NOT_TRACK": "1",
    "SCARF_NO_ANALYTICS": "true",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
    "TRANSFORMERS_VERBOSITY": "error",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
}


def tiktoken_cache_dir() -> Path | None:
    spec = importlib.util.find_spec("llama_index.core")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "_static" / "tiktoken_cache"
    return path if path.is_dir() else None


def bootstrap() -> None:
    for key, value in _DEFAULTS.items():
        os.environ.setdefault(key, value)
    if "TIKTOKEN_CACHE_DIR" not in os.environ and (cache := tiktoken_cache_dir()):
        os.environ["TIKTOKEN_CACHE_DIR"] = str(cache)
