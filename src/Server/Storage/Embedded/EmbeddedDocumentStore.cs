using System.Collections.Concurrent;
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
internal sealed partial class EmbeddedDocumentStore : IDisposable
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
    private int _disposed;

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

    /// <summary>
    /// Stops the file watchdog and the group commit, and closes the sessions. The container disposes the store once
    /// for each port it is registered as (IStoreIdentity, IChangeSignal, IStoreProbe): only the first call does
    /// anything, so a group commit stuck on a locked file is waited for once, not once per port.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _fileCheck.Dispose();
        _groupCommit.Dispose();
        while (_pool.TryDequeue(out var session))
        {
            session.Dispose();
        }
    }
}
