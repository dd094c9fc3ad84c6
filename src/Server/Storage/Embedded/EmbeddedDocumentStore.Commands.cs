using DocStore.Server.Storage.Commands;

namespace DocStore.Server.Storage.Embedded;

/// <summary>The store port: each command runs its <c>Handle</c> method, in the file of its concern (reads, writes, queries).</summary>
internal sealed partial class EmbeddedDocumentStore : IDocumentStore, IStoreCommandHandler, IStoreIdentity, IChangeSignal, IStoreProbe
{
    /// <inheritdoc/>
    public Task<TResult> ExecuteAsync<TResult>(StoreCommand<TResult> command, CancellationToken cancellationToken)
        where TResult : IStoreOutcome => command.RunOn(this, cancellationToken);
}
