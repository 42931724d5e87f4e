"""The foundation that ingest, retrieval and evals share: settings, SQL, the index,
embeddings, token counting and LLM clients.

Importing ``core`` first sets the process environment that must be in place before
numpy, torch, tiktoken or unstructured are imported (see ``core._env``).
"""

from core import _env

_env.bootstrap()
