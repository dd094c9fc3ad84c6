namespace DocStore.Server.Storage;

/// <summary>When to read a change feed again: the store's signal that a write may have committed.</summary>
internal interface IChangeSignal
{
    /// <summary>
    /// Completes when a write to <paramref name="collection"/> may have committed: at once when this process wrote,
    /// or after <paramref name="timeout"/> (writes this process cannot see happening).
    /// </summary>
    Task WaitForChangesAsync(CollectionDefinition collection, TimeSpan timeout, CancellationToken cancellationToken);
}
