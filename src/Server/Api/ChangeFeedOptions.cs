using Microsoft.Extensions.Options;

namespace DocStore.Server;

/// <summary>The change feed's settings (<c>DocStore:ChangeFeed</c>).</summary>
public sealed class ChangeFeedOptions
{
    /// <summary>
    /// The longest a WatchChanges stream goes without a message: it then sends an empty one with the
    /// current continuation (<c>DocStore:ChangeFeed:HeartbeatInterval</c>). Defaults to 10 seconds.
    /// </summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often a stream looks for changes that no signal announced: another process's writes to the
    /// embedded store, and every change on Cosmos DB (<c>DocStore:ChangeFeed:PollInterval</c>).
    /// Defaults to 250 milliseconds.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// The most WatchChanges streams one process serves at once; more are RESOURCE_EXHAUSTED
    /// (<c>DocStore:ChangeFeed:MaxStreams</c>). Defaults to 1000.
    /// </summary>
    public int MaxStreams { get; set; } = 1000;
}

/// <summary>Checks <c>DocStore:ChangeFeed</c> at start-up, naming the key of every problem.</summary>
internal sealed class ChangeFeedOptionsValidator : IValidateOptions<DocStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, DocStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var feed = options.ChangeFeed;
        var problems = new List<string>();
        if (feed.HeartbeatInterval < TimeSpan.FromMilliseconds(100) || feed.HeartbeatInterval > TimeSpan.FromMinutes(10))
        {
            problems.Add($"DocStore:ChangeFeed:HeartbeatInterval must be between 100 milliseconds and 10 minutes, not {feed.HeartbeatInterval}.");
        }

        if (feed.PollInterval < TimeSpan.FromMilliseconds(10) || feed.PollInterval > TimeSpan.FromSeconds(1))
        {
            problems.Add($"DocStore:ChangeFeed:PollInterval must be between 10 milliseconds and 1 second (a change reaches a stream within about one interval), not {feed.PollInterval}.");
        }

        if (feed.MaxStreams < 1)
        {
            problems.Add($"DocStore:ChangeFeed:MaxStreams must be at least 1, not {feed.MaxStreams}.");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
