using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
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

    public Task<StorePage> QueryAsync(CollectionDefinition collection, string? partitionKey, DocumentQuery query, int pageSize, string? continuation, string? sessionToken, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        object[]? after = null;
        if (continuation is not null && (after = ParseKeyset(continuation, query.OrderBy.Count)) is null)
        {
            return Task.FromResult(StorePage.Failure(StoreStatus.InvalidContinuation, "the page token is not one this store issued"));
        }

        var text = SqliteQueryText.Translate(query, "j");
        var sql = QuerySql(text, partitionKey is not null, after is not null, _lagMilliseconds > 0);
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
                        next = Keyset(sortValues, items[^1].Key);
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

    public Task<StorePage> ReadChangesAsync(CollectionDefinition collection, string? partitionKey, ChangeFeedStart start, int maxItems, string? sessionToken, CancellationToken cancellationToken)
    {
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
                command.CommandText = ChangesSql(state.PartitionKey is not null, state.Since is not null, state.Store._lagMilliseconds > 0);
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

    /// <summary>
    /// The query's SQL. Rows come from the documents as they stand at <c>$view</c>: the current
    /// version, or, with the replica-lag model (<paramref name="lagging"/>), the version a write after
    /// the view replaced. A partition's query searches the primary key's (collection, partition_key)
    /// prefix, never the whole collection.
    /// </summary>
    internal static string QuerySql(SqliteQueryText text, bool partition, bool after, bool lagging)
    {
        var inPartition = partition ? "AND partition_key = $pk" : "";
        var source = !lagging
            ? $"SELECT partition_key, id, body, etag, committed_at FROM documents WHERE collection = $c {inPartition}"
            : $"""
                SELECT partition_key, id, body, etag, committed_at FROM documents WHERE collection = $c {inPartition} AND lsn <= $view
                UNION ALL
                {VersionsAtView(partition, "h.partition_key, h.id, h.body, h.etag, h.committed_at", "")}
                """;

        // A tombstone's body is empty, not JSON. The branch above leaves tombstones out, but SQLite may
        // evaluate the filter's JSON functions on a history row before that condition: it reads "{}".
        var json = lagging ? "CASE WHEN etag = '' THEN '{}' ELSE CAST(body AS TEXT) END" : "CAST(body AS TEXT)";

        var keys = new List<(string Column, bool Descending)>();
        var columns = new StringBuilder();
        for (var i = 0; i < text.SortKeys.Count; i++)
        {
            var (rank, value, descending) = text.SortKeys[i];
            columns.Append(CultureInfo.InvariantCulture, $", {rank} AS r{i}, {value} AS v{i}");
            keys.Add(($"r{i}", descending));
            keys.Add(($"v{i}", descending));
        }

        var last = text.SortKeys.Count > 0 && text.SortKeys[^1].Descending;
        keys.Add(("partition_key", last));
        keys.Add(("id", last));

        var keyset = "1";
        if (after)
        {
            // Strictly after the previous page's last row in the order (k0, k1, ...): k0 beyond it, or
            // k0 equal and k1 beyond it, and so on.
            var alternatives = new List<string>();
            for (var i = 0; i < keys.Count; i++)
            {
                var equal = string.Concat(Enumerable.Range(0, i).Select(j => $"{keys[j].Column} = $a{j} AND "));
                alternatives.Add($"({equal}{keys[i].Column} {(keys[i].Descending ? "<" : ">")} $a{i})");
            }

            keyset = string.Join(" OR ", alternatives);
        }

        var order = string.Join(", ", keys.Select(k => k.Column + (k.Descending ? " DESC" : " ASC")));
        return $"""
            SELECT partition_key, id, body, etag, committed_at{string.Concat(Enumerable.Range(0, text.SortKeys.Count).Select(i => $", r{i}, v{i}"))} FROM (
                SELECT partition_key, id, body, etag, committed_at{columns}
                FROM (SELECT partition_key, id, body, etag, committed_at, {json} AS j FROM ({source}))
                WHERE {text.Where})
            WHERE {keyset}
            ORDER BY {order}
            LIMIT $limit
            """;
    }

    /// <summary>
    /// The change feed's SQL: documents in the order of their writes' LSNs after <c>$from</c> up to <c>$view</c>.
    /// A collection's feed walks <c>documents_by_lsn</c>, a partition's <c>documents_by_partition_lsn</c>,
    /// named with INDEXED BY: without statistics, SQLite's planner prefers <c>documents_by_lsn</c> there
    /// too (it avoids a sort), which reads the whole collection's feed to find one partition's changes.
    /// </summary>
    /// <remarks>
    /// With the replica-lag model (<paramref name="lagging"/>), a document changed again after the view
    /// is not in <c>documents</c> at the version the view holds: its version at the view comes from the
    /// history, so a reader at the view is given every change in (<c>$from</c>, <c>$view</c>] and its
    /// continuation never passes one it was not given.
    /// </remarks>
    internal static string ChangesSql(bool partition, bool since, bool lagging = false)
    {
        var current = $"""
            SELECT partition_key, id, body, etag, committed_at, lsn FROM documents {(partition ? "INDEXED BY documents_by_partition_lsn" : "")}
            WHERE collection = $c {(partition ? "AND partition_key = $pk" : "")} AND lsn > $from AND lsn <= $view {(since ? "AND committed_at > $since" : "")}
            """;
        if (!lagging)
        {
            return current + "\nORDER BY lsn LIMIT $limit";
        }

        return $"""
            SELECT partition_key, id, body, etag, committed_at, lsn FROM (
                {current}
                UNION ALL
                {VersionsAtView(partition, "h.partition_key, h.id, h.body, h.etag, h.committed_at, h.lsn", "AND h.lsn > $from" + (since ? " AND h.committed_at > $since" : ""))})
            ORDER BY lsn LIMIT $limit
            """;
    }

    /// <summary>
    /// The replica-lag model's rows for documents whose current version a write after <c>$view</c> made,
    /// or that a delete removed: each one's newest kept version at or below the view, unless that version
    /// is a tombstone (the document did not exist at the view).
    /// </summary>
    private static string VersionsAtView(bool partition, string columns, string conditions) => $"""
        SELECT {columns} FROM document_history h
        WHERE h.collection = $c {(partition ? "AND h.partition_key = $pk" : "")} AND h.lsn <= $view {conditions}
        AND h.lsn = (SELECT max(v.lsn) FROM document_history v
                     WHERE v.collection = h.collection AND v.partition_key = h.partition_key AND v.id = h.id AND v.lsn <= $view)
        AND NOT EXISTS (SELECT 1 FROM documents d
                        WHERE d.collection = h.collection AND d.partition_key = h.partition_key AND d.id = h.id AND d.lsn <= $view)
        AND h.etag <> ''
        """;

    private static StoredItem ReadItem(SqliteDataReader reader, string sessionToken)
    {
        var body = reader.GetFieldValue<byte[]>(2);
        return new StoredItem(
            new DocumentKey(reader.GetString(1), reader.GetString(0)),
            new StoredDocument(body, reader.GetString(3), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)), sessionToken, RequestCharge.ForRead(body.Length)));
    }

    /// <summary>The keyset of a page's last row: its sort keys (rank and value per path), partition key and id, as JSON.</summary>
    private static string Keyset(object[] sortValues, DocumentKey key)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var value in sortValues)
            {
                switch (value)
                {
                    case long whole:
                        writer.WriteNumberValue(whole);
                        break;
                    case double number:
                        writer.WriteNumberValue(number);
                        break;
                    default:
                        writer.WriteStringValue((string)value);
                        break;
                }
            }

            writer.WriteStringValue(key.PartitionKey);
            writer.WriteStringValue(key.Id);
            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Parses a keyset written by <see cref="Keyset"/>, or returns <see langword="null"/>.</summary>
    private static object[]? ParseKeyset(string text, int sortKeys)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array || root.GetArrayLength() != (sortKeys * 2) + 2)
            {
                return null;
            }

            var values = new object[root.GetArrayLength()];
            for (var i = 0; i < values.Length; i++)
            {
                var element = root[i];
                values[i] = element.ValueKind switch
                {
                    JsonValueKind.Number when i < sortKeys * 2 && i % 2 == 0 => element.GetInt64(),
                    JsonValueKind.Number when i < sortKeys * 2 => element.GetDouble(),
                    JsonValueKind.String => element.GetString()!,
                    _ => throw new FormatException(),
                };
                if (i >= sortKeys * 2 && values[i] is not string)
                {
                    return null;
                }
            }

            return values;
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            return null;
        }
    }
}
