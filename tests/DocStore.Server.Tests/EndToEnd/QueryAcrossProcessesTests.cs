using DocStore.Server.Tests.Infrastructure;
using DocStore.V1;
using Xunit.Abstractions;

namespace DocStore.Server.Tests.EndToEnd;

/// <summary>
/// Query and WatchChanges read at the session view across pods: two real server processes on one
/// SQLite file with a replica lag of two seconds, sharing session tokens through a real redis-server.
/// </summary>
public sealed class QueryAcrossProcessesTests(ITestOutputHelper output) : IAsyncLifetime
{
    private RedisServer _redis = null!;
    private ServerProcess _a = null!;
    private ServerProcess _b = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        var database = TestPaths.NewDatabasePath();
        var environment = new Dictionary<string, string>
        {
            ["DocStore__Embedded__ReplicaLag"] = "00:00:02",
            ["DocStore__Redis__Configuration"] = _redis.Configuration,
            ["DocStore__SessionTokens__Sharing"] = "Redis",
            ["DocStore__SessionTokens__RedisTimeout"] = "00:00:02",
        };
        var pods = await Task.WhenAll(TestServers.StartAsync(database, environment, metrics: false), TestServers.StartAsync(database, environment, metrics: false));
        (_a, _b) = (pods[0], pods[1]);
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task A_query_through_one_process_sees_a_write_through_the_other_at_once()
    {
        using var channelA = _a.CreateChannel();
        using var channelB = _b.CreateChannel();
        var a = new DocStoreService.DocStoreServiceClient(channelA);
        var b = new DocStoreService.DocStoreServiceClient(channelB);
        var partition = "x-" + Guid.NewGuid().ToString("N");

        // B reads the partition first, so its own session is at the old state.
        Assert.Empty((await b.QueryAsync(new QueryRequest { Collection = "items", PartitionKey = partition })).Documents);
        for (var i = 0; i < 10; i++)
        {
            await a.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct($$"""{"id":"o{{i}}","pk":"{{partition}}","status":"open"}""") });
            var page = await b.QueryAsync(new QueryRequest { Collection = "items", PartitionKey = partition, Filter = Query.ProtoFilters.Field("/status", FieldFilter.Types.Operator.Equal, "\"open\"") });
            Assert.Equal(i + 1, page.Documents.Count);
        }
    }

    [Fact]
    public async Task A_stream_on_one_process_sees_a_write_through_the_other_within_a_second_in_ten_trials()
    {
        using var channelA = _a.CreateChannel();
        using var channelB = _b.CreateChannel();
        var a = new DocStoreService.DocStoreServiceClient(channelA);
        var b = new DocStoreService.DocStoreServiceClient(channelB);
        var partition = "w-" + Guid.NewGuid().ToString("N");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        // Warm both processes' write and feed paths (JIT, the Redis connection) on another partition, so that the
        // trials time the change feed rather than each process's first call.
        await a.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct($$"""{"id":"warm","pk":"{{partition}}-warm"}""") });
        await b.ReadChangesAsync(new ReadChangesRequest { Collection = "items", PartitionKey = partition + "-warm" });

        using var call = b.WatchChanges(new WatchChangesRequest { Collection = "items", PartitionKey = partition, FromNow = true }, cancellationToken: timeout.Token);
        Assert.True(await call.ResponseStream.MoveNext(timeout.Token));

        // The delay runs from the write's commit, which the document's update_time records (both processes share this
        // machine's clock), to the stream's message; the write's own round trip, which a loaded machine stretches, is
        // not the change feed's.
        var delays = new List<TimeSpan>();
        for (var trial = 0; trial < 10; trial++)
        {
            var id = $"t{trial}";
            await a.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct($$"""{"id":"{{id}}","pk":"{{partition}}"}""") });
            Document? seen = null;
            while (seen is null && await call.ResponseStream.MoveNext(timeout.Token))
            {
                seen = call.ResponseStream.Current.Documents.FirstOrDefault(d => d.Id == id);
            }

            Assert.NotNull(seen);
            delays.Add(DateTime.UtcNow - seen.UpdateTime.ToDateTime());
            await Task.Delay(100, timeout.Token);
        }

        output.WriteLine("commit to stream (ms): " + string.Join(", ", delays.Select(d => d.TotalMilliseconds.ToString("F0", System.Globalization.CultureInfo.InvariantCulture))));
        Assert.All(delays, delay => Assert.True(delay < TimeSpan.FromSeconds(1), $"A change took {delay.TotalMilliseconds:F0} ms from its commit to the other process's stream."));
    }
}
