namespace Sluice.Postgres;

/// <summary>
/// The shared schema, step by step. A step is never edited once released: a change is a new step.
/// Text columns that are paged through (suppressions) use the "C" collation, so that their order
/// is byte order, as in SQLite, whatever the database's locale.
/// </summary>
internal static class SchemaMigrations
{
    public static readonly Migration[] All =
    [
        new(1, "state: api keys, idempotency, suppressions, templates, soft bounces", """
            CREATE TABLE api_keys (
                id text PRIMARY KEY,
                name text NOT NULL,
                scopes bigint NOT NULL,
                secret_hash text NOT NULL,
                created_at bigint NOT NULL,
                revoked_at bigint NULL,
                requests_per_second bigint NULL,
                strict bigint NOT NULL DEFAULT 0);
            CREATE TABLE idempotency (
                key_id text NOT NULL,
                idempotency_key text NOT NULL,
                request_hash text NOT NULL,
                status bigint NULL,
                body text NULL,
                expires_at bigint NOT NULL,
                PRIMARY KEY (key_id, idempotency_key));
            CREATE INDEX idempotency_expiry ON idempotency (expires_at);
            CREATE TABLE suppressions (
                address text COLLATE "C" NOT NULL,
                scope text COLLATE "C" NOT NULL,
                reason bigint NOT NULL,
                created_at bigint NOT NULL,
                expires_at bigint NULL,
                PRIMARY KEY (address, scope));
            CREATE TABLE templates (
                id text NOT NULL,
                version bigint NOT NULL,
                name text NOT NULL,
                subject text NULL,
                html text NULL,
                text text NULL,
                created_at bigint NOT NULL,
                PRIMARY KEY (id, version));
            CREATE TABLE soft_bounces (
                address text NOT NULL,
                at bigint NOT NULL);
            CREATE INDEX soft_bounces_address ON soft_bounces (address, at);
            CREATE INDEX soft_bounces_at ON soft_bounces (at);
            """),
        new(2, "delivered recipients of unsettled cluster messages (ADR 0033)", """
            CREATE TABLE delivered_recipients (
                message_id text NOT NULL,
                recipient text NOT NULL,
                at bigint NOT NULL,
                PRIMARY KEY (message_id, recipient));
            CREATE INDEX delivered_recipients_at ON delivered_recipients (at);
            """),
        new(3, "the nodes of the cluster and when each was last seen", """
            CREATE TABLE cluster_nodes (
                name text PRIMARY KEY,
                role text NOT NULL,
                http text NULL,
                version text NOT NULL,
                started_at bigint NOT NULL,
                seen_at bigint NOT NULL);
            """),
        new(4, "destination suspensions shared by the nodes", """
            CREATE TABLE suspensions_of_destinations (
                destination text PRIMARY KEY,
                until bigint NOT NULL);
            """),
        new(5, "sender pauses shared by the nodes", """
            CREATE TABLE sender_pauses (
                sender text PRIMARY KEY,
                since bigint NOT NULL,
                until bigint NOT NULL,
                cause text NOT NULL,
                reason text NOT NULL);
            """),
        new(6, "the message index, its webhooks and their dead letters (ADR 0035)", """
            -- Addresses and domains compare without case, as in the embedded index (COLLATE NOCASE).
            CREATE COLLATION sluice_nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
            CREATE TABLE events (
                seq bigserial PRIMARY KEY,
                time bigint NOT NULL,
                type integer NOT NULL,
                message_id text COLLATE "C" NOT NULL,
                recipient text NULL,
                site text NULL,
                remote_mta text NULL,
                attempt bigint NOT NULL,
                reply text NULL,
                classification text NULL,
                duration_ms double precision NULL,
                queued_ms double precision NULL,
                source text NULL,
                sender text NULL);
            CREATE INDEX events_message ON events (message_id);
            CREATE INDEX events_time ON events (time);
            CREATE TABLE messages (
                id text COLLATE "C" PRIMARY KEY,
                received_at bigint NOT NULL,
                sender text COLLATE sluice_nocase NOT NULL,
                sender_domain text COLLATE sluice_nocase NOT NULL,
                subject text NULL,
                tags text NOT NULL,
                size bigint NOT NULL,
                credential text NULL);
            CREATE INDEX messages_received ON messages (received_at);
            CREATE INDEX messages_sender ON messages (sender);
            CREATE TABLE recipients (
                message_id text COLLATE "C" NOT NULL,
                address text COLLATE sluice_nocase NOT NULL,
                state text NOT NULL,
                reply text NULL,
                updated_at bigint NOT NULL,
                PRIMARY KEY (message_id, address));
            CREATE INDEX recipients_address ON recipients (address);
            CREATE INDEX recipients_pending ON recipients (state, message_id);
            CREATE TABLE stats (
                hour bigint NOT NULL,
                sender_domain text COLLATE sluice_nocase NOT NULL,
                tag text COLLATE "C" NOT NULL,
                received bigint NOT NULL DEFAULT 0,
                delivered bigint NOT NULL DEFAULT 0,
                deferred bigint NOT NULL DEFAULT 0,
                bounced bigint NOT NULL DEFAULT 0,
                expired bigint NOT NULL DEFAULT 0,
                suppressed bigint NOT NULL DEFAULT 0,
                complained bigint NOT NULL DEFAULT 0,
                unsubscribed bigint NOT NULL DEFAULT 0,
                PRIMARY KEY (hour, sender_domain, tag));
            CREATE TABLE webhooks (
                id text PRIMARY KEY,
                url text NOT NULL,
                secret text NOT NULL,
                event_mask bigint NOT NULL,
                created_at bigint NOT NULL,
                enabled bigint NOT NULL,
                cursor bigint NOT NULL);
            CREATE TABLE webhook_dead_letters (
                id bigserial PRIMARY KEY,
                webhook_id text NOT NULL,
                failed_at bigint NOT NULL,
                attempts bigint NOT NULL,
                last_error text NOT NULL,
                event_count bigint NOT NULL,
                payload text NOT NULL);
            CREATE INDEX webhook_dead_letters_webhook ON webhook_dead_letters (webhook_id);
            """),
        new(7, "held recipients in the message index, and the key that releases them", """
            ALTER TABLE recipients ADD COLUMN held_for text NULL;
            CREATE INDEX recipients_held ON recipients (held_for) WHERE state = 'held';
            """),
    ];

    public static int Latest => All[^1].Version;
}
