"""One settings object for the whole of Footnote.

Values come, in order of precedence, from keyword arguments, environment variables,
a ``.env`` file, then ``footnote.toml`` in the working directory (named sources, group
mappings, price overrides: the things a knowledge manager edits). Secrets (API keys,
database passwords) are read from the environment only and held as ``SecretStr`` so
they never end up in logs, reprs or config snapshots.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def config_file() -> Path:
    """``footnote.toml`` in the working directory, or wherever FOOTNOTE_CONFIG says."""
    return Path(os.environ.get("FOOTNOTE_CONFIG", "footnote.toml"))


class SourceConfig(BaseModel):
    """A named source that an ingestion job can (re-)run by name: a folder of documents
    (``path``), or a website (``url``, the ``web`` kind) that is crawled into a snapshot
    folder (``path``, by default ``<data_dir>/web/<name>``) and ingested as a folder."""

    path: Path | None = None
    include: list[str] = Field(default_factory=lambda: ["**/*"])
    exclude: list[str] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=lambda: ["all"])
    """Access groups for files that neither a sidecar nor front matter assigns."""

    # -- the web kind (see ingest/web) -------------------------------------------------
    url: str | None = None
    """Where a crawl starts: a page, or a sitemap (``.../sitemap.xml``)."""
    prefix: str | None = None
    """Only URLs of the start URL's host under this path are crawled (default: the start
    URL's folder, ``/docs/`` for ``/docs/intro.html``; ``/`` for a sitemap at the root)."""
    max_pages: int = 200
    """Page budget of one crawl (each fetch counts, 304s included)."""
    delay_s: float = 1.0
    """Politeness: seconds between two requests (robots.txt's Crawl-delay if longer)."""
    max_bytes: int = 5_000_000
    """A response larger than this fails alone, unread past the budget."""

    @field_validator("path")
    @classmethod
    def _relative_to_config(cls, value: Path | None) -> Path | None:
        """Relative paths in footnote.toml are relative to that file's folder."""
        if value is None or value.is_absolute():
            return value
        return (config_file().resolve().parent / value).resolve()

    @model_validator(mode="after")
    def _folder_or_site(self) -> SourceConfig:
        if self.path is None and self.url is None:
            raise ValueError("a source needs `path` (a folder) or `url` (a website to crawl)")
        if self.url is not None and not self.url.startswith(("http://", "https://")):
            raise ValueError(f"url {self.url!r} must start with http:// or https://")
        return self

    @property
    def kind(self) -> str:
        """``web`` when the source is a website, else ``folder``."""
        return "web" if self.url else "folder"


class Settings(BaseSettings):
    """Everything configurable, with defaults that run embedded and offline."""

    model_config = SettingsConfigDict(
        env_prefix="FOOTNOTE_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        env_nested_delimiter="__",
    )

    # -- storage ---------------------------------------------------------------------
    data_dir: Path = PROJECT_ROOT / ".footnote"
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "FOOTNOTE_DATABASE_URL")
    )
    qdrant_url: str | None = Field(
        default=None, validation_alias=AliasChoices("QDRANT_URL", "FOOTNOTE_QDRANT_URL")
    )
    qdrant_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("QDRANT_API_KEY", "FOOTNOTE_QDRANT_API_KEY")
    )
    qdrant_local_path: Path | None = None
    """Use qdrant-client's local mode at this path (the server code path, no server)."""
    collection: str = "footnote"

    # -- embeddings ------------------------------------------------------------------
    embedder: Literal["local", "openai", "hash"] = "local"
    """``local``: all-MiniLM-L6-v2 on the CPU; ``openai``: the embeddings API;
    ``hash``: a tiny deterministic stand-in for tests."""
    openai_embedding_model: str = "text-embedding-3-small"
    embed_batch_size: int = 64
    torch_threads: int = 2

    # -- chunking --------------------------------------------------------------------
    chunk_tokens: int = 180
    """Target chunk size in tiktoken tokens, before the title/section prefix."""
    chunk_max_wordpieces: int = 256
    max_file_mb: float = 50.0

    # -- parsing budgets (hostile or pathological files fail alone) --------------------
    parse_timeout_s: float = 60.0
    """CPU seconds one file may take to parse in the (lower-priority) worker process, and
    at most four times that in wall-clock seconds, before it is killed and the file
    fails with "took longer than N s"."""
    parse_memory_mb: int = 1024
    """Memory the parse worker may allocate beyond what it holds when warm (a zip bomb
    fails with "needed more than N MB")."""
    max_line_chars: int = 20_000
    """Longer lines of text formats (Markdown, text, CSV) are cut before parsing."""
    max_element_chars: int = 50_000
    """Longer elements (a paragraph, a table) are cut after parsing, before chunking."""
    max_nesting: int = 200
    """Deeper HTML tags or Markdown lists and quotes fail with "too deeply nested"."""
    max_columns: int = 1_000
    """A CSV/TSV row with more columns fails the file as too wide."""
    max_unzipped_mb: float = 500.0
    """An Office file (a zip) that unpacks to more fails before it is opened."""

    # -- sources and people ----------------------------------------------------------
    sources: dict[str, SourceConfig] = Field(default_factory=dict)
    group_map: dict[str, list[str]] = Field(default_factory=dict)
    """User name, e-mail or OIDC claim value → access groups."""
    admin_group: str = "admin"
    default_user: str = "local"
    default_user_groups: list[str] = Field(default_factory=lambda: ["all", "admin"])
    auth_header: str | None = None
    """Trusted reverse-proxy header carrying the user name (e.g. ``X-Forwarded-User``)."""
    oidc_groups_claim: str = "groups"
    """The OIDC claim whose values ``group_map`` maps to access groups (``st.login``)."""

    # -- language models -------------------------------------------------------------
    openai_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_API_KEY", "FOOTNOTE_OPENAI_API_KEY")
    )
    openai_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_BASE_URL", "FOOTNOTE_OPENAI_BASE_URL")
    )
    llm_model: str = "gpt-4o-mini"
    llm_timeout_s: float = 60.0
    llm_max_retries: int = 3
    llm_context_window: int | None = None
    """Override the model table's context window for ``llm_model``."""
    answer_tokens: int = 700
    """Tokens reserved for the answer when packing the prompt."""
    prices: dict[str, dict[str, float]] = Field(default_factory=dict)
    """Per-model price overrides in dollars per million tokens: input, cached, output."""
    redact_pii: bool | None = None
    """None: on for external endpoints, off for localhost ones."""

    # -- retrieval -------------------------------------------------------------------
    top_k: int = 8
    candidates: int = 40
    dense_weight: float = 1.0
    sparse_weight: float = 1.0
    rrf_k: int = 60
    dense_share: float = 0.7
    """How much the dense score (against BM25's) decides the order of the first
    ``top_k`` fused chunks (``retrieval.search``)."""
    feedback: float = 0.3
    """For a statement (not a question), how far the dense candidates are re-scored
    toward the first fused hit's vector (``retrieval.search``; 0: off)."""
    max_chunks_per_doc: int = 3

    # -- lineage (versions, freshness) -------------------------------------------------
    superseded_sources: Literal["drop", "demote"] = "drop"
    """What answers do with a superseded version: leave it out, or (LLM only) keep it last,
    marked superseded in the prompt. The extractive answerer always leaves it out."""
    stale_after_months: int = 12
    """``footnote docs --stale`` and the Library list documents not reviewed for this long."""

    @model_validator(mode="after")
    def _web_snapshots(self) -> Settings:
        """A website's snapshot folder defaults to ``<data_dir>/web/<name>``."""
        for name, source in self.sources.items():
            if source.path is None:
                source.path = self.data_dir / "web" / name
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            dotenv_settings,
            TomlConfigSettingsSource(settings_cls, toml_file=config_file()),
        )

    # -- derived ---------------------------------------------------------------------
    @property
    def sql_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'footnote.db'}"

    @property
    def index_path(self) -> Path:
        return self.data_dir / "index"

    @property
    def llm_configured(self) -> bool:
        return self.openai_api_key is not None or self.openai_base_url is not None

    def snapshot(self) -> dict[str, object]:
        """A JSON-able view for eval runs and logs: no secrets, no passwords in URLs."""
        data = self.model_dump(mode="json", exclude={"openai_api_key", "qdrant_api_key"})
        data["database_url"] = _without_password(self.sql_url)
        data["llm_configured"] = self.llm_configured
        return data


def _without_password(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (tests build their own ``Settings`` instead)."""
    return Settings()
