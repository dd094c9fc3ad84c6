using System.Text.Json;
using DocStore.Server.Tests.Infrastructure;
using DocStore.V1;
using Grpc.Core;

namespace DocStore.Server.Tests.EndToEnd;

/// <summary>
/// Deletes and batches across pods: two real server processes on one SQLite file with a replica lag of one second,
/// one real redis-server. A delete and a batch are writes like any other: with sharing, the other pod's next read sees
/// them; with sharing off, it may not (which shows the lag is real).
/// </summary>
public sealed class WritesAcrossPodsTests : IAsyncLifetime
{
    private static readonly TimeSpan Lag = TimeSpan.FromSeconds(1);

    private static readonly string[] BatchIds = ["new-0", "new-1", "new-2", "new-3", "new-4", "counter", "old"];

    private readonly List<ServerProcess> _pods = [];
    private readonly List<IDisposable> _channels = [];
    private RedisServer _redis = null!;
    private CosmosPeer? _peer;

    public async Task InitializeAsync() => _redis = await RedisServer.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }

        foreach (var pod in _pods)
        {
            await pod.DisposeAsync();
        }

        await _redis.DisposeAsync();
        if (_peer is not null)
        {
            await _peer.DisposeAsync();
        }
    }

    /// <remarks>On the Cosmos DB store, the two processes talk through the real SDK to the patched peer, whose replicas lag by <see cref="Lag"/>.</remarks>
    [Theory]
    [InlineData("Redis", "Embedded")]
    [InlineData("Off", "Embedded")]
    [InlineData("Redis", "Cosmos")]
    [InlineData("Off", "Cosmos")]
    public async Task A_delete_through_one_pod_is_seen_by_the_other_with_sharing_and_may_be_stale_without(string sharing, string store)
    {
        const int Documents = 10;
        var (a, b) = await StartPodsAsync(sharing, Lag, store);
        var partitionKey = "del-" + Guid.NewGuid().ToString("N");
        for (var i = 0; i < Documents; i++)
        {
            await a.UpsertAsync(new UpsertRequest { Collection = "items", DocumentJson = Json.Bytes($$"""{"id":"d{{i}}","pk":"{{partitionKey}}"}""") });
        }

        // Past the lag, every replica has the documents; B reads them without any token.
        await Task.Delay(Lag + TimeSpan.FromMilliseconds(300));
        for (var i = 0; i < Documents; i++)
        {
            await b.GetAsync(new GetRequest { Collection = "items", Id = $"d{i}", PartitionKey = partitionKey });
        }

        var stale = 0;
        for (var i = 0; i < Documents; i++)
        {
            await a.DeleteAsync(new DeleteRequest { Collection = "items", Id = $"d{i}", PartitionKey = partitionKey });
            try
            {
                await b.GetAsync(new GetRequest { Collection = "items", Id = $"d{i}", PartitionKey = partitionKey });
                stale++;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
            {
            }
        }

        if (sharing == "Redis")
        {
            Assert.True(stale == 0, $"{stale} of {Documents} deleted documents were still read through the other pod with sharing on.");
        }
        else
        {
            Assert.True(stale > 0, "With sharing off no read saw a deleted document: the lag this test relies on is not there.");
        }

        // Past the lag every pod agrees, whatever the sharing.
        await Task.Delay(Lag + TimeSpan.FromMilliseconds(300));
        await RpcAssert.FailsAsync(StatusCode.NotFound, "DOCUMENT_NOT_FOUND", () =>
            b.GetAsync(new GetRequest { Collection = "items", Id = "d0", PartitionKey = partitionKey }).ResponseAsync);
    }

    [Fact]
    public async Task A_batch_through_one_pod_is_seen_whole_by_a_read_of_many_through_the_other()
    {
        var (a, b) = await StartPodsAsync("Redis", Lag);
        var partitionKey = "batch-" + Guid.NewGuid().ToString("N");
        await a.UpsertAsync(new UpsertRequest { Collection = "items", DocumentJson = Json.Bytes($$"""{"id":"counter","pk":"{{partitionKey}}","n":1}""") });
        await a.UpsertAsync(new UpsertRequest { Collection = "items", DocumentJson = Json.Bytes($$"""{"id":"old","pk":"{{partitionKey}}"}""") });
        await Task.Delay(Lag + TimeSpan.FromMilliseconds(300));

        var batch = new ExecuteBatchRequest { Collection = "items", PartitionKey = partitionKey };
        for (var i = 0; i < 5; i++)
        {
            batch.Operations.Add(new BatchOperation { Create = new BatchWrite { DocumentJson = Json.Bytes($$"""{"id":"new-{{i}}","pk":"{{partitionKey}}","i":{{i}}}""") } });
        }

        batch.Operations.Add(new BatchOperation { Patch = new BatchPatch { Id = "counter", Operations = { new PatchOperation { Increment = new IncrementOperation { Path = "/n", By = 41 } } } } });
        batch.Operations.Add(new BatchOperation { Delete = new BatchKey { Id = "old" } });
        await a.ExecuteBatchAsync(batch);

        var keys = BatchIds.Select(id => new DocumentKey { Id = id, PartitionKey = partitionKey });
        var many = await b.ReadManyAsync(new ReadManyRequest { Collection = "items", Keys = { keys }, BodyFormat = BodyFormat.Struct });

        Assert.Equal(["new-0", "new-1", "new-2", "new-3", "new-4", "counter"], many.Documents.Select(d => d.Id));
        Assert.Equal(42, many.Documents[5].Body.Fields["n"].NumberValue);
        Assert.Equal("old", Assert.Single(many.Missing).Id);
    }

    [Fact]
    public async Task Without_sharing_a_read_of_many_through_the_other_pod_misses_a_fresh_batch()
    {
        // The counterpart of the test above: the same read without sharing shows the lag that sharing hides.
        var (a, b) = await StartPodsAsync("Off", Lag);
        var partitionKey = "batch-off-" + Guid.NewGuid().ToString("N");
        await a.ExecuteBatchAsync(new ExecuteBatchRequest
        {
            Collection = "items",
            PartitionKey = partitionKey,
            Operations = { new BatchOperation { Create = new BatchWrite { DocumentJson = Json.Bytes($$"""{"id":"fresh","pk":"{{partitionKey}}"}""") } } },
        });

        var many = await b.ReadManyAsync(new ReadManyRequest { Collection = "items", Keys = { new DocumentKey { Id = "fresh", PartitionKey = partitionKey } } });
        Assert.Empty(many.Documents);
        Assert.Single(many.Missing);
    }

    [Fact]
    public async Task Concurrent_batches_moving_units_between_two_counters_through_two_pods_lose_no_update()
    {
        const int Moves = 64;
        const int Total = 1000;
        var (a, b) = await StartPodsAsync("Redis", Lag);
        var clients = new[] { a, b };
        var partitionKey = "bank-" + Guid.NewGuid().ToString("N");
        await a.ExecuteBatchAsync(new ExecuteBatchRequest
        {
            Collection = "items",
            PartitionKey = partitionKey,
            Operations =
            {
                new BatchOperation { Create = new BatchWrite { DocumentJson = Json.Bytes($$"""{"id":"from","pk":"{{partitionKey}}","n":{{Total}}}""") } },
                new BatchOperation { Create = new BatchWrite { DocumentJson = Json.Bytes($$"""{"id":"to","pk":"{{partitionKey}}","n":0}""") } },
            },
        });

        var aborted = 0;
        var moved = await Task.WhenAll(Enumerable.Range(0, Moves).Select(async worker =>
        {
            var client = clients[worker % 2];
            var random = new Random(worker);
            for (var attempt = 0; attempt < 400; attempt++)
            {
                // Read both counters inside a batch (a batch reads the primary), then write both guarded by their etags.
                var read = await client.ExecuteBatchAsync(new ExecuteBatchRequest
                {
                    Collection = "items",
                    PartitionKey = partitionKey,
                    BodyFormat = BodyFormat.Struct,
                    Operations = { new BatchOperation { Read = new BatchKey { Id = "from" } }, new BatchOperation { Read = new BatchKey { Id = "to" } } },
                });
                var from = read.Results[0].Document;
                var to = read.Results[1].Document;
                try
                {
                    await client.ExecuteBatchAsync(new ExecuteBatchRequest
                    {
                        Collection = "items",
                        PartitionKey = partitionKey,
                        Operations =
                        {
                            new BatchOperation { Replace = new BatchWrite { Document = Counter("from", partitionKey, from.Body.Fields["n"].NumberValue - 1), IfMatch = from.Etag } },
                            new BatchOperation { Replace = new BatchWrite { Document = Counter("to", partitionKey, to.Body.Fields["n"].NumberValue + 1), IfMatch = to.Etag } },
                        },
                    });
                    return 1;
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.Aborted)
                {
                    Assert.Equal("ETAG_MISMATCH", e.GetRpcStatus()?.GetDetail<Google.Rpc.ErrorInfo>()?.Reason);
                    Interlocked.Increment(ref aborted);
                    await Task.Delay(random.Next(1, 15));
                }
            }

            return 0;
        }));

        var final = await b.ReadManyAsync(new ReadManyRequest
        {
            Collection = "items",
            BodyFormat = BodyFormat.Struct,
            Keys = { new DocumentKey { Id = "from", PartitionKey = partitionKey }, new DocumentKey { Id = "to", PartitionKey = partitionKey } },
        });
        var fromN = final.Documents[0].Body.Fields["n"].NumberValue;
        var toN = final.Documents[1].Body.Fields["n"].NumberValue;

        Assert.Equal(Total, fromN + toN);
        Assert.Equal(moved.Sum(), toN);
        Assert.Equal(Moves, moved.Sum());
        Assert.True(aborted > 0, "No batch lost a race: the test did not exercise concurrent read-modify-write.");
    }

    [Theory]
    [InlineData("Redis")]
    [InlineData("Off")]
    public async Task The_consistency_command_in_delete_mode_finds_stale_deletes_only_without_sharing(string sharing)
    {
        await StartPodsAsync(sharing, Lag);
        var (exitCode, output, error) = await CliProcess.RunAsync(
            TimeSpan.FromMinutes(2),
            "consistency", "--mode", "delete", "--endpoints", string.Join(',', _pods.Select(p => p.Address)), "--ops", "100", "--concurrency", "8", "--json");
        Assert.True(output.StartsWith('{'), $"docstore consistency printed no JSON (exit {exitCode}): {output}\n{error}");
        var result = JsonDocument.Parse(output).RootElement;

        Assert.Equal("delete", result.GetProperty("mode").GetString());
        Assert.Equal(0, result.GetProperty("errors").GetInt32());
        Assert.Equal(100, result.GetProperty("completed").GetInt32());
        var stale = result.GetProperty("stale_deleted").GetInt32();
        Assert.Equal(stale, result.GetProperty("stale").GetInt32());
        if (sharing == "Redis")
        {
            Assert.Equal((0, 0), (stale, exitCode));
        }
        else
        {
            Assert.True(stale > 0, $"With sharing off no deleted document was found through the other pod: {output}");
            Assert.Equal(1, exitCode);
        }
    }

    private static Google.Protobuf.WellKnownTypes.Struct Counter(string id, string partitionKey, double n) => new()
    {
        Fields =
        {
            ["id"] = Google.Protobuf.WellKnownTypes.Value.ForString(id),
            ["pk"] = Google.Protobuf.WellKnownTypes.Value.ForString(partitionKey),
            ["n"] = Google.Protobuf.WellKnownTypes.Value.ForNumber(n),
        },
    };

    private async Task<(DocStoreService.DocStoreServiceClient A, DocStoreService.DocStoreServiceClient B)> StartPodsAsync(string sharing, TimeSpan lag, string store = "Embedded")
    {
        var database = TestPaths.NewDatabasePath();
        var environment = new Dictionary<string, string>();
        if (store == "Cosmos")
        {
            _peer = await CosmosPeer.StartAsync(lag);
            foreach (var (key, value) in _peer.ServerSettings("pods-" + Guid.NewGuid().ToString("N")[..8]))
            {
                environment[key.Replace(":", "__", StringComparison.Ordinal)] = value!;
            }
        }

        foreach (var (key, value) in new Dictionary<string, string>
        {
            ["DocStore__Embedded__ReplicaLag"] = lag.ToString(),
            ["DocStore__Redis__Configuration"] = _redis.Configuration,
            ["DocStore__SessionTokens__Sharing"] = sharing,

            // About correctness: a loaded machine must not turn a slow Redis into a stale read.
            ["DocStore__SessionTokens__RedisTimeout"] = "00:00:02",
        })
        {
            environment[key] = value;
        }

        var pods = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => TestServers.StartAsync(database, environment)));
        _pods.AddRange(pods);
        var channels = pods.Select(p => p.CreateChannel()).ToArray();
        _channels.AddRange(channels);
        return (new DocStoreService.DocStoreServiceClient(channels[0]), new DocStoreService.DocStoreServiceClient(channels[1]));
    }
}
