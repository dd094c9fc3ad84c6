namespace DocStore.Server.Storage;

/// <summary>
/// What every store write returns, whatever else it carries: how it ended and, on success, the session
/// token the decorator advances for the written partition.
/// </summary>
internal interface IStoreOutcome
{
    StoreStatus Status { get; }

    /// <summary>The session token of the state the call reflects, when the store returned one.</summary>
    string? SessionToken { get; }
}
