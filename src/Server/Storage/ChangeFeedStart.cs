namespace DocStore.Server.Storage;

/// <summary>Where a change-feed read begins.</summary>
internal abstract record ChangeFeedStart
{
    private ChangeFeedStart()
    {
    }

    /// <summary>The start of the collection: every document's latest version.</summary>
    public sealed record Beginning : ChangeFeedStart;

    /// <summary>Only changes committed after the call.</summary>
    public sealed record Now : ChangeFeedStart;

    /// <summary>Changes committed after <paramref name="Time"/>.</summary>
    public sealed record At(DateTimeOffset Time) : ChangeFeedStart;

    /// <summary>Changes after the point an earlier read's continuation names (the store's own part of it).</summary>
    public sealed record After(string Continuation) : ChangeFeedStart;
}
