namespace DocStore.Client;

/// <summary>
/// Settings of one call, passed as the optional <c>options</c> argument of a <see cref="DocStoreClient"/> method. The
/// call's cancellation stays its <see cref="CancellationToken"/> argument. One instance may be reused for many calls.
/// </summary>
/// <example><code>
/// await docStore.GetAsync&lt;Cart&gt;("carts", "cart-1", "alice", new DocStoreCallOptions { Timeout = TimeSpan.FromSeconds(2) });
/// </code></example>
public sealed class DocStoreCallOptions
{
    /// <summary>
    /// The call's deadline, counted from when the call starts (each retry attempt shares it). Null uses
    /// <see cref="DocStoreClientOptions.DefaultDeadline"/>; <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> sets none.
    /// A call past its deadline throws <see cref="DocStoreDeadlineExceededException"/>. Defaults to null.
    /// </summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>
    /// A session token to read at least as fresh as: one carried from another process (a cookie, a message), merged
    /// with the token the client knows for the partition. Reads only (Get, ReadMany, Query, QueryPage); a write or a
    /// change-feed read refuses it with <see cref="ArgumentException"/>, as the server takes no token there.
    /// Defaults to null.
    /// </summary>
    public string? SessionToken { get; init; }
}
