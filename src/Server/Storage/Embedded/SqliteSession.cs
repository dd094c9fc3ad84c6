using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace DocStore.Server.Storage.Embedded;

/// <summary>
/// One open SQLite connection with its statements prepared once. The store pools these, so a call
/// pays neither for opening a connection nor for compiling SQL.
/// </summary>
internal sealed class SqliteSession : IDisposable
{
    private readonly SqliteCommand _read;
    private readonly SqliteCommand _readForWrite;
    private readonly SqliteCommand _readETag;
    private readonly SqliteCommand _nextLsn;
    private readonly SqliteCommand _write;
    private readonly SqliteCommand _ping;
    private readonly SqliteCommand _keepHistory;
    private readonly SqliteCommand _pruneHistory;
    private readonly SqliteCommand _logCommit;
    private readonly SqliteCommand _pruneLog;
    private readonly SqliteCommand _firstLsnAfter;
    private readonly SqliteCommand _readVersion;
    private readonly SqliteCommand _delete;
    private readonly SqliteCommand _keepTombstone;
    private readonly SqliteCommand _pruneCollectionHistory;
    private readonly SqliteCommand _collectionLsn;
    private readonly SqliteCommand _probeWrite;

    private SqliteSession(SqliteConnection connection)
    {
        Connection = connection;

        // One statement, so one snapshot: the document and the collection's LSN agree.
        _read = Prepare("""
            SELECT d.body, d.etag, d.committed_at, d.lsn, l.lsn
            FROM documents d JOIN collection_lsn l ON l.collection = d.collection
            WHERE d.collection = $c AND d.partition_key = $pk AND d.id = $id
            """, "$c", "$pk", "$id");
        _readForWrite = Prepare(
            "SELECT body, etag FROM documents WHERE collection = $c AND partition_key = $pk AND id = $id",
            "$c", "$pk", "$id");
        _readETag = Prepare(
            "SELECT etag FROM documents WHERE collection = $c AND partition_key = $pk AND id = $id",
            "$c", "$pk", "$id");
        _nextLsn = Prepare("""
            INSERT INTO collection_lsn (collection, lsn) VALUES ($c, 1)
            ON CONFLICT (collection) DO UPDATE SET lsn = lsn + 1
            RETURNING lsn
            """, "$c");
        _write = Prepare("""
            INSERT INTO documents (collection, partition_key, id, body, etag, lsn, committed_at)
            VALUES ($c, $pk, $id, $body, $etag, $lsn, $at)
            ON CONFLICT (collection, partition_key, id) DO UPDATE
            SET body = excluded.body, etag = excluded.etag, lsn = excluded.lsn, committed_at = excluded.committed_at
            """, "$c", "$pk", "$id", "$body", "$etag", "$lsn", "$at");
        _ping = Prepare("SELECT count(*) FROM collection_lsn");
        _delete = Prepare(
            "DELETE FROM documents WHERE collection = $c AND partition_key = $pk AND id = $id",
            "$c", "$pk", "$id");
        _collectionLsn = Prepare("SELECT lsn FROM collection_lsn WHERE collection = $c", "$c");

        // The replica-lag model's statements (see EmbeddedDocumentStore).
        _keepHistory = Prepare("""
            INSERT OR REPLACE INTO document_history (collection, partition_key, id, lsn, body, etag, committed_at, superseded_at)
            SELECT collection, partition_key, id, lsn, body, etag, committed_at, $at FROM documents
            WHERE collection = $c AND partition_key = $pk AND id = $id
            """, "$c", "$pk", "$id", "$at");
        _pruneHistory = Prepare("""
            DELETE FROM document_history
            WHERE collection = $c AND partition_key = $pk AND id = $id AND superseded_at <= $cutoff
            """, "$c", "$pk", "$id", "$cutoff");
        _logCommit = Prepare(
            "INSERT OR REPLACE INTO commit_log (collection, lsn, committed_at) VALUES ($c, $lsn, $at)",
            "$c", "$lsn", "$at");
        _pruneLog = Prepare("""
            DELETE FROM commit_log WHERE collection = $c AND lsn < (
                SELECT lsn FROM commit_log WHERE collection = $c AND committed_at <= $cutoff ORDER BY lsn DESC LIMIT 1)
            """, "$c", "$cutoff");
        _firstLsnAfter = Prepare(
            "SELECT min(lsn) FROM commit_log WHERE collection = $c AND committed_at > $cutoff",
            "$c", "$cutoff");
        _readVersion = Prepare("""
            SELECT body, etag, committed_at, lsn FROM document_history
            WHERE collection = $c AND partition_key = $pk AND id = $id AND lsn <= $lsn
            ORDER BY lsn DESC LIMIT 1
            """, "$c", "$pk", "$id", "$lsn");

        // A delete leaves a tombstone (empty etag and body) at its LSN, so that a lagging reader between
        // the delete and a later re-creation finds the document absent; and, since a deleted document
        // may never be written again, it prunes the whole collection's history past the window.
        _keepTombstone = Prepare("""
            INSERT OR REPLACE INTO document_history (collection, partition_key, id, lsn, body, etag, committed_at, superseded_at)
            VALUES ($c, $pk, $id, $lsn, X'', '', $at, $at)
            """, "$c", "$pk", "$id", "$lsn", "$at");
        _pruneCollectionHistory = Prepare(
            "DELETE FROM document_history WHERE collection = $c AND superseded_at <= $cutoff",
            "$c", "$cutoff");

        // Writes and removes 64 KB: a write that needs the disk to have room, and leaves nothing behind.
        _probeWrite = Prepare("INSERT OR REPLACE INTO write_probe (singleton, body) VALUES (1, zeroblob(65536)); DELETE FROM write_probe;");
    }

    public SqliteConnection Connection { get; }

    /// <summary>Whether the query translation's SQL functions are registered on <see cref="Connection"/> (the store does it on first use).</summary>
    public bool HasQueryFunctions { get; set; }

    public static SqliteSession Open(string connectionString, TimeSpan busyTimeout)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            using (var pragmas = connection.CreateCommand())
            {
                // FULL: a commit is on disk before the write is acknowledged, even across power loss.
                // busy_timeout: how long to wait for another process's write lock.
                pragmas.CommandText = $"PRAGMA synchronous = FULL; PRAGMA busy_timeout = {(long)busyTimeout.TotalMilliseconds};";
                pragmas.ExecuteNonQuery();
            }

            return new SqliteSession(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Creates the schema if the file is new, and returns the file's identity. Safe to run from
    /// several processes at once.
    /// </summary>
    public static string EnsureSchema(string connectionString, TimeSpan busyTimeout)
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA busy_timeout = {(long)busyTimeout.TotalMilliseconds};" + """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS collection_lsn (
                collection TEXT NOT NULL PRIMARY KEY,
                lsn INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS documents (
                collection TEXT NOT NULL,
                partition_key TEXT NOT NULL,
                id TEXT NOT NULL,
                body BLOB NOT NULL,
                etag TEXT NOT NULL,
                lsn INTEGER NOT NULL,          -- the collection LSN of the write that produced this version
                committed_at INTEGER NOT NULL, -- Unix milliseconds when that write committed
                PRIMARY KEY (collection, partition_key, id)
            );
            -- The change feed reads a collection's documents in the order of their writes' LSNs.
            CREATE INDEX IF NOT EXISTS documents_by_lsn ON documents (collection, lsn);
            -- A partition's change feed: without it, the feed of one partition walks the whole collection's.
            CREATE INDEX IF NOT EXISTS documents_by_partition_lsn ON documents (collection, partition_key, lsn);
            -- The replica-lag model (DocStore:Embedded:ReplicaLag): versions replaced within the lag
            -- window, and when each recent LSN committed. Both stay empty when the lag is zero.
            CREATE TABLE IF NOT EXISTS document_history (
                collection TEXT NOT NULL,
                partition_key TEXT NOT NULL,
                id TEXT NOT NULL,
                lsn INTEGER NOT NULL,
                body BLOB NOT NULL,
                etag TEXT NOT NULL,
                committed_at INTEGER NOT NULL,
                superseded_at INTEGER NOT NULL, -- Unix milliseconds when the next version committed
                PRIMARY KEY (collection, partition_key, id, lsn)
            );
            CREATE INDEX IF NOT EXISTS document_history_by_age ON document_history (collection, superseded_at);
            CREATE TABLE IF NOT EXISTS commit_log (
                collection TEXT NOT NULL,
                lsn INTEGER NOT NULL,
                committed_at INTEGER NOT NULL,
                PRIMARY KEY (collection, lsn)
            ) WITHOUT ROWID;
            -- Identifies this file, so that session tokens issued by another file are never applied to it.
            CREATE TABLE IF NOT EXISTS store_identity (
                singleton INTEGER NOT NULL PRIMARY KEY CHECK (singleton = 1),
                id TEXT NOT NULL
            );
            INSERT OR IGNORE INTO store_identity (singleton, id) VALUES (1, lower(hex(randomblob(16))));
            -- The readiness check's probe write (EmbeddedDocumentStore.IsReachableAsync); always empty.
            CREATE TABLE IF NOT EXISTS write_probe (
                singleton INTEGER NOT NULL PRIMARY KEY CHECK (singleton = 1),
                body BLOB NOT NULL
            );
            """;
        command.ExecuteNonQuery();
        command.CommandText = "SELECT id FROM store_identity";
        return (string)command.ExecuteScalar()!;
    }

    /// <summary>
    /// The identity (<c>store_identity</c>) of the file at <paramref name="connectionString"/>'s path,
    /// opened without creating it: <see langword="null"/> when there is no such file or it has no identity.
    /// </summary>
    public static string? ReadIdentity(string connectionString)
    {
        var existing = new SqliteConnectionStringBuilder(connectionString) { Mode = SqliteOpenMode.ReadWrite }.ToString();
        using var connection = new SqliteConnection(existing);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id FROM store_identity";
        return command.ExecuteScalar() as string;
    }

    /// <summary>
    /// The current version of a document with the LSN that wrote it, and the collection's LSN, or
    /// <see langword="null"/>.
    /// </summary>
    public (byte[] Body, string ETag, long CommittedAt, long Lsn, long CollectionLsn)? Read(SqliteTransaction? transaction, string container, DocumentKey key)
    {
        Bind(_read, transaction, container, key);
        using var reader = _read.ExecuteReader();
        return reader.Read()
            ? (reader.GetFieldValue<byte[]>(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4))
            : null;
    }

    /// <summary>The newest replaced version at or below <paramref name="lsn"/>, or <see langword="null"/>.</summary>
    public (byte[] Body, string ETag, long CommittedAt, long Lsn)? ReadVersion(SqliteTransaction transaction, string container, DocumentKey key, long lsn)
    {
        Bind(_readVersion, transaction, container, key);
        _readVersion.Parameters[3].Value = lsn;
        using var reader = _readVersion.ExecuteReader();
        return reader.Read()
            ? (reader.GetFieldValue<byte[]>(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3))
            : null;
    }

    /// <summary>
    /// The LSN a replica lagging to <paramref name="cutoff"/> has reached: the last one committed at or
    /// before it, or <see langword="null"/> when every logged commit is that old.
    /// </summary>
    public long? LaggingLsn(SqliteTransaction transaction, string container, long cutoff)
    {
        _firstLsnAfter.Transaction = transaction;
        _firstLsnAfter.Parameters[0].Value = container;
        _firstLsnAfter.Parameters[1].Value = cutoff;
        return _firstLsnAfter.ExecuteScalar() is long first ? first - 1 : null;
    }

    /// <summary>
    /// Before a write replaces a document: keeps the current version for lagging readers, logs the
    /// write's LSN, and drops what no reader lagging by at most the window can still see.
    /// </summary>
    public void KeepForLaggingReaders(SqliteTransaction transaction, string container, DocumentKey key, long lsn, long committedAt, long cutoff)
    {
        Bind(_keepHistory, transaction, container, key);
        _keepHistory.Parameters[3].Value = committedAt;
        _keepHistory.ExecuteNonQuery();

        Bind(_pruneHistory, transaction, container, key);
        _pruneHistory.Parameters[3].Value = cutoff;
        _pruneHistory.ExecuteNonQuery();

        _logCommit.Transaction = transaction;
        _logCommit.Parameters[0].Value = container;
        _logCommit.Parameters[1].Value = lsn;
        _logCommit.Parameters[2].Value = committedAt;
        _logCommit.ExecuteNonQuery();

        _pruneLog.Transaction = transaction;
        _pruneLog.Parameters[0].Value = container;
        _pruneLog.Parameters[1].Value = cutoff;
        _pruneLog.ExecuteNonQuery();
    }

    /// <summary>
    /// For a delete under the replica-lag model, after <see cref="KeepForLaggingReaders"/>: records the
    /// delete as a tombstone version at <paramref name="lsn"/>, and drops every version of the
    /// collection that no reader lagging by at most the window can still see.
    /// </summary>
    public void KeepTombstone(SqliteTransaction transaction, string container, DocumentKey key, long lsn, long committedAt, long cutoff)
    {
        Bind(_keepTombstone, transaction, container, key);
        _keepTombstone.Parameters[3].Value = lsn;
        _keepTombstone.Parameters[4].Value = committedAt;
        _keepTombstone.ExecuteNonQuery();

        _pruneCollectionHistory.Transaction = transaction;
        _pruneCollectionHistory.Parameters[0].Value = container;
        _pruneCollectionHistory.Parameters[1].Value = cutoff;
        _pruneCollectionHistory.ExecuteNonQuery();
    }

    /// <summary>Deletes the current version: <see langword="false"/> when there was none.</summary>
    public bool Delete(SqliteTransaction transaction, string container, DocumentKey key)
    {
        Bind(_delete, transaction, container, key);
        return _delete.ExecuteNonQuery() > 0;
    }

    /// <summary>The collection's last issued LSN, or 0 when nothing was ever written to it.</summary>
    public long CollectionLsn(SqliteTransaction? transaction, string container)
    {
        _collectionLsn.Transaction = transaction;
        _collectionLsn.Parameters[0].Value = container;
        return _collectionLsn.ExecuteScalar() is long lsn ? lsn : 0;
    }

    /// <summary>The current body and etag inside a write transaction, or <see langword="null"/>.</summary>
    public (byte[] Body, string ETag)? ReadForWrite(SqliteTransaction transaction, string container, DocumentKey key)
    {
        Bind(_readForWrite, transaction, container, key);
        using var reader = _readForWrite.ExecuteReader();
        return reader.Read() ? (reader.GetFieldValue<byte[]>(0), reader.GetString(1)) : null;
    }

    /// <summary>The current etag inside a write transaction, without reading the body, or <see langword="null"/>.</summary>
    public string? ReadETag(SqliteTransaction transaction, string container, DocumentKey key)
    {
        Bind(_readETag, transaction, container, key);
        return _readETag.ExecuteScalar() as string;
    }

    /// <summary>Issues the collection's next LSN inside the write transaction.</summary>
    public long NextLsn(SqliteTransaction transaction, string container)
    {
        _nextLsn.Transaction = transaction;
        _nextLsn.Parameters[0].Value = container;
        return (long)_nextLsn.ExecuteScalar()!;
    }

    public void Write(SqliteTransaction transaction, string container, DocumentKey key, ReadOnlyMemory<byte> body, string etag, long lsn, long committedAt)
    {
        Bind(_write, transaction, container, key);
        _write.Parameters[3].Value = MemoryMarshal.TryGetArray(body, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : body.ToArray();
        _write.Parameters[4].Value = etag;
        _write.Parameters[5].Value = lsn;
        _write.Parameters[6].Value = committedAt;
        _write.ExecuteNonQuery();
    }

    public void Ping() => _ping.ExecuteScalar();

    /// <summary>Commits a write that needs room on the disk and leaves nothing behind: see <see cref="_probeWrite"/>.</summary>
    public void ProbeWrite()
    {
        using var transaction = Connection.BeginTransaction(deferred: false);
        _probeWrite.Transaction = transaction;
        _probeWrite.ExecuteNonQuery();
        transaction.Commit();
    }

    public void Dispose()
    {
        _read.Dispose();
        _readForWrite.Dispose();
        _readETag.Dispose();
        _nextLsn.Dispose();
        _write.Dispose();
        _ping.Dispose();
        _keepHistory.Dispose();
        _pruneHistory.Dispose();
        _logCommit.Dispose();
        _pruneLog.Dispose();
        _firstLsnAfter.Dispose();
        _readVersion.Dispose();
        _delete.Dispose();
        _keepTombstone.Dispose();
        _pruneCollectionHistory.Dispose();
        _collectionLsn.Dispose();
        _probeWrite.Dispose();
        Connection.Dispose();
    }

    private static void Bind(SqliteCommand command, SqliteTransaction? transaction, string container, DocumentKey key)
    {
        command.Transaction = transaction;
        command.Parameters[0].Value = container;
        command.Parameters[1].Value = key.PartitionKey;
        command.Parameters[2].Value = key.Id;
    }

    private SqliteCommand Prepare(string sql, params string[] parameters)
    {
        var command = Connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        command.Prepare();
        return command;
    }
}
