extern alias server;

using System.Collections.Concurrent;
using server::DocStore.Server.Storage;
using server::DocStore.Server.Storage.Commands;

namespace DocStore.Tests.Shared;

/// <summary>
/// The one stand-in for a store, shared by the server's and the client's tests: it answers every command with one
/// scripted result, shaped as the command's outcome, and records the commands it receives. For the outcomes the
/// embedded store cannot be made to produce on demand (throttling, an unreachable store, a slow store), and for
/// what reaches a store from below a decorator. It implements only the port, so a new command needs no edit here.
/// </summary>
/// <param name="answer">What every command ends with: a document (success), or a failing status.</param>
internal sealed class ScriptedStore(StoreResult answer) : IDocumentStore, IStoreIdentity, IChangeSignal, IStoreProbe
{
    private readonly ConcurrentQueue<object> _commands = new();

    /// <summary>What the readiness probe answers. Defaults to reachable.</summary>
    public bool Reachable { get; init; } = true;

    /// <summary>
    /// A delay before each read answers, that ignores cancellation as a store stuck on the network does, so that the
    /// caller's deadline or cancellation decides; writes answer at once (to warm the server up). Defaults to none.
    /// </summary>
    public TimeSpan? ReadDelay { get; init; }

    /// <summary>How many commands reached the store.</summary>
    public int Calls => _commands.Count;

    /// <summary>The commands that reached the store, in order.</summary>
    public IReadOnlyList<object> Commands => [.. _commands];

    public async Task<TResult> ExecuteAsync<TResult>(StoreCommand<TResult> command, CancellationToken cancellationToken)
        where TResult : IStoreOutcome
    {
        _commands.Enqueue(command);
        if (ReadDelay is { } delay && command is ReadCommand<TResult>)
        {
            await Task.Delay(delay, CancellationToken.None);
        }

        object outcome = command switch
        {
            ReadDocuments read => answer.Document is { } document
                ? ReadManyStoreResult.Success([.. read.Keys.Select(_ => (StoredDocument?)document)], document.SessionToken, 1)
                : ReadManyStoreResult.Failed(answer),
            ExecuteBatch batch => answer.Status == StoreStatus.Ok
                ? BatchStoreResult.Success([.. batch.Operations.Select(_ => answer)], answer.SessionToken ?? "", 1)
                : BatchStoreResult.Failed(answer),
            QueryDocuments => Page(continuation: null),
            ReadChangeFeed => Page(continuation: "scripted"),
            _ => answer,
        };
        return (TResult)outcome;
    }

    public string TokenScope(CollectionDefinition collection) => "scripted/" + collection.Container;

    public Task WaitForChangesAsync(CollectionDefinition collection, TimeSpan timeout, CancellationToken cancellationToken) =>
        Task.Delay(timeout, cancellationToken);

    public Task<bool> IsReachableAsync(CancellationToken cancellationToken) => Task.FromResult(Reachable);

    private StorePage Page(string? continuation) => answer switch
    {
        { Document: { } document } => StorePage.Success([new StoredItem(new DocumentKey("scripted", "scripted"), document)], continuation, document.SessionToken, document.RequestCharge),
        { Status: StoreStatus.Ok } => StorePage.Success([], continuation, answer.SessionToken, answer.RequestCharge),
        _ => StorePage.Failure(answer.Status, answer.Message, answer.RetryAfter),
    };
}
