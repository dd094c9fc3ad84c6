using System.Diagnostics.CodeAnalysis;
using Microsoft.Data.Sqlite;

namespace DocStore.Server.Storage.Embedded;

// The session pool, and the SQLite faults that make the file unavailable rather than the call failed.
internal sealed partial class EmbeddedDocumentStore
{
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
