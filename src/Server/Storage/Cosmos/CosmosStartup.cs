using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Options;

namespace DocStore.Server.Storage.Cosmos;

/// <summary>
/// Checks the database and containers while the host starts, before any call is accepted, when
/// <c>DocStore:Store</c> is <c>Cosmos</c>. A problem stops start-up with a message naming the key.
/// </summary>
internal sealed class CosmosStartup(IOptions<DocStoreOptions> options, IServiceProvider services) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Store != StoreKind.Cosmos)
        {
            return;
        }

        var containers = services.GetRequiredService<CosmosContainers>();
        try
        {
            await containers.InitializeAsync(cancellationToken);
        }
        catch (Exception e) when (e is CosmosException or HttpRequestException or TimeoutException)
        {
            throw new InvalidOperationException(
                $"DocStore:Cosmos:Endpoint: cannot reach Cosmos DB at {options.Value.Cosmos.Endpoint} to check database '{options.Value.Cosmos.Database}': {e.Message}", e);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
