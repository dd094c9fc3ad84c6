using DocStore.Server.Consistency;
using DocStore.Server.Storage.Cosmos;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Options;

namespace DocStore.Server.Storage;

/// <summary>
/// Opens the store and connects to Redis while the host starts, before any call is accepted:
/// <list type="bullet">
/// <item>with <c>DocStore:Store=Cosmos</c>, checks the database and containers; a problem stops
/// start-up with a message naming the key;</item>
/// <item>opens the store (the embedded store's file), so that a store that cannot be opened stops
/// start-up with its reason instead of failing the first calls;</item>
/// <item>builds the session-token resolver, and with it the Redis connection, which never fails
/// start-up: a first connection made on the request path would block a thread-pool thread for up
/// to the connect timeout while calls queue behind it. Logs the sharing mode in force.</item>
/// </list>
/// </summary>
internal sealed partial class OpenStoresAtStartup(IOptions<DocStoreOptions> options, IServiceProvider services, ILogger<OpenStoresAtStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Store == StoreKind.Cosmos)
        {
            await CheckCosmosAsync(cancellationToken);
        }

        // The store the service receives wraps the configured one and the resolver: resolving it opens both.
        services.GetRequiredService<IDocumentStore>();
        var sharing = services.GetRequiredService<SessionTokenResolver>().Sharing;
        Log.Sharing(logger, sharing);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task CheckCosmosAsync(CancellationToken cancellationToken)
    {
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
}
