namespace Sluice.Storage.Events;

public sealed partial class SqliteEventDatabase
{
    // Times are Unix milliseconds. Tags are kept as one text, each tag between two U+001F, so that
    // instr() finds a whole tag. The statistics count recipients per hour; tag '' is the total of a
    // sending domain, each tag of a message adds a row of its own.
    private const string Schema = """
        PRAGMA journal_mode=WAL;
        PRAGMA synchronous=NORMAL;
        CREATE TABLE IF NOT EXISTS events (
            seq INTEGER PRIMARY KEY,
            time INTEGER NOT NULL,
            type INTEGER NOT NULL,
            message_id TEXT NOT NULL,
            recipient TEXT NULL,
            site TEXT NULL,
            remote_mta TEXT NULL,
            attempt INTEGER NOT NULL,
            reply TEXT NULL,
            classification TEXT NULL,
            duration_ms REAL NULL,
            queued_ms REAL NULL,
            source TEXT NULL,
            sender TEXT NULL);
        CREATE INDEX IF NOT EXISTS events_message ON events (message_id);
        CREATE TABLE IF NOT EXISTS messages (
            id TEXT PRIMARY KEY,
            received_at INTEGER NOT NULL,
            sender TEXT NOT NULL COLLATE NOCASE,
            sender_domain TEXT NOT NULL COLLATE NOCASE,
            subject TEXT NULL,
            tags TEXT NOT NULL,
            size INTEGER NOT NULL,
            credential TEXT NULL) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS messages_received ON messages (received_at);
        CREATE INDEX IF NOT EXISTS messages_sender ON messages (sender);
        CREATE TABLE IF NOT EXISTS recipients (
            message_id TEXT NOT NULL,
            address TEXT NOT NULL COLLATE NOCASE,
            state TEXT NOT NULL,
            reply TEXT NULL,
            updated_at INTEGER NOT NULL,
            held_for TEXT NULL,
            PRIMARY KEY (message_id, address)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS recipients_address ON recipients (address);
        CREATE INDEX IF NOT EXISTS recipients_pending ON recipients (state, message_id);
        CREATE TABLE IF NOT EXISTS stats (
            hour INTEGER NOT NULL,
            sender_domain TEXT NOT NULL COLLATE NOCASE,
            tag TEXT NOT NULL,
            received INTEGER NOT NULL DEFAULT 0,
            delivered INTEGER NOT NULL DEFAULT 0,
            deferred INTEGER NOT NULL DEFAULT 0,
            bounced INTEGER NOT NULL DEFAULT 0,
            expired INTEGER NOT NULL DEFAULT 0,
            suppressed INTEGER NOT NULL DEFAULT 0,
            complained INTEGER NOT NULL DEFAULT 0,
            unsubscribed INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (hour, sender_domain, tag)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS webhooks (
            id TEXT PRIMARY KEY,
            url TEXT NOT NULL,
            secret TEXT NOT NULL,
            event_mask INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            enabled INTEGER NOT NULL,
            cursor INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS webhook_dead_letters (
            id INTEGER PRIMARY KEY,
            webhook_id TEXT NOT NULL,
            failed_at INTEGER NOT NULL,
            attempts INTEGER NOT NULL,
            last_error TEXT NOT NULL,
            event_count INTEGER NOT NULL,
            payload TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS webhook_dead_letters_webhook ON webhook_dead_letters (webhook_id);
        """;
}
