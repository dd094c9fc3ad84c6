using DocStore.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace DocStore.Server.Tests.Cosmos;

/// <summary>
/// The history check of <c>Consistency/SessionHistoryTests</c> on the production code path: two in-process pods on
/// the Cosmos DB store, through the real SDK, against a peer of their own whose replicas lag 1 s (DocStore's model of
/// replication, tests/README.md), with a real redis-server. Sessions write without ExecuteBatch, which the peer
/// cannot take, and move to the other pod on every call.
/// </summary>
public sealed class CosmosSessionHistoryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task With_redis_sharing_sessions_moving_between_pods_read_their_writes_and_never_go_back_on_the_cosmos_store()
    {
        var check = await RunAsync("Redis");

        Assert.True(check.Violations.Count == 0 && check.Errors.Count == 0, $"seed {SessionHistory.RunSeed}: {check.Describe()}");
    }

    [Fact]
    public async Task Without_sharing_the_checker_finds_stale_reads_on_the_cosmos_store()
    {
        var check = await RunAsync("Off");

        Assert.True(check.Errors.Count == 0, $"seed {SessionHistory.RunSeed}: {check.Describe()}");
        Assert.True(check.Violations.Any(v => v.Guarantee == "read-your-writes"), $"seed {SessionHistory.RunSeed}: no stale read found with sharing off. {check.Describe()}");
    }

    private async Task<HistoryCheck> RunAsync(string sharing)
    {
        var lag = TimeSpan.FromSeconds(1);
        await using var peer = await CosmosPeer.StartAsync(lag);
        await using var redis = await RedisServer.StartAsync();
        var settings = peer.ServerSettings("history-" + Guid.NewGuid().ToString("N")[..8]);
        settings[$"DocStore:Collections:{SessionHistory.Collection}:PartitionKeyPath"] = "/pk";
        settings[$"DocStore:Collections:{SessionHistory.Collection}:AllowCrossPartitionQuery"] = "true";
        settings["DocStore:Redis:Configuration"] = redis.Configuration;
        settings["DocStore:SessionTokens:Sharing"] = sharing;
        settings["DocStore:SessionTokens:RedisTimeout"] = "00:00:02";
        settings["DocStore:Metrics:Port"] = "0";
        using var a = InProcessServer.WithSettings(settings);
        using var b = InProcessServer.WithSettings(settings);
        var history = new SessionHistory([a.Client, b.Client], new HistoryOptions(SessionHistory.RunSeed, Sessions: 6, TimeSpan.FromSeconds(6), Sticky: false, CrossPartitionPaths: false, Batches: false));

        await history.SeedAsync();
        await Task.Delay(lag + TimeSpan.FromMilliseconds(500));
        await history.RunAsync();

        var check = history.Check();
        output.WriteLine($"seed {SessionHistory.RunSeed}, Cosmos store, sharing {sharing}, {history.Operations.Count} calls");
        output.WriteLine(check.Describe());
        return check;
    }
}
