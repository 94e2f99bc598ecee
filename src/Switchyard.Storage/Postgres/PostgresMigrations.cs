namespace Switchyard.Storage.Postgres;

/// <summary>
/// Versioned schema: each entry moves the database one version up, applied in order, each in its own transaction with
/// its row in <c>schema_version</c>, by one replica at a time (<see cref="LockKey"/>).
/// </summary>
internal static class PostgresMigrations
{
    /// <summary>The session advisory lock every replica takes around migrating ("Switchyd" as a 64-bit number).</summary>
    public const long LockKey = 0x5377_6974_6368_7964;

    /// <summary>The channel a key or tenant write notifies, so other replicas reload their directory at once.</summary>
    public const string DirectoryChannel = "switchyard_directory";

    public const string CreateVersionTable = """
        CREATE TABLE IF NOT EXISTS schema_version (
            version integer PRIMARY KEY,
            applied_at timestamptz NOT NULL DEFAULT now()
        )
        """;

    public static readonly string[] Steps =
    [
        // v1: tenants, token hashes, spend logs, stored Responses answers, and the directory change counter
        """
        CREATE TABLE tenants (
            tenant_id text PRIMARY KEY,
            alias text,
            models jsonb NOT NULL DEFAULT '[]',
            rpm integer, tpm integer, max_parallel integer,
            max_budget_nanos bigint, soft_budget_nanos bigint, budget_duration text,
            alias_limits jsonb NOT NULL DEFAULT '{}',
            spend_nanos bigint NOT NULL DEFAULT 0,
            budget_reset_at timestamptz,
            metadata text,
            blocked boolean NOT NULL DEFAULT false,
            source text NOT NULL DEFAULT 'api',
            created_at timestamptz NOT NULL
        );
        CREATE TABLE keys (
            token_hash text PRIMARY KEY,
            key_name text NOT NULL,
            key_alias text,
            tenant_id text,
            models jsonb NOT NULL DEFAULT '[]',
            scopes jsonb NOT NULL DEFAULT '["invoke"]',
            rpm integer, tpm integer, max_parallel integer,
            max_budget_nanos bigint, soft_budget_nanos bigint, budget_duration text,
            spend_nanos bigint NOT NULL DEFAULT 0,
            budget_reset_at timestamptz,
            expires_at timestamptz,
            revoked boolean NOT NULL DEFAULT false,
            grace_until timestamptz,
            rotated_from text,
            metadata text,
            created_at timestamptz NOT NULL
        );
        CREATE INDEX ix_keys_tenant ON keys (tenant_id);
        CREATE TABLE spend_logs (
            request_id text PRIMARY KEY,
            correlation_id text NOT NULL,
            tenant_id text,
            token_hash text,
            alias text NOT NULL,
            deployment text,
            provider_family text,
            model text,
            prompt_tokens bigint NOT NULL,
            completion_tokens bigint NOT NULL,
            cost_nanos bigint NOT NULL,
            status integer NOT NULL,
            latency_ms double precision NOT NULL,
            start_time timestamptz NOT NULL
        );
        CREATE INDEX ix_spend_tenant_time ON spend_logs (tenant_id, start_time);
        CREATE INDEX ix_spend_token_time ON spend_logs (token_hash, start_time);
        CREATE INDEX ix_spend_time ON spend_logs (start_time);
        CREATE TABLE responses (
            tenant_id text NOT NULL,
            response_id text NOT NULL,
            created_at timestamptz NOT NULL,
            expires_at timestamptz NOT NULL,
            response bytea NOT NULL,
            conversation bytea NOT NULL,
            PRIMARY KEY (tenant_id, response_id)
        );
        CREATE INDEX ix_responses_expiry ON responses (expires_at);
        CREATE TABLE directory_version (
            id smallint PRIMARY KEY CHECK (id = 1),
            version bigint NOT NULL
        );
        INSERT INTO directory_version (id, version) VALUES (1, 0);
        """,

        // v2: users (LiteLLM's internal users) with their team memberships, key owners, spend rows by user
        """
        CREATE TABLE users (
            user_id text PRIMARY KEY,
            user_email text,
            user_role text NOT NULL DEFAULT 'internal_user',
            teams jsonb NOT NULL DEFAULT '{}',
            models jsonb NOT NULL DEFAULT '[]',
            rpm integer, tpm integer, max_parallel integer,
            max_budget_nanos bigint, soft_budget_nanos bigint, budget_duration text,
            spend_nanos bigint NOT NULL DEFAULT 0,
            budget_reset_at timestamptz,
            metadata text,
            created_at timestamptz NOT NULL
        );
        ALTER TABLE keys ADD COLUMN user_id text;
        CREATE INDEX ix_keys_user ON keys (user_id);
        ALTER TABLE spend_logs ADD COLUMN user_id text;
        CREATE INDEX ix_spend_user_time ON spend_logs (user_id, start_time);
        """,

        // v3: deployments stored through /model/* (credentials in litellm_params encrypted; the key is not in the database)
        """
        CREATE TABLE deployments (
            model_id text PRIMARY KEY,
            model_name text NOT NULL,
            litellm_params jsonb NOT NULL,
            model_info jsonb NOT NULL DEFAULT '{}',
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL
        );
        """,

        // v4: a spend row's request_id is the response id the caller saw (chatcmpl-..., msg_..., resp_...), looked up
        // with /spend/logs?request_id=; the gateway's own unique id (the old request_id) becomes row_id, still the
        // primary key the journal replay's ON CONFLICT relies on. Keys and tenants get their own model aliases.
        """
        ALTER TABLE spend_logs RENAME COLUMN request_id TO row_id;
        ALTER TABLE spend_logs ADD COLUMN request_id text;
        UPDATE spend_logs SET request_id = row_id;
        ALTER TABLE spend_logs ALTER COLUMN request_id SET NOT NULL;
        CREATE INDEX ix_spend_request ON spend_logs (request_id);
        ALTER TABLE keys ADD COLUMN aliases jsonb NOT NULL DEFAULT '{}';
        ALTER TABLE tenants ADD COLUMN model_aliases jsonb NOT NULL DEFAULT '{}';
        """,

        // v5: the audit log: every admin action and refusal, who (key id or master, tenant, user), what, how it ended, from where
        """
        CREATE TABLE audit_log (
            id text PRIMARY KEY,
            time timestamptz NOT NULL,
            actor text,
            actor_alias text,
            tenant_id text,
            user_id text,
            action text NOT NULL,
            target text,
            target_tenant_id text,
            status integer NOT NULL,
            outcome text NOT NULL,
            error_code text,
            client_address text,
            user_agent text,
            detail text,
            correlation_id text
        );
        CREATE INDEX ix_audit_time ON audit_log (time);
        CREATE INDEX ix_audit_tenant_time ON audit_log (tenant_id, time);
        CREATE INDEX ix_audit_target_tenant_time ON audit_log (target_tenant_id, time);
        """,

        // v6: the dashboard's spend aggregations (by model, tenant, alias, day over a time range, for everyone or one
        // tenant) read covering indexes (index-only scans) instead of the table (docs/performance.md, "Dashboard at
        // scale"); they replace ix_spend_time and ix_spend_tenant_time, whose key columns they have. The dashboard's call
        // lookup finds spend rows by correlation id
        """
        CREATE INDEX ix_spend_time_cover ON spend_logs (start_time) INCLUDE (tenant_id, alias, model, deployment, prompt_tokens, completion_tokens, cost_nanos);
        CREATE INDEX ix_spend_tenant_cover ON spend_logs (tenant_id, start_time) INCLUDE (alias, model, deployment, prompt_tokens, completion_tokens, cost_nanos);
        DROP INDEX ix_spend_time;
        DROP INDEX ix_spend_tenant_time;
        CREATE INDEX ix_spend_correlation ON spend_logs (correlation_id);
        """,
    ];
}
