using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;
using DocStore.Server.Storage.Query;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace DocStore.Server.Storage.Embedded;

/// <summary>
/// The default store: documents in a SQLite file (WAL mode), with Cosmos DB's semantics. Writes go
/// through <see cref="GroupCommit"/>: the writes waiting together share one transaction, which takes
/// the file's write lock (<c>BEGIN IMMEDIATE</c>), so writes from several processes sharing the file
/// are serialized, and each gets the collection's next LSN inside the transaction.
/// </summary>
/// <remarks>
/// <para>
/// The replica-lag model (<see cref="EmbeddedStoreOptions.ReplicaLag"/> above zero) makes Cosmos DB's
/// stale session reads reproducible. A read is answered by a secondary that has applied only the
/// writes committed at least the lag ago, unless the session token in force names a later LSN: then
/// it is answered by a replica that has caught up exactly to that LSN, as Cosmos DB's retry on a
/// lagging replica (404/1002) amounts to. Writes keep the versions they replace, for as long as a
/// lagging reader can still see them.
/// </para>
/// <para>
/// The session token in force is the one passed, or else this process's own: like a
/// <c>CosmosClient</c>, the store remembers the newest LSN it has seen per collection, from its writes
/// and reads. So one process always reads its own writes, and only several processes show stale reads.
/// </para>
/// </remarks>
internal sealed partial class EmbeddedDocumentStore : IDocumentStore, IDisposable
{
    private const int MaxPooledSessions = 32;

    /// <summary>How often the file's inode and <c>store_identity</c> are compared with the ones opened.</summary>
    private static readonly TimeSpan FileCheckInterval = TimeSpan.FromSeconds(2);

    private readonly string _connectionString;
    private readonly ConcurrentQueue<SqliteSession> _pool = new();
    private readonly GroupCommit _groupCommit;
    private readonly TimeSpan _busyTimeout;
    private readonly TimeProvider _time;
    private readonly ILogger<EmbeddedDocumentStore> _logger;
    private readonly long _lagMilliseconds;
    private readonly ConcurrentDictionary<string, long> _sessionLsns = new(StringComparer.Ordinal);
    private readonly string _storeId;
    private readonly ulong? _inode;
    private readonly ITimer _fileCheck;
    private volatile string? _fileLost;
    private volatile string? _writeFault;
    private int _pooled;

    public EmbeddedDocumentStore(IOptions<DocStoreOptions> options, TimeProvider time, ILogger<EmbeddedDocumentStore> logger)
    {
        _time = time;
        _logger = logger;
        FilePath = Path.GetFullPath(options.Value.Embedded.Path);
        _busyTimeout = options.Value.Embedded.BusyTimeout;
        _lagMilliseconds = (long)options.Value.Embedded.ReplicaLag.TotalMilliseconds;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false, // the store pools sessions with their prepared statements itself

            // Microsoft.Data.Sqlite retries a busy statement until this many seconds have passed.
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(_busyTimeout.TotalSeconds)),
        }.ToString();
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
            _storeId = SqliteSession.EnsureSchema(_connectionString, _busyTimeout);
            _inode = FileIdentity.Inode(FilePath);
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"DocStore:Embedded:Path: cannot use '{FilePath}' as the embedded store: {e.Message}", e);
        }

        _groupCommit = new GroupCommit(TryWithSession);
        _fileCheck = time.CreateTimer(static store => ((EmbeddedDocumentStore)store!).CheckFile(thorough: true), this, FileCheckInterval, FileCheckInterval);
        Log.Opened(logger, FilePath);
    }

    /// <summary>The full path of the SQLite file.</summary>
    public string FilePath { get; }

    /// <inheritdoc />
    public string TokenScope(CollectionDefinition collection) => $"embedded/{_storeId}/{collection.Container}";

    public Task<StoreResult> ReadAsync(CollectionDefinition collection, DocumentKey key, string? sessionToken, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_lagMilliseconds > 0)
        {
            return Task.FromResult(ReadLagging(collection.Container, key, sessionToken));
        }

        // Without replica lag every read is answered by the primary, which satisfies any session token
        // this file issued. A static callback with explicit state: every Get comes through here, and
        // allocates no closure.
        var required = sessionToken is null ? 0 : SessionToken.ParseOrNull(sessionToken)?.Find("0")?.GlobalLsn ?? 0;
        return Task.FromResult(WithSession((collection.Container, key, required), static (session, state) =>
        {
            var row = session.Read(null, state.Container, state.key);
            if (state.required > 0 && state.required > (row?.CollectionLsn ?? session.CollectionLsn(null, state.Container)))
            {
                return SessionNotAvailable(state.required);
            }

            if (row is not { } found)
            {
                return StoreResult.NotFound;
            }

            return StoreResult.Success(new StoredDocument(
                found.Body,
                found.ETag,
                DateTimeOffset.FromUnixTimeMilliseconds(found.CommittedAt),
                SessionToken.ForEmbedded(found.CollectionLsn),
                RequestCharge.ForRead(found.Body.Length)));
        }));
    }

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
            ? new StoredDocument(found.Body, found.ETag, DateTimeOffset.FromUnixTimeMilliseconds(found.CommittedAt), SessionToken.ForEmbedded(view), RequestCharge.ForRead(found.Body.Length))
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

    public Task<StoreResult> UpsertAsync(CollectionDefinition collection, DocumentKey key, ReadOnlyMemory<byte> body, string? ifMatch, CancellationToken cancellationToken) =>
        WriteAsync(collection, new BatchStep(BatchStepKind.Upsert, key, body, IfMatch: ifMatch), cancellationToken);

    public Task<StoreResult> PatchAsync(CollectionDefinition collection, DocumentKey key, IReadOnlyList<DocumentPatchOperation> operations, string? ifMatch, DocumentFilter? condition, CancellationToken cancellationToken) =>
        WriteAsync(collection, new BatchStep(BatchStepKind.Patch, key, Patch: operations, IfMatch: ifMatch, Condition: condition), cancellationToken);

    public Task<StoreResult> CreateAsync(CollectionDefinition collection, DocumentKey key, ReadOnlyMemory<byte> body, CancellationToken cancellationToken) =>
        WriteAsync(collection, new BatchStep(BatchStepKind.Create, key, body), cancellationToken);

    public Task<StoreResult> ReplaceAsync(CollectionDefinition collection, DocumentKey key, ReadOnlyMemory<byte> body, string? ifMatch, CancellationToken cancellationToken) =>
        WriteAsync(collection, new BatchStep(BatchStepKind.Replace, key, body, IfMatch: ifMatch), cancellationToken);

    public Task<StoreResult> DeleteAsync(CollectionDefinition collection, DocumentKey key, string? ifMatch, CancellationToken cancellationToken) =>
        WriteAsync(collection, new BatchStep(BatchStepKind.Delete, key, IfMatch: ifMatch), cancellationToken);

    public Task<ReadManyStoreResult> ReadManyAsync(CollectionDefinition collection, IReadOnlyList<DocumentKey> keys, string? sessionToken, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var container = collection.Container;
        var required = RequiredLsn(container, sessionToken);
        return Task.FromResult(WithSession(
            (container, keys, required),
            (session, state) =>
            {
                // One snapshot: every document as of one collection LSN.
                using var snapshot = session.Connection.BeginTransaction(deferred: true);
                if (state.required > session.CollectionLsn(snapshot, state.container))
                {
                    return ReadManyStoreResult.Failed(SessionNotAvailable(state.required));
                }

                var view = _lagMilliseconds > 0
                    ? LaggingView(session, snapshot, state.container, state.required)
                    : session.CollectionLsn(snapshot, state.container);
                var documents = new StoredDocument?[state.keys.Count];
                var charge = 0.0;
                for (var i = 0; i < documents.Length; i++)
                {
                    documents[i] = VersionAt(session, snapshot, state.container, state.keys[i], view);
                    charge += documents[i]?.RequestCharge ?? 1;
                }

                return ReadManyStoreResult.Success(documents, SessionToken.ForEmbedded(view), Math.Round(charge, 2));
            },
            ReadManyStoreResult.Failed));
    }

    /// <summary>
    /// Runs the batch inside the group commit's transaction, under a savepoint: when an operation
    /// fails, the savepoint is rolled back, so the batch leaves nothing while the other writes of the
    /// same group commit. Each operation sees the ones before it.
    /// </summary>
    public Task<BatchStoreResult> ExecuteBatchAsync(CollectionDefinition collection, string partitionKey, IReadOnlyList<BatchStep> operations, CancellationToken cancellationToken) =>
        AfterCommit(collection, _groupCommit.WriteAsync(
            (session, transaction) =>
            {
                const string savepoint = "batch";
                transaction.Save(savepoint);
                var results = new StoreResult[operations.Count];
                var charge = 0.0;
                try
                {
                    for (var i = 0; i < results.Length; i++)
                    {
                        var result = Apply(session, transaction, collection.Container, operations[i]);
                        if (result.Status != StoreStatus.Ok)
                        {
                            transaction.Rollback(savepoint);
                            return BatchStoreResult.OperationFailed(i, result);
                        }

                        results[i] = result;
                        charge += result.RequestCharge;
                    }
                }
                catch
                {
                    transaction.Rollback(savepoint);
                    throw;
                }

                transaction.Release(savepoint);
                var token = SessionToken.ForEmbedded(session.CollectionLsn(transaction, collection.Container));
                return BatchStoreResult.Success(results, token, Math.Round(charge, 2));
            },
            BatchStoreResult.Failed,
            cancellationToken));

    /// <summary>One write through the group commit.</summary>
    private Task<StoreResult> WriteAsync(CollectionDefinition collection, BatchStep step, CancellationToken cancellationToken) =>
        AfterCommit(collection, _groupCommit.WriteAsync((session, transaction) => Apply(session, transaction, collection.Container, step), cancellationToken));

    /// <summary>
    /// Applies one operation inside a write transaction, with Cosmos DB's item semantics. An operation
    /// that fails writes nothing: every check comes before the write.
    /// </summary>
    private StoreResult Apply(SqliteSession session, SqliteTransaction transaction, string container, BatchStep step)
    {
        var key = step.Key;
        switch (step.Kind)
        {
            case BatchStepKind.Read:
                if (session.Read(transaction, container, key) is not { } row)
                {
                    return StoreResult.NotFound;
                }

                return StoreResult.Success(new StoredDocument(
                    row.Body, row.ETag, DateTimeOffset.FromUnixTimeMilliseconds(row.CommittedAt), SessionToken.ForEmbedded(row.CollectionLsn), RequestCharge.ForRead(row.Body.Length)));
            case BatchStepKind.Create:
                return session.ReadETag(transaction, container, key) is not null
                    ? StoreResult.AlreadyExists
                    : StoreResult.Success(Write(session, transaction, container, key, step.Body));
            case BatchStepKind.Upsert:
                // An upsert with if_match is a conditional replace: an absent document does not match.
                return step.IfMatch is not null && session.ReadETag(transaction, container, key) != step.IfMatch
                    ? StoreResult.PreconditionFailed
                    : StoreResult.Success(Write(session, transaction, container, key, step.Body));
            case BatchStepKind.Replace:
                return session.ReadETag(transaction, container, key) switch
                {
                    null => StoreResult.NotFound,
                    var etag when step.IfMatch is not null && etag != step.IfMatch => StoreResult.PreconditionFailed,
                    _ => StoreResult.Success(Write(session, transaction, container, key, step.Body)),
                };
            case BatchStepKind.Delete:
                return session.ReadETag(transaction, container, key) switch
                {
                    null => StoreResult.NotFound,
                    var etag when step.IfMatch is not null && etag != step.IfMatch => StoreResult.PreconditionFailed,
                    _ => Delete(session, transaction, container, key),
                };
            case BatchStepKind.Patch:
                return ApplyPatch(session, transaction, container, key, step);
            default:
                throw new ArgumentOutOfRangeException(nameof(step), step.Kind, "Unknown batch operation.");
        }
    }

    /// <summary>A patch, after its etag and then its condition (the order Cosmos DB checks them in).</summary>
    private StoreResult ApplyPatch(SqliteSession session, SqliteTransaction transaction, string container, DocumentKey key, BatchStep step)
    {
        if (session.ReadForWrite(transaction, container, key) is not { } current)
        {
            return StoreResult.NotFound;
        }

        if (step.IfMatch is not null && current.ETag != step.IfMatch)
        {
            return StoreResult.PreconditionFailed;
        }

        if (step.Condition is not null && !FilterEvaluator.Matches(step.Condition, JsonOrder.Parse(current.Body)))
        {
            return StoreResult.Failure(StoreStatus.ConditionNotMet);
        }

        var document = (JsonObject)JsonNode.Parse(current.Body, documentOptions: DocumentJson.DocumentOptions)!;
        if (JsonPatcher.Apply(document, step.Patch!) is { } error)
        {
            return StoreResult.Failure(StoreStatus.PatchNotApplicable, error);
        }

        if (Serialize(document) is not { } body)
        {
            return StoreResult.Failure(StoreStatus.TooLarge, $"the patched document would nest objects and arrays deeper than {DocumentLimits.MaxDepth} levels");
        }

        if (body.Length > DocumentLimits.MaxDocumentBytes)
        {
            return StoreResult.Failure(StoreStatus.TooLarge, $"the patched document would be {body.Length} bytes as UTF-8 JSON; the limit is {DocumentLimits.MaxDocumentBytes} bytes (2 MB)");
        }

        return StoreResult.Success(Write(session, transaction, container, key, body));
    }

    /// <summary>
    /// Deletes the current version. It is a write: it takes the collection's next LSN, and under the
    /// replica-lag model keeps the deleted version and a tombstone for lagging readers.
    /// </summary>
    private StoreResult Delete(SqliteSession session, SqliteTransaction transaction, string container, DocumentKey key)
    {
        var lsn = session.NextLsn(transaction, container);
        var committedAt = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (_lagMilliseconds > 0)
        {
            var cutoff = committedAt - _lagMilliseconds;
            session.KeepForLaggingReaders(transaction, container, key, lsn, committedAt, cutoff);
            session.KeepTombstone(transaction, container, key, lsn, committedAt, cutoff);
        }

        session.Delete(transaction, container, key);
        return StoreResult.Deleted(SessionToken.ForEmbedded(lsn), RequestCharge.ForWrite(0));
    }

    /// <summary>
    /// The readiness check: the file is the one opened (its inode and <c>store_identity</c>), it can
    /// be read, and, after a write failed for lack of space, permission or an I/O error, a probe
    /// write commits again. So readiness turns NOT_SERVING while writes cannot succeed, and back to
    /// SERVING once they can, without waiting for a caller's write (none arrives while not ready).
    /// </summary>
    public Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        if (CheckFile(thorough: true) is not null)
        {
            return Task.FromResult(false);
        }

        if (_writeFault is null)
        {
            return Task.FromResult(TryWithSession(static session => session.Ping(), out _));
        }

        var writable = TryWithSession(static session => session.ProbeWrite(), out _);
        if (writable)
        {
            Log.WritableAgain(_logger, FilePath);
            _writeFault = null;
        }

        return Task.FromResult(writable);
    }

    /// <summary>
    /// Whether the file at <see cref="FilePath"/> is still the one this store opened: the same inode
    /// and, when <paramref name="thorough"/>, the same <c>store_identity</c>. Once it is not, the store
    /// refuses every call (the sessions still open write to an unlinked file whose writes would be
    /// lost at the next start) and says so in the log once.
    /// </summary>
    /// <returns><see langword="null"/> while the file is the one opened, else what happened to it.</returns>
    private string? CheckFile(bool thorough)
    {
        if (_fileLost is { } lost)
        {
            return lost;
        }

        string? found = null;
        if (!File.Exists(FilePath))
        {
            found = "was removed";
        }
        else if (_inode is { } inode && FileIdentity.Inode(FilePath) is { } now && now != inode)
        {
            found = "was replaced by another file";
        }
        else if (thorough)
        {
            try
            {
                if (SqliteSession.ReadIdentity(_connectionString) is var identity && identity != _storeId)
                {
                    found = "was replaced by the file of another store";
                }
            }
            catch (SqliteException e) when (e.SqliteErrorCode is 14 or 26)
            {
                // SQLITE_CANTOPEN (removed since the check above), SQLITE_NOTADB (overwritten).
                found = "was removed or overwritten";
            }
            catch (SqliteException)
            {
                // Busy or locked by a writer: the identity is checked again at the next tick.
            }
        }

        if (found is not null && Interlocked.CompareExchange(ref _fileLost, found, null) is null)
        {
            Log.FileLost(_logger, FilePath, found);
        }

        return _fileLost;
    }

    public void Dispose()
    {
        _fileCheck.Dispose();
        _groupCommit.Dispose();
        while (_pool.TryDequeue(out var session))
        {
            session.Dispose();
        }
    }

    private StoredDocument Write(SqliteSession session, SqliteTransaction transaction, string container, DocumentKey key, ReadOnlyMemory<byte> body)
    {
        var lsn = session.NextLsn(transaction, container);
        var now = _time.GetUtcNow();
        var committedAt = now.ToUnixTimeMilliseconds();
        var etag = $"\"{Guid.CreateVersion7(now)}\"";
        if (_lagMilliseconds > 0)
        {
            session.KeepForLaggingReaders(transaction, container, key, lsn, committedAt, committedAt - _lagMilliseconds);
        }

        session.Write(transaction, container, key, body, etag, lsn, committedAt);
        return new StoredDocument(body, etag, DateTimeOffset.FromUnixTimeMilliseconds(committedAt), SessionToken.ForEmbedded(lsn), RequestCharge.ForWrite(body.Length));
    }

    private static byte[]? Serialize(JsonObject document)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        try
        {
            using var writer = new Utf8JsonWriter(buffer, DocumentJson.WriterOptions);
            document.WriteTo(writer);
        }
        catch (InvalidOperationException)
        {
            // Utf8JsonWriter refuses to go deeper than DocumentLimits.MaxDepth.
            return null;
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <inheritdoc cref="WithSession{TState, TResult}"/>
    private StoreResult WithSession(Func<SqliteSession, StoreResult> action) =>
        WithSession(action, static (session, action) => action(session), static unavailable => unavailable);

    /// <inheritdoc cref="WithSession{TState, TResult}"/>
    private StoreResult WithSession<TState>(TState state, Func<SqliteSession, TState, StoreResult> action) =>
        WithSession(state, action, static unavailable => unavailable);

    /// <summary>Runs <paramref name="action"/> on a pooled session: <see langword="true"/> when it ran, else <see langword="false"/> with the <paramref name="unavailable"/> result.</summary>
    private bool TryWithSession(Action<SqliteSession> action, [NotNullWhen(false)] out StoreResult? unavailable)
    {
        unavailable = WithSession(
            action,
            static (session, action) =>
            {
                action(session);
                return (StoreResult?)null;
            },
            static failure => failure);
        return unavailable is null;
    }

    /// <summary>
    /// Runs <paramref name="action"/> on a pooled session. SQLite faults that mean the file cannot be
    /// used right now become a <see cref="StoreStatus.Unavailable"/> result, passed to
    /// <paramref name="unavailable"/>; a session that failed is discarded.
    /// </summary>
    private TResult WithSession<TState, TResult>(TState state, Func<SqliteSession, TState, TResult> action, Func<StoreResult, TResult> unavailable)
    {
        if (CheckFile(thorough: false) is { } lost)
        {
            return unavailable(StoreResult.Failure(StoreStatus.Unavailable, $"the embedded store's file {lost} while the server ran; writes are refused until it is restored and the server restarted"));
        }

        SqliteSession session;
        try
        {
            session = _pool.TryDequeue(out var pooled) ? pooled : SqliteSession.Open(_connectionString, _busyTimeout);
            if (pooled is not null)
            {
                Interlocked.Decrement(ref _pooled);
            }
        }
        catch (SqliteException e) when (IsUnavailable(e))
        {
            Log.Unavailable(_logger, FilePath, e.SqliteErrorCode, e);
            return unavailable(StoreResult.Failure(StoreStatus.Unavailable, "the embedded store's file cannot be opened"));
        }

        try
        {
            var result = action(session, state);
            if (Interlocked.Increment(ref _pooled) <= MaxPooledSessions)
            {
                _pool.Enqueue(session);
            }
            else
            {
                Interlocked.Decrement(ref _pooled);
                session.Dispose();
            }

            return result;
        }
        catch (SqliteException e) when (IsUnavailable(e))
        {
            session.Dispose();
            Log.Unavailable(_logger, FilePath, e.SqliteErrorCode, e);
            if (e.SqliteErrorCode is SqliteFull or SqliteReadOnly or SqliteIoError)
            {
                _writeFault = Describe(e);
            }

            return unavailable(StoreResult.Failure(StoreStatus.Unavailable, Describe(e)));
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteReadOnly = 8;
    private const int SqliteIoError = 10;
    private const int SqliteFull = 13;
    private const int SqliteCantOpen = 14;

    private static bool IsUnavailable(SqliteException e) =>
        e.SqliteErrorCode is SqliteBusy or SqliteLocked or SqliteReadOnly or SqliteIoError or SqliteFull or SqliteCantOpen;

    /// <summary>What the caller is told for a SQLite fault that makes the file unusable: the cause, not a guess.</summary>
    private static string Describe(SqliteException e) => e.SqliteErrorCode switch
    {
        SqliteFull => "the disk holding the embedded store's file is full",
        SqliteReadOnly => "the embedded store's file is read-only",
        SqliteIoError => "the disk holding the embedded store's file reported an I/O error",
        SqliteCantOpen => "the embedded store's file cannot be opened",
        _ => "the embedded store's file is locked by another writer past the busy timeout",
    };
}
