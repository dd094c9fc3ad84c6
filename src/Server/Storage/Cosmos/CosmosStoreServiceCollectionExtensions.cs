using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DocStore.Server.Storage.Cosmos;

/// <summary>Registers the Cosmos DB store.</summary>
internal static class CosmosStoreServiceCollectionExtensions
{
    /// <summary>
    /// Adds the Cosmos DB store's services: one <see cref="CosmosClient"/> per process (built on first
    /// use from <paramref name="cosmos"/>, <c>DocStore:Cosmos</c>; tests may post-configure its <see cref="CosmosClientOptions"/>),
    /// the containers, the store and the start-up check. Nothing connects unless the store is used.
    /// </summary>
    public static IServiceCollection AddCosmosStore(this IServiceCollection services, CosmosStoreOptions cosmos)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DocStoreOptions>, CosmosStoreOptionsValidator>());
        services.AddOptions<CosmosClientOptions>().Configure(client => CosmosClientFactory.Configure(client, cosmos));
        services.TryAddSingleton(provider => CosmosClientFactory.Create(cosmos, provider.GetRequiredService<IOptions<CosmosClientOptions>>().Value));
        services.TryAddSingleton<CosmosContainers>();
        services.TryAddSingleton<CosmosDocumentStore>();
        services.AddHostedService<CosmosStartup>();
        return services;
    }
}
