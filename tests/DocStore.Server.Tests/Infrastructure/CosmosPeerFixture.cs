using DocStore.V1;
using Grpc.Net.Client;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;

namespace DocStore.Server.Tests.Infrastructure;

/// <summary>
/// One Cosmos DB peer process for the whole test run's Cosmos collection, and one in-process DocStore
/// server on the Cosmos store in front of it (its own database). <see cref="Direct"/> is a plain SDK
/// client on the same peer, for reading around DocStore.
/// </summary>
public sealed class CosmosPeerFixture : IAsyncLifetime, IContractServer
{
    private CosmosPeer? _peer;
    private InProcessServer? _server;
    private CosmosClient? _direct;
    private InProcessServer? _faultServer;

    public string Database { get; } = "contract-" + Guid.NewGuid().ToString("N")[..8];

    public CosmosPeer Peer => _peer ?? throw new InvalidOperationException("Not started.");

    public InProcessServer Server => _server ?? throw new InvalidOperationException("Not started.");

    /// <summary>An SDK client of the test's own on the same peer, configured as the server's.</summary>
    public CosmosClient Direct => _direct ?? throw new InvalidOperationException("Not started.");

    public string Store => "Cosmos";

    public GrpcChannel Channel => Server.Channel;

    public DocStoreService.DocStoreServiceClient Client => Server.Client;

    public async Task InitializeAsync()
    {
        _peer = await CosmosPeer.StartAsync();
        _server = InProcessServer.WithSettings(_peer.ServerSettings(Database));
        _direct = CreateDirectClient(_peer);

        // The first call starts the host, which checks (creates) the database and containers.
        await Client.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct("""{"id":"warm-up","pk":"warm-up"}""") });
    }

    public static CosmosClient CreateDirectClient(CosmosPeer peer) => new(peer.Endpoint.AbsoluteUri, CosmosPeer.Key, new CosmosClientOptions
    {
        ConnectionMode = ConnectionMode.Gateway,
        ServerCertificateCustomValidationCallback = (_, _, _) => true,
        LimitToEndpoint = true,
    });

    /// <summary>The hook in front of <see cref="FaultServer"/>'s transport to the peer.</summary>
    public FaultInjectingHandler Faults { get; } = new();

    /// <summary>
    /// A second in-process server on the peer (its own database) whose SDK talks through <see cref="Faults"/>,
    /// so a test can answer a document request with a status the peer never sends. Created on first use.
    /// </summary>
    public InProcessServer FaultServer => _faultServer ??= InProcessServer.WithSettings(
        Peer.ServerSettings(Database + "-faults"),
        services => services.PostConfigure<CosmosClientOptions>(options =>
        {
            options.ServerCertificateCustomValidationCallback = null;
            options.HttpClientFactory = () => new HttpClient(Faults, disposeHandler: false);
        }));

    public async Task<string> ReadStoredJsonAsync(string collection, string id, string partitionKey)
    {
        using var response = await Direct.GetContainer(Database, collection).ReadItemStreamAsync(id, new PartitionKey(partitionKey));
        Assert.True(response.IsSuccessStatusCode, $"Direct read of {id} answered {response.StatusCode}");
        using var reader = new StreamReader(response.Content);
        return await reader.ReadToEndAsync();
    }

    public async Task DisposeAsync()
    {
        _direct?.Dispose();
        _server?.Dispose();
        _faultServer?.Dispose();
        Faults.Dispose();
        if (_peer is not null)
        {
            await _peer.DisposeAsync();
        }
    }
}

/// <summary>The test classes that share one Cosmos DB peer process.</summary>
[CollectionDefinition(Name)]
public sealed class CosmosPeerGroup : ICollectionFixture<CosmosPeerFixture>
{
    public const string Name = "Cosmos DB peer";
}
