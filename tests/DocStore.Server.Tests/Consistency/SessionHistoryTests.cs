using DocStore.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace DocStore.Server.Tests.Consistency;

/// <summary>
/// Concurrent sessions against two pods on one embedded file with a replica lag of one second and a real
/// redis-server, over every read path, recorded and checked for read-your-writes and monotonic reads
/// (<see cref="SessionHistory"/>). The pods are servers in this process, each with its own store and session,
/// reached through real gRPC clients. Seeded (<c>DOCSTORE_HISTORY_SEED</c> replays a seed); a failure prints its seed.
/// </summary>
public sealed class SessionHistoryTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Lag = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(6);

    private readonly List<InProcessServer> _pods = [];
    private RedisServer _redis = null!;

    public async Task InitializeAsync() => _redis = await RedisServer.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var pod in _pods)
        {
            pod.Dispose();
        }

        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task With_redis_sharing_sessions_moving_between_pods_read_their_writes_and_never_go_back_on_any_partition_read()
    {
        var check = await RunAsync("Redis", sticky: false, crossPartition: false);

        Assert.True(check.Violations.Count == 0 && check.Errors.Count == 0, $"seed {Seed}: {check.Describe()}");
    }

    [Fact]
    public async Task Sessions_kept_to_one_pod_without_redis_read_their_writes_and_never_go_back_on_any_read_path()
    {
        // Sharing Local is what Redis falls back to when it is down: a pod's own session must keep its callers' guarantees.
        var check = await RunAsync("Local", sticky: true, crossPartition: true);

        Assert.True(check.Violations.Count == 0 && check.Errors.Count == 0, $"seed {Seed}: {check.Describe()}");
    }

    [Fact]
    public async Task Without_sharing_the_checker_finds_sessions_moving_between_pods_reading_stale_data()
    {
        // The check can fail: with sharing off, the lag shows on the other pod.
        var check = await RunAsync("Off", sticky: false, crossPartition: false);

        Assert.True(check.Errors.Count == 0, $"seed {Seed}: {check.Describe()}");
        Assert.True(check.Violations.Any(v => v.Guarantee == "read-your-writes"), $"seed {Seed}: no stale read found with sharing off. {check.Describe()}");
    }

    private static int Seed => SessionHistory.RunSeed;

    private async Task<HistoryCheck> RunAsync(string sharing, bool sticky, bool crossPartition)
    {
        var database = TestPaths.NewDatabasePath();
        var settings = new Dictionary<string, string?>
        {
            ["DocStore:Embedded:Path"] = database,
            ["DocStore:Embedded:ReplicaLag"] = Lag.ToString(),
            [$"DocStore:Collections:{SessionHistory.Collection}:PartitionKeyPath"] = "/pk",
            [$"DocStore:Collections:{SessionHistory.Collection}:AllowCrossPartitionQuery"] = "true",
            ["DocStore:SessionTokens:Sharing"] = sharing,
            ["DocStore:Redis:Configuration"] = _redis.Configuration,

            // About correctness, not latency: a loaded machine must not turn a slow Redis into a stale read.
            ["DocStore:SessionTokens:RedisTimeout"] = "00:00:02",
        };
        _pods.AddRange(Enumerable.Range(0, 2).Select(_ => InProcessServer.WithSettings(settings)));
        var history = new SessionHistory([.. _pods.Select(p => p.Client)], new HistoryOptions(Seed, Sessions: 6, Duration, sticky, crossPartition));

        await history.SeedAsync();
        await Task.Delay(Lag + TimeSpan.FromMilliseconds(300));
        await history.RunAsync();

        var check = history.Check();
        output.WriteLine($"seed {Seed}, sharing {sharing}, {history.Operations.Count} calls");
        output.WriteLine(check.Describe());
        return check;
    }
}
