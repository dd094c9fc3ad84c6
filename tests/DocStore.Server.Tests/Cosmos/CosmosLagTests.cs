using DocStore.Server.Tests.Infrastructure;
using DocStore.V1;
using Grpc.Core;

namespace DocStore.Server.Tests.Cosmos;

/// <summary>
/// The bug and its fix on the production code path: two in-process pods on the Cosmos DB store, through the
/// real SDK, against a peer of their own whose replicas lag 2 s behind (DocStore's model, tests/README.md).
/// </summary>
public sealed class CosmosLagTests
{
    [Fact]
    public async Task Without_shared_tokens_a_read_on_another_pod_misses_the_write_and_with_Redis_it_sees_it()
    {
        await using var peer = await CosmosPeer.StartAsync(lag: TimeSpan.FromSeconds(2));
        await using var redis = await RedisServer.StartAsync();
        var database = "lag-" + Guid.NewGuid().ToString("N")[..8];

        using (var a = Pod(peer, database, redis, "Off"))
        using (var b = Pod(peer, database, redis, "Off"))
        {
            await a.Client.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct("""{"id":"off","pk":"p","v":1}""") });
            await RpcAssert.FailsAsync(StatusCode.NotFound, "DOCUMENT_NOT_FOUND", () =>
                b.Client.GetAsync(new GetRequest { Collection = "items", Id = "off", PartitionKey = "p" }).ResponseAsync);
        }

        using (var a = Pod(peer, database, redis, "Redis"))
        using (var b = Pod(peer, database, redis, "Redis"))
        {
            var written = await a.Client.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct("""{"id":"shared","pk":"p","v":1}""") });
            var read = await b.Client.GetAsync(new GetRequest { Collection = "items", Id = "shared", PartitionKey = "p" });
            Assert.Equal(written.Document.Etag, read.Document.Etag);

            // A token beyond every write the peer has taken: Cosmos DB's 404/1002, after the SDK's retries.
            await RpcAssert.FailsAsync(StatusCode.NotFound, "READ_SESSION_NOT_AVAILABLE", () =>
                b.Client.GetAsync(new GetRequest { Collection = "items", Id = "shared", PartitionKey = "p", SessionToken = "0:-1#999999" }).ResponseAsync);
        }
    }

    private static InProcessServer Pod(CosmosPeer peer, string database, RedisServer redis, string sharing)
    {
        var settings = peer.ServerSettings(database);
        settings["DocStore:Redis:Configuration"] = redis.Configuration;
        settings["DocStore:SessionTokens:Sharing"] = sharing;
        settings["DocStore:Metrics:Port"] = "0";
        return InProcessServer.WithSettings(settings);
    }
}
