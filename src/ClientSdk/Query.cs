namespace DocStore.Client;

/// <summary>One ORDER BY path of a query.</summary>
/// <param name="Path">A JSON Pointer such as <c>/total</c>.</param>
/// <param name="Descending">Largest first. Documents without the path come first ascending, last descending.</param>
public sealed record SortBy(string Path, bool Descending = false);

/// <summary>One page of a query.</summary>
/// <typeparam name="T">The documents' type.</typeparam>
/// <param name="Documents">The page's documents; a page may be short, or empty, while more follow.</param>
/// <param name="NextPageToken">Pass it to read the next page; null on the last page.</param>
/// <param name="SessionToken">The session token of the state the page saw.</param>
/// <param name="RequestCharge">The request units the page cost.</param>
public sealed record QueryPage<T>(IReadOnlyList<DocumentResponse<T>> Documents, string? NextPageToken, string SessionToken, double RequestCharge);

/// <summary>Where a change-feed read begins.</summary>
public sealed class ChangeFeedPosition
{
    private ChangeFeedPosition(string? continuation, DateTimeOffset? time, bool now)
    {
        Continuation = continuation;
        Time = time;
        IsNow = now;
    }

    /// <summary>The start of the collection: every document's latest version.</summary>
    public static ChangeFeedPosition Beginning { get; } = new(null, null, false);

    /// <summary>Only changes committed after the call.</summary>
    public static ChangeFeedPosition Now { get; } = new(null, null, true);

    /// <summary>Changes committed after <paramref name="time"/>.</summary>
    /// <param name="time">The time.</param>
    public static ChangeFeedPosition After(DateTimeOffset time) => new(null, time, false);

    /// <summary>Changes after an earlier page's continuation (saved, for example, between runs).</summary>
    /// <param name="continuation">A <see cref="ChangesPage{T}.Continuation"/>.</param>
    public static ChangeFeedPosition FromContinuation(string continuation)
    {
        ArgumentException.ThrowIfNullOrEmpty(continuation);
        return new(continuation, null, false);
    }

    internal string? Continuation { get; }

    internal DateTimeOffset? Time { get; }

    internal bool IsNow { get; }
}

/// <summary>Changed documents, oldest change first, and where to read on.</summary>
/// <typeparam name="T">The documents' type.</typeparam>
/// <param name="Documents">The latest version of each changed document; empty when nothing changed (a heartbeat).</param>
/// <param name="Continuation">Save it to resume after these changes: <see cref="ChangeFeedPosition.FromContinuation"/>.</param>
/// <param name="SessionToken">The session token of the state the read saw; empty on a <c>WatchChangesAsync</c> page, whose messages carry none.</param>
/// <param name="RequestCharge">The request units the read cost; 0 on a <c>WatchChangesAsync</c> page.</param>
public sealed record ChangesPage<T>(IReadOnlyList<DocumentResponse<T>> Documents, string Continuation, string SessionToken, double RequestCharge);
