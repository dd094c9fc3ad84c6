using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace DocStore.Server.Storage.Embedded;

/// <summary>
/// Group commit for the embedded store's writes. Every write of this process joins one queue; a
/// single loop takes all that have gathered (up to <see cref="MaxBatch"/>), runs them in order in
/// one transaction and commits once. A commit is synced to disk (<c>synchronous=FULL</c>), so N
/// writes that arrive together cost one sync instead of N, and none is acknowledged before it is on disk.
/// </summary>
/// <remarks>
/// Each write sees the ones before it in the batch, as if they had committed one by one. A write
/// that ends without writing (precondition failed, patch not applicable) leaves the others alone; a
/// SQLite fault fails the whole batch, as none of it committed.
/// </remarks>
internal sealed class GroupCommit : IDisposable
{
    /// <summary>Writes per transaction at most, to bound the time the file's write lock is held.</summary>
    public const int MaxBatch = 128;

    private readonly Channel<PendingWrite> _queue = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TryRunInSession _tryRun;
    private readonly Task _loop;

    /// <summary>Runs <paramref name="action"/> on a pooled session.</summary>
    /// <returns><see langword="true"/> when it ran; <see langword="false"/> with the store's <paramref name="unavailable"/> result when the file could not be used.</returns>
    public delegate bool TryRunInSession(Action<SqliteSession> action, [NotNullWhen(false)] out StoreResult? unavailable);

    /// <param name="tryRun">Runs an action on a pooled session; a SQLite fault that makes the file unusable becomes a <see cref="StoreStatus.Unavailable"/> result.</param>
    public GroupCommit(TryRunInSession tryRun)
    {
        _tryRun = tryRun;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>
    /// Queues <paramref name="write"/>, which runs inside the batch's transaction and must not
    /// commit it, and completes once the batch has committed (or failed).
    /// </summary>
    public Task<StoreResult> WriteAsync(Func<SqliteSession, SqliteTransaction, StoreResult> write, CancellationToken cancellationToken) =>
        WriteAsync(write, static unavailable => unavailable, cancellationToken);

    /// <summary>
    /// Queues <paramref name="write"/>, which runs inside the batch's transaction and must not commit
    /// it; a write that can fail after writing must undo its own changes (a savepoint) before it
    /// returns. Completes once the batch has committed, or with <paramref name="unavailable"/>'s
    /// result when it could not.
    /// </summary>
    public Task<T> WriteAsync<T>(Func<SqliteSession, SqliteTransaction, T> write, Func<StoreResult, T> unavailable, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var pending = new PendingWrite<T>(write, unavailable, cancellationToken);
        return _queue.Writer.TryWrite(pending) ? pending.Completion.Task : throw new ObjectDisposedException(nameof(GroupCommit));
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _loop.Wait(TimeSpan.FromSeconds(10));
    }

    private async Task RunAsync()
    {
        var batch = new List<PendingWrite>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var next))
            {
                if (next.CancellationToken.IsCancellationRequested)
                {
                    next.Cancel();
                }
                else
                {
                    batch.Add(next);
                }
            }

            if (batch.Count > 0)
            {
                Commit(batch);
                batch.Clear();
            }
        }
    }

    private void Commit(List<PendingWrite> batch)
    {
        bool committed;
        StoreResult? unavailable;
        try
        {
            committed = _tryRun(
                session =>
                {
                    using var transaction = session.Connection.BeginTransaction(deferred: false);
                    foreach (var pending in batch)
                    {
                        try
                        {
                            pending.Run(session, transaction);
                        }
                        catch (Exception e) when (e is not SqliteException)
                        {
                            // A fault in this write's own logic (it writes last, so it wrote nothing): it alone fails.
                            pending.Fault = e;
                        }
                    }

                    transaction.Commit();
                },
                out unavailable);
        }
#pragma warning disable CA1031 // Whatever went wrong, every caller waiting on the batch must hear of it.
        catch (Exception e)
#pragma warning restore CA1031
        {
            foreach (var pending in batch)
            {
                pending.Complete(null, e);
            }

            return;
        }

        foreach (var pending in batch)
        {
            // unavailable is set whenever the batch did not commit; then no write's own fault matters.
            pending.Complete(committed ? null : unavailable!, committed ? pending.Fault : null);
        }
    }

    /// <summary>A queued write, whatever its result type.</summary>
    private abstract class PendingWrite(CancellationToken cancellationToken)
    {
        public CancellationToken CancellationToken { get; } = cancellationToken;

        public Exception? Fault { get; set; }

        /// <summary>Runs the write inside the batch's transaction, keeping its result.</summary>
        public abstract void Run(SqliteSession session, SqliteTransaction transaction);

        /// <summary>Completes the caller's task: with the write's result, the store's <paramref name="unavailable"/> result, or <paramref name="fault"/>.</summary>
        public abstract void Complete(StoreResult? unavailable, Exception? fault);

        public abstract void Cancel();
    }

    private sealed class PendingWrite<T>(Func<SqliteSession, SqliteTransaction, T> write, Func<StoreResult, T> unavailable, CancellationToken cancellationToken)
        : PendingWrite(cancellationToken)
    {
        private T? _result;

        public TaskCompletionSource<T> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Run(SqliteSession session, SqliteTransaction transaction) => _result = write(session, transaction);

        public override void Complete(StoreResult? unavailableResult, Exception? fault)
        {
            if (fault is not null)
            {
                Completion.TrySetException(fault);
            }
            else if (unavailableResult is not null)
            {
                Completion.TrySetResult(unavailable(unavailableResult));
            }
            else
            {
                Completion.TrySetResult(_result!);
            }
        }

        public override void Cancel() => Completion.TrySetCanceled(CancellationToken);
    }
}
