using Azure.Identity;
using Microsoft.Azure.Cosmos;

namespace DocStore.Server.Storage.Cosmos;

/// <summary>Builds the process's one <see cref="CosmosClient"/> from <c>DocStore:Cosmos</c>.</summary>
internal static class CosmosClientFactory
{
    /// <summary>Applies <c>DocStore:Cosmos</c> to the SDK's options.</summary>
    public static void Configure(CosmosClientOptions client, CosmosStoreOptions options)
    {
        client.ApplicationName = "DocStore";
        client.ConnectionMode = options.ConnectionMode == CosmosConnectionMode.Gateway ? ConnectionMode.Gateway : ConnectionMode.Direct;

        // Item bodies travel as streams; this serializer only writes patch operation values, so they keep
        // System.Text.Json's form (and DocStore's number rules) instead of Newtonsoft.Json's.
        client.Serializer = new SystemTextJsonCosmosSerializer();

        if (options.PreferredRegions.Count > 0)
        {
            client.ApplicationPreferredRegions = [.. options.PreferredRegions];
        }

        if (options.AcceptAnyServerCertificate)
        {
            // Validation refuses this unless the endpoint is a loopback address (a local emulator).
            client.ServerCertificateCustomValidationCallback = static (_, _, _) => true;

            // An emulator advertises only itself; never wander to other endpoints.
            client.LimitToEndpoint = true;
        }
    }

    /// <summary>Creates the client: with the account key, or through Microsoft Entra ID when the key is empty.</summary>
    public static CosmosClient Create(CosmosStoreOptions options, CosmosClientOptions clientOptions)
    {
        var endpoint = options.Endpoint?.AbsoluteUri ?? throw new InvalidOperationException("DocStore:Cosmos:Endpoint is required.");
        return string.IsNullOrEmpty(options.Key)
            ? new CosmosClient(endpoint, new DefaultAzureCredential(), clientOptions)
            : new CosmosClient(endpoint, options.Key, clientOptions);
    }
}
