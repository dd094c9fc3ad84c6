using DocStore.Client;
using DocStore.Server.Tests.Infrastructure;
using DocStore.V1;
using Grpc.Net.Client;
using Xunit.Abstractions;

namespace DocStore.Server.Tests.EndToEnd;

/// <summary>
/// Redis emptied under a running deployment, by FLUSHALL or by a restart: two real server processes with a
/// replica lag, sharing one real redis-server. Every token in Redis is gone at once; what that costs is
/// measured here (docs/redis.md quotes the figures), and the client package's own token is what still holds.
/// </summary>
public sealed class RedisFlushTests(ITestOutputHelper output) : IAsyncLifetime
{
    // Long enough that a read after the flush surely comes before the lagging replica has caught up, even on a busy machine.
    private static readonly TimeSpan Lag = TimeSpan.FromSeconds(3);
    private const int Partitions = 16;

    private const string TokenKeyPattern = "docstore:st:*";
    private RedisServer _redis = null!;
    private ServerProcess[] _pods = null!;
    private GrpcChannel[] _channels = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        var database = TestPaths.NewDatabasePath();
        var environment = new Dictionary<string, string>
        {
            ["DocStore__Embedded__ReplicaLag"] = Lag.ToString(),
            ["DocStore__Redis__Configuration"] = _redis.Configuration,
            ["DocStore__SessionTokens__Sharing"] = "Redis",

            // Correctness runs: a loaded machine must not turn a slow Redis into a stale read; a restart is retried quickly.
            ["DocStore__SessionTokens__RedisTimeout"] = "00:00:02",
            ["DocStore__SessionTokens__BreakDuration"] = "00:00:01",
        };
        _pods = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => TestServers.StartAsync(database, environment)));
        _channels = _pods.Select(p => p.CreateChannel()).ToArray();
    }

    public async Task DisposeAsync()
    {
        foreach (var channel in _channels ?? [])
        {
            channel.Dispose();
        }

        foreach (var pod in _pods ?? [])
        {
            await pod.DisposeAsync();
        }

        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task A_flush_during_a_run_fails_no_call_and_sharing_recovers_on_the_next_write_while_the_callers_token_keeps_reads_fresh()
    {
        await using var admin = await _redis.ConnectAsync();
        var server = admin.GetServer(admin.GetEndPoints()[0]);

        // Under load: writes through one pod, reads through the other, and a FLUSHALL (with the script cache) in the middle.
        var load = RunLoadAsync(TimeSpan.FromSeconds(3));
        await Task.Delay(TimeSpan.FromSeconds(1));
        await server.FlushAllDatabasesAsync();
        await server.ScriptFlushAsync();
        var run = await load;
        output.WriteLine($"under load: {run.Calls} calls, {run.Failed} failed, {run.Stale} stale reads (a write then a read through the other pod, flush at 1 s of 3 s)");
        Assert.Equal(0, run.Failed);
        Assert.True(run.Calls > 20, $"Only {run.Calls} calls completed.");

        // The cost, measured: every partition was written just before the flush, and read through the other pod before its next write.
        var cost = await MeasureAsync(async () =>
        {
            await server.FlushAllDatabasesAsync();
            await server.ScriptFlushAsync();
        });
        output.WriteLine($"after FLUSHALL: {cost.StaleWithoutToken} of {Partitions} reads without the caller's token stale, {cost.StaleWithToken} of {Partitions} with it; after the next write {cost.StaleAfterNextWrite} of {Partitions}");

        // Without Redis's token, the other pod reads its lagging replica: the flush's cost, shown to be real.
        Assert.True(cost.StaleWithoutToken > 0, "No stale read after the flush: the replica lag did not show, so this run proves nothing.");

        // The token the client package carries needs no Redis.
        Assert.Equal(0, cost.StaleWithToken);

        // One write per partition puts its token back, through either pod.
        Assert.Equal(0, cost.StaleAfterNextWrite);
        Assert.Equal(Partitions, TokenKeyCount(admin));
        Assert.All(_pods, pod => Assert.DoesNotContain("Redis keeps failing", pod.Output, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Redis_restarted_empty_fails_no_call_and_sharing_recovers_on_the_next_write_while_the_callers_token_keeps_reads_fresh()
    {
        var cost = await MeasureAsync(() => _redis.RestartAsync());
        output.WriteLine($"after a restart: {cost.StaleWithoutToken} of {Partitions} reads without the caller's token stale, {cost.StaleWithToken} of {Partitions} with it; after the next write {cost.StaleAfterNextWrite} of {Partitions}");

        Assert.True(cost.StaleWithoutToken > 0, "No stale read after the restart: the replica lag did not show, so this run proves nothing.");
        Assert.Equal(0, cost.StaleWithToken);
        Assert.Equal(0, cost.StaleAfterNextWrite);
    }

    private static int TokenKeyCount(StackExchange.Redis.ConnectionMultiplexer redis) =>
        redis.GetServer(redis.GetEndPoints()[0]).Keys(pattern: TokenKeyPattern).Count();

    private sealed record Cost(int StaleWithoutToken, int StaleWithToken, int StaleAfterNextWrite);

    /// <summary>
    /// Writes version 1 of one document in each of <see cref="Partitions"/> partitions through pod A with the client
    /// package, empties Redis with <paramref name="empty"/>, then reads each partition through pod B twice: with a
    /// plain gRPC call (no caller token: only Redis could have told pod B) and with the client package carrying the
    /// token from the write. Then, once Redis answers again, writes version 2 through pod A and reads it through pod B
    /// without a caller token: sharing has recovered when that read is fresh. No call may fail.
    /// </summary>
    private async Task<Cost> MeasureAsync(Func<Task> empty)
    {
        var prefix = "flush-" + Guid.NewGuid().ToString("N")[..8];
        var writer = DocStoreClient.Create(_channels[0]);
        var reader = DocStoreClient.Create(_channels[1]);
        var plain = new DocStoreService.DocStoreServiceClient(_channels[1]);
        var keys = Enumerable.Range(0, Partitions).Select(i => $"{prefix}-{i}").ToArray();

        await Task.WhenAll(keys.Select(pk => writer.UpsertAsync("items", new Versioned("d", pk, 1))));
        await empty();

        // Every plain read first: a read with a token brings pod B's replica up to that token, as a Cosmos replica
        // that has caught up serves every later read, so reading with tokens first would hide the cost.
        var staleWithout = 0;
        foreach (var pk in keys)
        {
            if (await ReadAfterWrite.VersionAsync(plain, pk) < 1)
            {
                staleWithout++;
            }
        }

        var staleWith = 0;
        foreach (var pk in keys)
        {
            // The caller carries its session from the process that wrote to the one that reads.
            reader.SetSessionToken("items", pk, writer.GetSessionToken("items", pk));
            if ((await reader.GetAsync<Versioned>("items", "d", pk)).Value.Version < 1)
            {
                staleWith++;
            }
        }

        // After a restart the pods reconnect within a second or so; their writes reach Redis from then on.
        await using var admin = await _redis.ConnectAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var version = 2;
        while (true)
        {
            await Task.WhenAll(keys.Select(pk => writer.UpsertAsync("items", new Versioned("d", pk, version))));
            // Redis was emptied before these writes, so its keys are theirs (key names need not show the partition key).
            if (TokenKeyCount(admin) == Partitions || DateTime.UtcNow > deadline)
            {
                break;
            }

            // Not reconnected yet: the write went on without Redis (never failed); write again.
            await Task.Delay(200);
            version++;
        }

        // Pod B's breaker may have opened on its own failed lookups after pod A's reconnected: until it closes, B
        // reads without Redis by design. Recovery is measured once both pods use Redis again, with one more write.
        while (DateTime.UtcNow < deadline && await BreakersOpenAsync() > 0)
        {
            await Task.Delay(100);
        }

        version++;
        await Task.WhenAll(keys.Select(pk => writer.UpsertAsync("items", new Versioned("d", pk, version))));

        var staleAfter = 0;
        foreach (var pk in keys)
        {
            if (await ReadAfterWrite.VersionAsync(plain, pk) < version)
            {
                staleAfter++;
            }
        }

        return new Cost(staleWithout, staleWith, staleAfter);
    }

    /// <summary>How many pods report their Redis breaker other than closed.</summary>
    private async Task<int> BreakersOpenAsync()
    {
        var open = 0;
        foreach (var pod in _pods)
        {
            open += (await PrometheusText.ScrapeAsync(pod.MetricsAddress)).Sum("docstore_session_tokens_breaker_state") != 0 ? 1 : 0;
        }

        return open;
    }

    private sealed record Run(int Calls, int Failed, int Stale);

    /// <summary>For <paramref name="duration"/>, four workers each write a new version through pod A and read it at once through pod B.</summary>
    private async Task<Run> RunLoadAsync(TimeSpan duration)
    {
        var clients = _channels.Select(c => new DocStoreService.DocStoreServiceClient(c)).ToArray();
        int calls = 0, failed = 0, stale = 0;
        var end = DateTime.UtcNow + duration;

        async Task WorkerAsync(int worker)
        {
            var partitionKey = $"flush-load-{Guid.NewGuid():N}";
            for (var version = 1; DateTime.UtcNow < end; version++)
            {
                switch (await ReadAfterWrite.CheckAsync(clients[0], clients[1], partitionKey, version))
                {
                    case ReadAfterWrite.Outcome.Stale:
                        Interlocked.Increment(ref stale);
                        break;
                    case ReadAfterWrite.Outcome.Failed:
                        Interlocked.Increment(ref failed);
                        break;
                }

                Interlocked.Add(ref calls, 2);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 4).Select(WorkerAsync));
        return new Run(calls, failed, stale);
    }

    /// <summary>A document as the client package writes it: <c>{"id","pk","version"}</c>.</summary>
    private sealed record Versioned(string Id, string Pk, int Version);
}
