using Microsoft.Data.Sqlite;

namespace DocStore.Server.Storage.Embedded;

// The store file watchdog and the readiness probe.
internal sealed partial class EmbeddedDocumentStore
{
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
}
