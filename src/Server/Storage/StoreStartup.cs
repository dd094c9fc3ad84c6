namespace DocStore.Server.Storage;

/// <summary>
/// Opens the store while the host starts, before any call is accepted, so that a store that cannot
/// be opened stops start-up with its reason instead of failing the first calls.
/// </summary>
internal sealed class StoreStartup(IDocumentStore store) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        GC.KeepAlive(store);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
