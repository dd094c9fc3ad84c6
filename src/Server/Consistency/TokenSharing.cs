namespace DocStore.Server;

/// <summary>Where session tokens are shared.</summary>
public enum TokenSharing
{
    /// <summary>Through Redis, across every pod: reads see writes made through any pod.</summary>
    Redis,

    /// <summary>In this process only: right for a single instance.</summary>
    Local,

    /// <summary>Not at all: the store's own session handling decides, as the Cosmos SDK does alone (stale reads across pods).</summary>
    Off,
}
