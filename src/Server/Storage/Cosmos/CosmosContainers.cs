using System.Collections.Frozen;
using System.Net;
using System.Text.Json;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Options;

namespace DocStore.Server.Storage.Cosmos;

/// <summary>
/// The Cosmos DB containers behind the configured collections. <see cref="InitializeAsync"/> runs once
/// at start-up: it checks (or, with <c>CreateIfNotExists</c>, creates) the database and every
/// container, checks each container's partition key path, and records each container's resource id.
/// </summary>
internal sealed partial class CosmosContainers(CosmosClient client, IOptions<DocStoreOptions> options, CollectionRegistry collections, ILogger<CosmosContainers> logger)
{
    private readonly CosmosStoreOptions _options = options.Value.Cosmos;
    private FrozenDictionary<string, Bound>? _bound;

    /// <summary>Calls slower than this log their diagnostics at Warning (<c>DocStore:Cosmos:DiagnosticsThreshold</c>).</summary>
    public TimeSpan DiagnosticsThreshold => _options.DiagnosticsThreshold;

    /// <summary>The database, for reachability checks.</summary>
    public Database Database => client.GetDatabase(_options.Database);

    /// <summary>The container of <paramref name="collection"/>.</summary>
    public Container Get(CollectionDefinition collection) => Find(collection).Container;

    /// <summary>Database, container and the container's resource id: a new id means a new container.</summary>
    public string TokenScope(CollectionDefinition collection) => Find(collection).Scope;

    /// <summary>Checks or creates the database and containers; throws with a message naming the key on any mismatch.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var database = client.GetDatabase(_options.Database);
        if (_options.CreateIfNotExists)
        {
            await client.CreateDatabaseIfNotExistsAsync(_options.Database, cancellationToken: cancellationToken);
        }

        var bound = new Dictionary<string, Bound>(StringComparer.Ordinal);
        foreach (var collection in collections.All)
        {
            var key = $"DocStore:Collections:{collection.Name}";
            var container = database.GetContainer(collection.Container);
            if (_options.CreateIfNotExists)
            {
                await database.CreateContainerIfNotExistsAsync(collection.Container, collection.PartitionKeyPath.Text, cancellationToken: cancellationToken);
            }

            var (resourceId, paths) = await ReadAsync(container, collection, key, cancellationToken);
            if (paths.Count != 1 || !string.Equals(paths[0], collection.PartitionKeyPath.Text, StringComparison.Ordinal))
            {
                throw new InvalidOperationException(
                    $"{key}:PartitionKeyPath is '{collection.PartitionKeyPath.Text}', but container '{collection.Container}' in database '{_options.Database}' is partitioned by '{string.Join(", ", paths)}'. " +
                    "A container's partition key cannot change: fix the configuration, or point the collection at another container.");
            }

            var scope = $"cosmos/{_options.Database}/{collection.Container}/{resourceId}";
            bound[collection.Name] = new Bound(container, scope);
            Log.ContainerReady(logger, collection.Name, _options.Database!, collection.Container, resourceId);
        }

        _bound = bound.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Reads the container's resource id (<c>_rid</c>) and partition key paths.</summary>
    private async Task<(string ResourceId, IReadOnlyList<string> Paths)> ReadAsync(Container container, CollectionDefinition collection, string key, CancellationToken cancellationToken)
    {
        using var response = await container.ReadContainerStreamAsync(cancellationToken: cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new InvalidOperationException(
                $"{key}: container '{collection.Container}' does not exist in database '{_options.Database}' at {_options.Endpoint}. " +
                $"Create it with partition key path '{collection.PartitionKeyPath.Text}', or set DocStore:Cosmos:CreateIfNotExists=true in development.");
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException(
                $"{key}: cannot read container '{collection.Container}' of database '{_options.Database}' at {_options.Endpoint}: HTTP {(int)response.StatusCode} {response.StatusCode}. " +
                "Check DocStore:Cosmos:Endpoint, the credentials (DocStore:Cosmos:Key, or the Entra ID identity's data-plane role) and DocStore:Cosmos:Database.");
        }

        using var properties = await JsonDocument.ParseAsync(response.Content, cancellationToken: cancellationToken);
        var root = properties.RootElement;
        var resourceId = root.TryGetProperty("_rid", out var rid) && rid.ValueKind == JsonValueKind.String ? rid.GetString()! : "";
        var paths = new List<string>();
        if (root.TryGetProperty("partitionKey", out var partitionKey) && partitionKey.TryGetProperty("paths", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            paths.AddRange(list.EnumerateArray().Where(p => p.ValueKind == JsonValueKind.String).Select(p => p.GetString()!));
        }

        return (resourceId, paths);
    }

    private Bound Find(CollectionDefinition collection) =>
        _bound is null
            ? throw new InvalidOperationException("The Cosmos DB containers are not checked yet; the store is used before start-up finished.")
            : _bound[collection.Name];

    private sealed record Bound(Container Container, string Scope);
}
