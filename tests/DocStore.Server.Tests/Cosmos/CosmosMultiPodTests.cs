using DocStore.Server.Tests.Infrastructure;
using DocStore.V1;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using PatchOperation = DocStore.V1.PatchOperation;

namespace DocStore.Server.Tests.Cosmos;

/// <summary>
/// Several DocStore pods on the Cosmos DB store, one peer and one real redis-server: every pod serves every
/// document, and the token a write returns reaches another pod's reads through Redis. Staleness itself is
/// shown by the peer's lag model in eng/consistency-demo.sh (DEMO_STORE=Cosmos) and CosmosLagTests.
/// </summary>
[Collection(CosmosPeerGroup.Name)]
public sealed class CosmosMultiPodTests(CosmosPeerFixture peer)
{
    [Fact]
    public async Task Two_server_processes_on_one_peer_and_one_Redis_both_serve_each_others_writes()
    {
        await using var redis = await RedisServer.StartAsync();
        var database = "pods-" + Guid.NewGuid().ToString("N")[..8];
        var environment = peer.Peer.ServerSettings(database)
            .ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!);
        environment["DocStore__Redis__Configuration"] = redis.Configuration;
        environment["DocStore__SessionTokens__Sharing"] = "Redis";
        environment["DocStore__Metrics__Port"] = "0";

        await using var podA = await TestServers.StartAsync(TestPaths.NewDatabasePath(), environment);
        await using var podB = await TestServers.StartAsync(TestPaths.NewDatabasePath(), environment);
        using var channelA = podA.CreateChannel();
        using var channelB = podB.CreateChannel();
        var a = new DocStoreService.DocStoreServiceClient(channelA);
        var b = new DocStoreService.DocStoreServiceClient(channelB);

        var written = await a.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct("""{"id":"cart","pk":"ann","total":3}""") });
        var readOnB = await b.GetAsync(new GetRequest { Collection = "items", Id = "cart", PartitionKey = "ann", SessionToken = written.Info.SessionToken });
        Assert.Equal(written.Document.Etag, readOnB.Document.Etag);
        Assert.Equal(3, readOnB.Document.Body.Fields["total"].NumberValue);

        var patchedOnB = await b.PatchAsync(new PatchRequest
        {
            Collection = "items",
            Id = "cart",
            PartitionKey = "ann",
            IfMatch = readOnB.Document.Etag,
            Operations = { new PatchOperation { Increment = new IncrementOperation { Path = "/total", By = 2 } } },
        });
        var readOnA = await a.GetAsync(new GetRequest { Collection = "items", Id = "cart", PartitionKey = "ann" });
        Assert.Equal(patchedOnB.Document.Etag, readOnA.Document.Etag);
        Assert.Equal(5, readOnA.Document.Body.Fields["total"].NumberValue);

        // Both pods wrote to the one container of the one peer.
        using var direct = CosmosPeerFixture.CreateDirectClient(peer.Peer);
        using var stored = await direct.GetContainer(database, "items").ReadItemStreamAsync("cart", new PartitionKey("ann"));
        Assert.True(stored.IsSuccessStatusCode);
    }

    [Fact]
    public async Task A_token_a_write_returns_on_one_pod_reaches_the_other_pods_read_through_Redis()
    {
        await using var redis = await RedisServer.StartAsync();
        var database = "tokens-" + Guid.NewGuid().ToString("N")[..8];
        using var faultsA = new FaultInjectingHandler();
        using var faultsB = new FaultInjectingHandler();
        using var podA = Pod(database, redis, faultsA);
        using var podB = Pod(database, redis, faultsB);

        // The peer's own token for the write (its database is this test's, so pod B has no session in it yet).
        var written = await podA.Client.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct("""{"id":"cart","pk":"bob","total":1}""") });
        Assert.Matches(@"^0:-1#\d+$", written.Info.SessionToken);

        faultsB.Requests.Clear();
        var read = await podB.Client.GetAsync(new GetRequest { Collection = "items", Id = "cart", PartitionKey = "bob" });

        Assert.Equal(written.Document.Etag, read.Document.Etag);
        var sent = Assert.Single(faultsB.Requests, r => r.Method == HttpMethod.Get);
        Assert.True(sent.Headers.TryGetValue("x-ms-session-token", out var token), "Pod B read without a session token; the write's token did not reach it.");
        Assert.Contains(written.Info.SessionToken, token, StringComparison.Ordinal);
    }

    private InProcessServer Pod(string database, RedisServer redis, FaultInjectingHandler faults)
    {
        var settings = peer.Peer.ServerSettings(database);
        settings["DocStore:Redis:Configuration"] = redis.Configuration;
        settings["DocStore:SessionTokens:Sharing"] = "Redis";

        // About where tokens go, not latency: a loaded machine must not turn a slow Redis into a read without one.
        settings["DocStore:SessionTokens:RedisTimeout"] = "00:00:02";
        settings["DocStore:Metrics:Port"] = "0";
        return InProcessServer.WithSettings(settings, services => services.PostConfigure<CosmosClientOptions>(options =>
        {
            options.ServerCertificateCustomValidationCallback = null;
            options.HttpClientFactory = () => new HttpClient(faults, disposeHandler: false);
        }));
    }
}
