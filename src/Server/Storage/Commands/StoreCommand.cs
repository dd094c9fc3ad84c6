namespace DocStore.Server.Storage.Commands;

/// <summary>
/// One operation of the store port (<see cref="IDocumentStore.ExecuteAsync{TResult}"/>), as a value: what to do, to
/// which collection, and the type of its outcome. Every command is a <see cref="ReadCommand{TResult}"/> or a
/// <see cref="WriteCommand{TResult}"/>, and the decorators of the port (session consistency) handle it by that kind,
/// so a new command needs no edit to them.
/// </summary>
/// <typeparam name="TResult">What the store answers: a document, a page, many documents or a batch's results.</typeparam>
/// <param name="Collection">The collection the command acts on.</param>
internal abstract record StoreCommand<TResult>(CollectionDefinition Collection)
    where TResult : IStoreOutcome
{
    /// <summary>Runs the command on a store that implements every command (<see cref="IStoreCommandHandler"/>).</summary>
    public abstract Task<TResult> RunOn(IStoreCommandHandler store, CancellationToken cancellationToken);
}
