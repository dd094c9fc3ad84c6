using Microsoft.Extensions.Options;

namespace DocStore.Server.Api;

/// <summary>
/// The WatchChanges streams of this process: their settings, the cap on how many are open
/// (<c>DocStore:ChangeFeed:MaxStreams</c>), and the signal that ends them at shutdown, so that open
/// streams never hold a graceful shutdown for its whole grace period.
/// </summary>
internal sealed class ChangeFeedStreams(IOptions<DocStoreOptions> options, IHostApplicationLifetime lifetime)
{
    private readonly ChangeFeedOptions _options = options.Value.ChangeFeed;
    private int _open;

    /// <summary>The longest a stream goes without a message.</summary>
    public TimeSpan HeartbeatInterval => _options.HeartbeatInterval;

    /// <summary>How often a stream looks for changes no signal announced.</summary>
    public TimeSpan PollInterval => _options.PollInterval;

    /// <summary>Cancelled when the host begins to stop.</summary>
    public CancellationToken Stopping => lifetime.ApplicationStopping;

    /// <summary>The most streams open at once.</summary>
    public int MaxStreams => _options.MaxStreams;

    /// <summary>The streams open now.</summary>
    public int Open => Volatile.Read(ref _open);

    /// <summary>Counts a new stream in, or returns false when the cap is reached.</summary>
    public bool TryEnter()
    {
        if (Interlocked.Increment(ref _open) <= _options.MaxStreams)
        {
            return true;
        }

        Interlocked.Decrement(ref _open);
        return false;
    }

    /// <summary>Counts a stream out.</summary>
    public void Exit() => Interlocked.Decrement(ref _open);
}
