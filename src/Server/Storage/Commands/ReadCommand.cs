namespace DocStore.Server.Storage.Commands;

/// <summary>
/// A command that reads documents at a session: the session-consistency decorator hands the store
/// <see cref="SessionToken"/> merged with the shared tokens of every partition in <see cref="Partitions"/>.
/// </summary>
/// <typeparam name="TResult">What the read returns.</typeparam>
/// <param name="Collection">The collection read.</param>
/// <param name="SessionToken">When set, the read reflects at least the state this token names.</param>
internal abstract record ReadCommand<TResult>(CollectionDefinition Collection, string? SessionToken) : StoreCommand<TResult>(Collection)
    where TResult : IStoreOutcome
{
    /// <summary>
    /// The partitions the read touches, each once; empty for a read across every partition, which reads at the
    /// caller's token (and the store's own session) alone.
    /// </summary>
    public abstract IReadOnlyList<string> Partitions { get; }
}
