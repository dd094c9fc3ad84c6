using System.Collections.Concurrent;
using System.Globalization;
using DocStore.Server.Storage.Commands;
using DocStore.Server.Storage.Query;
using Microsoft.Data.Sqlite;

namespace DocStore.Server.Storage.Embedded;

/// <summary>
/// Queries and the change feed on the embedded store. Both read one snapshot at the session's view:
/// the collection's LSN, or with the replica-lag model the LSN a replica serving this session has
/// reached (see the class remarks).
/// </summary>
/// <remarks>
/// <para>
/// A query pages by keyset: its order is total, (the ORDER BY keys, partition key, id), and a page
/// token holds the last row's keys, so the next page starts strictly after it. A document that exists
/// unchanged throughout keeps its place, so paging never returns it twice or skips it, whatever others
/// write meanwhile.
/// </para>
/// <para>
/// The change feed orders documents by the LSN of the write that produced their current version; a
/// continuation holds this file's identity and an LSN.
/// </para>
/// </remarks>
internal sealed partial class EmbeddedDocumentStore
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _changeSignals = new(StringComparer.Ordinal);

    public Task<StorePage> Handle(QueryDocuments command, CancellationToken cancellationToken)
    {
        var (collection, partitionKey, query, pageSize, continuation, sessionToken) = command;
        cancellationToken.ThrowIfCancellationRequested();
        object[]? after = null;
        if (continuation is not null && (after = QueryKeyset.Parse(continuation, query.OrderBy.Count)) is null)
        {
            return Task.FromResult(StorePage.Failure(StoreStatus.InvalidContinuation, "the page token is not one this store issued"));
        }

        var text = SqliteQueryText.Translate(query, "j");
        var sql = EmbeddedQuerySql.Query(text, partitionKey is not null, after is not null, _lagMilliseconds > 0);
        return Task.FromResult(WithSession(
            (Store: this, Container: collection.Container, PartitionKey: partitionKey, Text: text, Sql: sql, After: after, PageSize: pageSize, SessionToken: sessionToken),
            static (session, state) =>
            {
                if (!session.HasQueryFunctions)
                {
                    SqliteQueryText.RegisterFunctions(session.Connection);
                    session.HasQueryFunctions = true;
                }

                using var snapshot = session.Connection.BeginTransaction(deferred: true);
                if (state.Store.View(session, snapshot, state.Container, state.SessionToken, out _) is not { } view)
                {
                    return StorePage.Failure(StoreStatus.SessionNotAvailable, SessionNotAvailable(state.Store.RequiredLsn(state.Container, state.SessionToken)).Message);
                }

                using var command = session.Connection.CreateCommand();
                command.Transaction = snapshot;
                command.CommandText = state.Sql;
                command.Parameters.AddWithValue("$c", state.Container);
                command.Parameters.AddWithValue("$view", view);
                command.Parameters.AddWithValue("$limit", state.PageSize + 1);
                if (state.PartitionKey is not null)
                {
                    command.Parameters.AddWithValue("$pk", state.PartitionKey);
                }

                foreach (var (name, value) in state.Text.Parameters)
                {
                    command.Parameters.AddWithValue(name, value);
                }

                for (var i = 0; i < (state.After?.Length ?? 0); i++)
                {
                    command.Parameters.AddWithValue("$a" + i.ToString(CultureInfo.InvariantCulture), state.After![i]);
                }

                var token = SessionToken.ForEmbedded(view);
                var items = new List<StoredItem>(Math.Min(state.PageSize, 256));
                var charge = 1.0;
                string? next = null;
                var sortValues = new object[state.Text.SortKeys.Count * 2];
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    if (items.Count == state.PageSize)
                    {
                        // There is a row after the page: the token names the page's last row.
                        next = QueryKeyset.Write(sortValues, items[^1].Key);
                        break;
                    }

                    var item = ReadItem(reader, token);
                    charge += item.Document.RequestCharge;
                    items.Add(item);
                    for (var i = 0; i < sortValues.Length; i++)
                    {
                        sortValues[i] = reader.GetValue(5 + i);
                    }
                }

                return StorePage.Success(items, next, token, Math.Round(charge, 2));
            },
            static failure => StorePage.Failure(failure.Status, failure.Message)));
    }

    public Task<StorePage> Handle(ReadChangeFeed command, CancellationToken cancellationToken)
    {
        var (collection, partitionKey, start, maxItems, sessionToken) = command;
        cancellationToken.ThrowIfCancellationRequested();
        long from = 0;
        if (start is ChangeFeedStart.After after)
        {
            var parts = after.Continuation.Split(':');
            if (parts.Length != 2 || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out from))
            {
                return Task.FromResult(StorePage.Failure(StoreStatus.InvalidContinuation, "the continuation is not one this store issued"));
            }

            if (parts[0] != _storeId)
            {
                return Task.FromResult(StorePage.Failure(StoreStatus.InvalidContinuation, "the continuation comes from another store file; start again without it"));
            }
        }

        var since = start is ChangeFeedStart.At at ? at.Time.ToUnixTimeMilliseconds() : (long?)null;
        return Task.FromResult(WithSession(
            (Store: this, Container: collection.Container, PartitionKey: partitionKey, From: from, Since: since, Now: start is ChangeFeedStart.Now, MaxItems: maxItems, SessionToken: sessionToken),
            static (session, state) =>
            {
                using var snapshot = session.Connection.BeginTransaction(deferred: true);
                if (state.Store.View(session, snapshot, state.Container, state.SessionToken, out var collectionLsn) is not { } view)
                {
                    return StorePage.Failure(StoreStatus.SessionNotAvailable, SessionNotAvailable(state.Store.RequiredLsn(state.Container, state.SessionToken)).Message);
                }

                if (state.Now)
                {
                    return StorePage.Success([], state.Store.Continuation(collectionLsn), SessionToken.ForEmbedded(view), 1);
                }

                using var command = session.Connection.CreateCommand();
                command.Transaction = snapshot;
                command.CommandText = EmbeddedQuerySql.Changes(state.PartitionKey is not null, state.Since is not null, state.Store._lagMilliseconds > 0);
                command.Parameters.AddWithValue("$c", state.Container);
                command.Parameters.AddWithValue("$from", state.From);
                command.Parameters.AddWithValue("$view", view);
                command.Parameters.AddWithValue("$limit", state.MaxItems);
                command.Parameters.AddWithValue("$pk", (object?)state.PartitionKey ?? DBNull.Value);
                command.Parameters.AddWithValue("$since", (object?)state.Since ?? DBNull.Value);

                var token = SessionToken.ForEmbedded(view);
                var items = new List<StoredItem>();
                var charge = 1.0;
                var last = state.From;
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    var item = ReadItem(reader, token);
                    charge += item.Document.RequestCharge;
                    items.Add(item);
                    last = reader.GetInt64(5);
                }

                // A full page may have more after it; otherwise every change up to the view has been read.
                var reached = items.Count == state.MaxItems ? last : Math.Max(state.From, view);
                return StorePage.Success(items, state.Store.Continuation(reached), token, Math.Round(charge, 2));
            },
            static failure => StorePage.Failure(failure.Status, failure.Message)));
    }

    public async Task WaitForChangesAsync(CollectionDefinition collection, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var signal = _changeSignals.GetOrAdd(collection.Container, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        await Task.WhenAny(signal.Task, Task.Delay(timeout, cancellationToken));
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>
    /// Once a successful write has committed, and only then: advances this process's session to the
    /// write's LSN, and wakes the streams waiting on the collection. A session that named an LSN before
    /// its transaction committed would make a read without a token require a write its snapshot does not
    /// hold yet, and refuse the store's own state as READ_SESSION_NOT_AVAILABLE.
    /// </summary>
    private async Task<T> AfterCommit<T>(CollectionDefinition collection, Task<T> write)
        where T : IStoreOutcome
    {
        var result = await write;
        if (result.Status != StoreStatus.Ok)
        {
            return result;
        }

        if (_lagMilliseconds > 0 && SessionToken.ParseOrNull(result.SessionToken ?? "")?.Find("0")?.GlobalLsn is { } lsn)
        {
            Observe(collection.Container, lsn);
        }

        if (_changeSignals.TryRemove(collection.Container, out var signal))
        {
            signal.TrySetResult();
        }

        return result;
    }

    private string Continuation(long lsn) => string.Create(CultureInfo.InvariantCulture, $"{_storeId}:{lsn}");

    /// <summary>
    /// The LSN this read answers at: the collection's, or with the replica-lag model the LSN a replica
    /// serving this session has reached. <see langword="null"/> when the session token names a write
    /// this file has not seen (Cosmos DB's 404/1002), as for a point read.
    /// </summary>
    private long? View(SqliteSession session, SqliteTransaction snapshot, string container, string? sessionToken, out long collectionLsn)
    {
        // The session's LSN before the snapshot's first read: this process observes a write only once it
        // has committed, so the snapshot then holds it. Read after, it could name a later commit.
        var required = RequiredLsn(container, sessionToken);
        collectionLsn = session.CollectionLsn(snapshot, container);
        if (required > collectionLsn)
        {
            return null;
        }

        return _lagMilliseconds == 0 ? collectionLsn : LaggingView(session, snapshot, container, required);
    }

    private static StoredItem ReadItem(SqliteDataReader reader, string sessionToken)
    {
        var body = reader.GetFieldValue<byte[]>(2);
        return new StoredItem(
            new DocumentKey(reader.GetString(1), reader.GetString(0)),
            Found(body, reader.GetString(3), reader.GetInt64(4), sessionToken));
    }
}
