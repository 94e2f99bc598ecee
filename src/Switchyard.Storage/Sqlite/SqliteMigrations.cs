namespace Switchyard.Storage.Sqlite;

/// <summary>Versioned schema: each entry moves the database one version up; applied in order, each in its own transaction.</summary>
internal static class SqliteMigrations
{
    public static readonly string[] Steps =
    [
        // v1: tenants, token hashes, spend logs
        """
        CREATE TABLE tenants (
            tenant_id TEXT PRIMARY KEY,
            alias TEXT,
            models TEXT NOT NULL DEFAULT '[]',
            rpm INTEGER, tpm INTEGER, max_parallel INTEGER,
            max_budget_nanos INTEGER, soft_budget_nanos INTEGER, budget_duration TEXT,
            alias_limits TEXT NOT NULL DEFAULT '{}',
            spend_nanos INTEGER NOT NULL DEFAULT 0,
            budget_reset_at INTEGER,
            metadata TEXT,
            blocked INTEGER NOT NULL DEFAULT 0,
            source TEXT NOT NULL DEFAULT 'api',
            created_at INTEGER NOT NULL
        );
        CREATE TABLE keys (
            token_hash TEXT PRIMARY KEY,
            key_name TEXT NOT NULL,
            key_alias TEXT,
            tenant_id TEXT,
            models TEXT NOT NULL DEFAULT '[]',
            scopes TEXT NOT NULL DEFAULT '["invoke"]',
            rpm INTEGER, tpm INTEGER, max_parallel INTEGER,
            max_budget_nanos INTEGER, soft_budget_nanos INTEGER, budget_duration TEXT,
            spend_nanos INTEGER NOT NULL DEFAULT 0,
            budget_reset_at INTEGER,
            expires_at INTEGER,
            revoked INTEGER NOT NULL DEFAULT 0,
            grace_until INTEGER,
            rotated_from TEXT,
            metadata TEXT,
            created_at INTEGER NOT NULL
        );
        CREATE INDEX ix_keys_tenant ON keys (tenant_id);
        CREATE TABLE spend_logs (
            request_id TEXT PRIMARY KEY,
            correlation_id TEXT NOT NULL,
            tenant_id TEXT,
            token_hash TEXT,
            alias TEXT NOT NULL,
            deployment TEXT,
            provider_family TEXT,
            model TEXT,
            prompt_tokens INTEGER NOT NULL,
            completion_tokens INTEGER NOT NULL,
            cost_nanos INTEGER NOT NULL,
            status INTEGER NOT NULL,
            latency_ms REAL NOT NULL,
            start_time INTEGER NOT NULL
        );
        CREATE INDEX ix_spend_tenant_time ON spend_logs (tenant_id, start_time);
        CREATE INDEX ix_spend_token_time ON spend_logs (token_hash, start_time);
        """,

        // v2: Responses answers kept for previous_response_id and GET /v1/responses/{id}, per tenant, until they expire
        """
        CREATE TABLE responses (
            tenant_id TEXT NOT NULL,
            response_id TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            response BLOB NOT NULL,
            conversation BLOB NOT NULL,
            PRIMARY KEY (tenant_id, response_id)
        );
        CREATE INDEX ix_responses_expiry ON responses (expires_at);
        """,

        // v3: users (LiteLLM's internal users) with their team memberships, key owners, spend rows by user
        """
        CREATE TABLE users (
            user_id TEXT PRIMARY KEY,
            user_email TEXT,
            user_role TEXT NOT NULL DEFAULT 'internal_user',
            teams TEXT NOT NULL DEFAULT '{}',
            models TEXT NOT NULL DEFAULT '[]',
            rpm INTEGER, tpm INTEGER, max_parallel INTEGER,
            max_budget_nanos INTEGER, soft_budget_nanos INTEGER, budget_duration TEXT,
            spend_nanos INTEGER NOT NULL DEFAULT 0,
            budget_reset_at INTEGER,
            metadata TEXT,
            created_at INTEGER NOT NULL
        );
        ALTER TABLE keys ADD COLUMN user_id TEXT;
        CREATE INDEX ix_keys_user ON keys (user_id);
        ALTER TABLE spend_logs ADD COLUMN user_id TEXT;
        CREATE INDEX ix_spend_user_time ON spend_logs (user_id, start_time);
        """,

        // v4: deployments stored through /model/* (credentials in litellm_params encrypted; the key is not in the database)
        """
        CREATE TABLE deployments (
            model_id TEXT PRIMARY KEY,
            model_name TEXT NOT NULL,
            litellm_params TEXT NOT NULL,
            model_info TEXT NOT NULL DEFAULT '{}',
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        );
        """,

        // v5: a spend row's request_id is the response id the caller saw (chatcmpl-..., msg_..., resp_...), looked up
        // with /spend/logs?request_id=; the gateway's own unique id (the old request_id) becomes row_id, still the
        // primary key the journal replay relies on. Keys and tenants get their own model aliases (LiteLLM's key
        // "aliases" and team "model_aliases").
        """
        ALTER TABLE spend_logs RENAME COLUMN request_id TO row_id;
        ALTER TABLE spend_logs ADD COLUMN request_id TEXT NOT NULL DEFAULT '';
        UPDATE spend_logs SET request_id = row_id;
        CREATE INDEX ix_spend_request ON spend_logs (request_id);
        ALTER TABLE keys ADD COLUMN aliases TEXT NOT NULL DEFAULT '{}';
        ALTER TABLE tenants ADD COLUMN model_aliases TEXT NOT NULL DEFAULT '{}';
        """,

        // v6: the audit log: every admin action and refusal, who (key id or master, tenant, user), what, how it ended,
        // from where; time in unix milliseconds
        """
        CREATE TABLE audit_log (
            id TEXT PRIMARY KEY,
            time INTEGER NOT NULL,
            actor TEXT,
            actor_alias TEXT,
            tenant_id TEXT,
            user_id TEXT,
            action TEXT NOT NULL,
            target TEXT,
            target_tenant_id TEXT,
            status INTEGER NOT NULL,
            outcome TEXT NOT NULL,
            error_code TEXT,
            client_address TEXT,
            user_agent TEXT,
            detail TEXT,
            correlation_id TEXT
        );
        CREATE INDEX ix_audit_time ON audit_log (time);
        CREATE INDEX ix_audit_tenant_time ON audit_log (tenant_id, time);
        CREATE INDEX ix_audit_target_tenant_time ON audit_log (target_tenant_id, time);
        """,

        // v7: the dashboard's spend aggregations (by model, tenant, alias, day over a time range, for everyone or one
        // tenant) read covering indexes instead of the table (docs/performance.md, "Dashboard at scale"); the tenant one
        // replaces ix_spend_tenant_time, whose columns it starts with. The dashboard's call lookup finds spend rows by correlation id
        """
        CREATE INDEX ix_spend_time_cover ON spend_logs (start_time, tenant_id, alias, model, deployment, prompt_tokens, completion_tokens, cost_nanos);
        CREATE INDEX ix_spend_tenant_cover ON spend_logs (tenant_id, start_time, alias, model, deployment, prompt_tokens, completion_tokens, cost_nanos);
        DROP INDEX ix_spend_tenant_time;
        CREATE INDEX ix_spend_correlation ON spend_logs (correlation_id);
        """,
    ];
}
