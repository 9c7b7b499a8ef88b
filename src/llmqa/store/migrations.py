"""Numbered schema migrations; ``schema_migrations`` records which ran.

Never edit a migration that has shipped: add a new one.
"""

from __future__ import annotations

MIGRATIONS: list[str] = [
    # 1: the first schema
    """
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL,              -- running, done, budget_reached, aborted, interrupted
        model TEXT NOT NULL,
        guideline_version TEXT NOT NULL,
        prompt_hash TEXT NOT NULL,
        source TEXT,
        items INTEGER DEFAULT 0,
        reviewed INTEGER DEFAULT 0,        -- model calls made in this run (items)
        reused INTEGER DEFAULT 0,          -- items answered from the store
        failed INTEGER DEFAULT 0,
        input_tokens INTEGER DEFAULT 0,
        output_tokens INTEGER DEFAULT 0,
        cost_usd REAL,
        settings TEXT                      -- JSON, never secrets
    );
    CREATE TABLE verdicts (
        key TEXT PRIMARY KEY,              -- item + item hash + clause context + prompt + model
        run_id INTEGER REFERENCES runs(id),
        item_id TEXT NOT NULL,
        item_hash TEXT NOT NULL,
        guideline_version TEXT NOT NULL,
        context_hash TEXT NOT NULL,
        prompt_hash TEXT NOT NULL,
        model TEXT NOT NULL,
        status TEXT NOT NULL,
        verdict TEXT,
        suggested_label TEXT,
        cited_clause_ids TEXT,             -- JSON list
        rationale TEXT,
        confidence REAL,
        human_label TEXT,
        retrieved_clause_ids TEXT,         -- JSON list
        seen TEXT,                         -- JSON list
        notes TEXT,                        -- JSON list
        samples INTEGER,
        input_tokens INTEGER,
        output_tokens INTEGER,
        cached_tokens INTEGER,
        cost_usd REAL,
        latency_s REAL,
        attempts INTEGER,
        error TEXT,
        raw_answer TEXT,
        created_at TEXT NOT NULL
    );
    CREATE INDEX verdicts_item ON verdicts(item_id, created_at);
    CREATE INDEX verdicts_status ON verdicts(status);
    CREATE TABLE items (
        item_id TEXT PRIMARY KEY,
        item_hash TEXT NOT NULL,
        project TEXT,
        modality TEXT,
        data TEXT NOT NULL,                -- the item as JSON, for joins in `llmqa results`
        updated_at TEXT NOT NULL
    );
    CREATE TABLE batches (
        id TEXT PRIMARY KEY,               -- the provider's batch id
        run_id INTEGER REFERENCES runs(id),
        status TEXT NOT NULL,
        input_file_id TEXT,
        output_file_id TEXT,
        error_file_id TEXT,
        keys TEXT NOT NULL,                -- JSON list of verdict keys in the batch
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    """,
    # 2: item embeddings, so a re-run or a resume after a crash does not embed every item
    # again just to find out that its verdict is stored
    """
    CREATE TABLE embeddings (
        embedder TEXT NOT NULL,            -- the embedder's name (its identity)
        text_hash TEXT NOT NULL,           -- sha256 of the embedded text
        vector BLOB NOT NULL,              -- float32, little-endian, unit length
        PRIMARY KEY (embedder, text_hash)
    ) WITHOUT ROWID;
    """,
    # 3: analysts' decisions on items: append-only, the newest per item wins (decisions.py)
    """
    CREATE TABLE decisions (
        id INTEGER PRIMARY KEY,
        item_id TEXT NOT NULL,
        item_hash TEXT,                    -- content hash the analyst saw (Item.content_hash)
        labels_hash TEXT,                  -- the annotations the analyst saw
        decision TEXT NOT NULL,            -- confirm, correct, ambiguous, escalate
        label TEXT,                        -- the gold label (confirm/correct only)
        clause_ids TEXT NOT NULL,          -- JSON list
        note TEXT,
        analyst TEXT NOT NULL,
        source TEXT NOT NULL,              -- decide, serve, import
        model TEXT,                        -- the verdict the decision answered, if any
        guideline_version TEXT,
        verdict_key TEXT,
        created_at TEXT NOT NULL
    );
    CREATE INDEX decisions_item ON decisions(item_id, id);
    """,
]
