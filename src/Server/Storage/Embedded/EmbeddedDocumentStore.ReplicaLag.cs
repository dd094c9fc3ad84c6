using Microsoft.Data.Sqlite;

namespace DocStore.Server.Storage.Embedded;

// The replica-lag model: which LSN a read answers at, and which version a replica at that LSN holds.
internal sealed partial class EmbeddedDocumentStore
{
    /// <summary>A read through the replica-lag model: see the remarks on this class.</summary>
    private StoreResult ReadLagging(string container, DocumentKey key, string? sessionToken)
    {
        var required = RequiredLsn(container, sessionToken);
        return WithSession(session =>
        {
            using var snapshot = session.Connection.BeginTransaction(deferred: true);
            if (required > session.CollectionLsn(snapshot, container))
            {
                return SessionNotAvailable(required);
            }

            var view = LaggingView(session, snapshot, container, required);
            return VersionAt(session, snapshot, container, key, view) is { } found
                ? StoreResult.Success(found)
                : StoreResult.Failure(StoreStatus.NotFound, null, null, SessionToken.ForEmbedded(view));
        });
    }

    /// <summary>The LSN a lagging read must reach: the session token's, or else this process's own.</summary>
    private long RequiredLsn(string container, string? sessionToken) =>
        sessionToken is null
            ? _sessionLsns.GetValueOrDefault(container)
            : SessionToken.ParseOrNull(sessionToken)?.Find("0")?.GlobalLsn ?? 0;

    /// <summary>The collection LSN a lagging replica answers at: lagging by the window, unless <paramref name="required"/> names a later one.</summary>
    private long LaggingView(SqliteSession session, SqliteTransaction snapshot, string container, long required)
    {
        var cutoff = _time.GetUtcNow().ToUnixTimeMilliseconds() - _lagMilliseconds;
        var lagging = session.LaggingLsn(snapshot, container, cutoff);
        var collectionLsn = session.CollectionLsn(snapshot, container);
        var view = Math.Min(collectionLsn, Math.Max(lagging ?? collectionLsn, required));
        Observe(container, view);
        return view;
    }

    /// <summary>The document as a replica at <paramref name="view"/> holds it, or <see langword="null"/> when it did not exist then (never written, or deleted: a tombstone).</summary>
    private static StoredDocument? VersionAt(SqliteSession session, SqliteTransaction snapshot, string container, DocumentKey key, long view)
    {
        var current = session.Read(snapshot, container, key);
        var version = current is { } row && row.Lsn <= view
            ? (row.Body, row.ETag, row.CommittedAt, row.Lsn)
            : session.ReadVersion(snapshot, container, key, view);
        return version is { } found && found.ETag.Length > 0
            ? Found(found.Body, found.ETag, found.CommittedAt, SessionToken.ForEmbedded(view))
            : null;
    }

    /// <summary>
    /// A session token names a write this file has not seen: it was issued by a file this one replaced
    /// (restored from a backup, recreated after a removal). Cosmos DB answers such a read 404/1002
    /// once its retries on other replicas are spent; no replica of this file will ever catch up.
    /// </summary>
    private static StoreResult SessionNotAvailable(long required) => StoreResult.Failure(
        StoreStatus.SessionNotAvailable,
        $"the session token names write {required.ToString(System.Globalization.CultureInfo.InvariantCulture)}, which this store has not seen; the store's file may have been replaced");

    /// <summary>Advances this process's session container, as a <c>CosmosClient</c> does on every response.</summary>
    private void Observe(string container, long lsn) =>
        _sessionLsns.AddOrUpdate(container, static (_, lsn) => lsn, static (_, seen, lsn) => Math.Max(seen, lsn), lsn);
}
