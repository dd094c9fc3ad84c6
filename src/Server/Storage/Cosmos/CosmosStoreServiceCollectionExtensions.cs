using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DocStore.Server.Storage.Cosmos;

/// <summary>Registers the Cosmos DB store.</summary>
internal static class CosmosStoreServiceCollectionExtensions
{
    /// <summary>
    /// Adds the Cosmos DB store's services: one <see cref="CosmosClient"/> per process (built on first
    /// use from <c>DocStore:Cosmos</c>; tests may post-configure its <see cref="CosmosClientOptions"/>),
    /// the containers and the store (checked at start-up by <see cref="OpenStoresAtStartup"/>). Nothing connects unless the store is used.
    /// </summary>
    public static IServiceCollection AddCosmosStore(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DocStoreOptions>, CosmosStoreOptionsValidator>());
        services.AddOptions<CosmosClientOptions>()
            .Configure<IOptions<DocStoreOptions>>((client, docStore) => CosmosClientFactory.Configure(client, docStore.Value.Cosmos));
        services.TryAddSingleton(provider => CosmosClientFactory.Create(
            provider.GetRequiredService<IOptions<DocStoreOptions>>().Value.Cosmos,
            provider.GetRequiredService<IOptions<CosmosClientOptions>>().Value));
        services.TryAddSingleton<CosmosContainers>();
        services.TryAddSingleton<CosmosDocumentStore>();
        return services;
    }
}
