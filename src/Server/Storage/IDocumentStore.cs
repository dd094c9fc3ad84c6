using DocStore.Server.Storage.Commands;

namespace DocStore.Server.Storage;

/// <summary>
/// The port every store implements: it runs commands (<see cref="StoreCommand{TResult}"/>), one type per operation,
/// each a read or a write. Requests arrive validated against Cosmos DB's rules; a store reports expected outcomes
/// through the result's status and throws only for faults.
/// </summary>
/// <remarks>
/// Callers receive this port wrapped in <see cref="Consistency.SessionConsistentStore"/>, which applies the shared
/// session tokens by the command's kind: a <see cref="ReadCommand{TResult}"/> is handed the caller's token merged
/// with the shared ones of the partitions it reads, a <see cref="WriteCommand{TResult}"/>'s token is advanced for its
/// partition once it succeeded. A real store runs each command through <see cref="IStoreCommandHandler"/>.
/// What a store is besides its data (its token identity, its change signal, its readiness) has ports of its own:
/// <see cref="IStoreIdentity"/>, <see cref="IChangeSignal"/>, <see cref="IStoreProbe"/>.
/// </remarks>
internal interface IDocumentStore
{
    /// <summary>Runs <paramref name="command"/>.</summary>
    /// <typeparam name="TResult">The command's outcome.</typeparam>
    /// <param name="command">What to do.</param>
    /// <param name="cancellationToken">Ends the call early.</param>
    Task<TResult> ExecuteAsync<TResult>(StoreCommand<TResult> command, CancellationToken cancellationToken)
        where TResult : IStoreOutcome;
}
