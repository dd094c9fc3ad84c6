using System.Diagnostics;
using System.Text.Json;
using DocStore.Server.Tests.Infrastructure;
using DocStore.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace DocStore.Server.Tests.EndToEnd;

/// <summary>
/// Read-your-own-writes across pods: real server processes sharing one SQLite file with a replica
/// lag of one second, one real redis-server, and the <c>docstore consistency</c> command.
/// </summary>
public sealed class ConsistencyTests : IAsyncLifetime
{
    private static readonly TimeSpan Lag = TimeSpan.FromSeconds(1);

    private readonly List<ServerProcess> _pods = [];
    private RedisServer _redis = null!;

    public async Task InitializeAsync() => _redis = await RedisServer.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var pod in _pods)
        {
            await pod.DisposeAsync();
        }

        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task With_sharing_off_two_processes_serve_stale_reads()
    {
        var pods = await StartPodsAsync(2, "Off");

        var check = await RunConsistencyCheckAsync(pods);

        Assert.Equal(0, check.GetProperty("errors").GetInt32());
        Assert.True(check.GetProperty("stale").GetInt32() > 0, $"Expected stale reads with sharing off, which proves the lag is real: {check}");
    }

    [Fact]
    public async Task With_sharing_through_redis_two_processes_serve_no_stale_read()
    {
        var pods = await StartPodsAsync(2, "Redis");

        var check = await RunConsistencyCheckAsync(pods);

        Assert.Equal(0, check.GetProperty("errors").GetInt32());
        Assert.Equal(0, check.GetProperty("stale").GetInt32());

        // The tokens are in Redis under the fixed prefix, and every key expires.
        await using var redis = await _redis.ConnectAsync();
        var keys = redis.GetServer(redis.GetEndPoints()[0]).Keys(pattern: "docstore:st:*").ToArray();
        Assert.NotEmpty(keys);
        foreach (var key in keys.Take(20))
        {
            Assert.NotNull(await redis.GetDatabase().KeyTimeToLiveAsync(key));
        }
    }

    [Fact]
    public async Task With_local_sharing_one_process_serves_no_stale_read()
    {
        var pods = await StartPodsAsync(1, "Local");

        var check = await RunConsistencyCheckAsync(pods);

        Assert.Equal(0, check.GetProperty("errors").GetInt32());
        Assert.Equal(0, check.GetProperty("stale").GetInt32());
    }

    [Fact]
    public async Task Two_processes_racing_on_one_partition_leave_the_newest_token_in_redis()
    {
        var pods = await StartPodsAsync(2, "Redis", lag: TimeSpan.Zero);
        var partitionKey = "race-" + Guid.NewGuid().ToString("N");
        var channels = pods.Select(p => p.CreateChannel()).ToArray();
        try
        {
            var clients = channels.Select(c => new DocStoreService.DocStoreServiceClient(c)).ToArray();
            var tokens = await Task.WhenAll(Enumerable.Range(0, 200).Select(async i =>
            {
                try
                {
                    var reply = await clients[i % 2].UpsertAsync(new UpsertRequest { Collection = "items", Document = Doc($"d{i % 10}", partitionKey, i) });
                    return reply.Info.SessionToken;
                }
                catch (RpcException e)
                {
                    throw new InvalidOperationException($"{e.Status}\n{pods[0].Output}\n{pods[1].Output}", e);
                }
            }));
            var newest = tokens.MaxBy(t => long.Parse(t.Split('#')[1], System.Globalization.CultureInfo.InvariantCulture));

            await using var redis = await _redis.ConnectAsync();
            var key = Assert.Single(redis.GetServer(redis.GetEndPoints()[0]).Keys(pattern: $"docstore:st:*:{partitionKey}"));
            Assert.Equal(newest, (string?)await redis.GetDatabase().StringGetAsync(key));
        }
        finally
        {
            foreach (var channel in channels)
            {
                channel.Dispose();
            }
        }
    }

    [Fact]
    public async Task Killing_redis_mid_run_fails_no_call_costs_bounded_latency_and_sharing_resumes_after_restart()
    {
        var pods = await StartPodsAsync(2, "Redis", extra: new()
        {
            ["DocStore__SessionTokens__RedisTimeout"] = "00:00:00.200",
            ["DocStore__SessionTokens__BreakDuration"] = "00:00:01",
        });
        var channels = pods.Select(p => p.CreateChannel()).ToArray();
        try
        {
            var clients = channels.Select(c => new DocStoreService.DocStoreServiceClient(c)).ToArray();

            var before = await WriteThenReadAsync(clients, TimeSpan.FromSeconds(2));
            Assert.Equal(0, before.Failed);
            Assert.Equal(0, before.Stale);

            await _redis.KillAsync();
            var down = await WriteThenReadAsync(clients, TimeSpan.FromSeconds(3));
            Assert.Equal(0, down.Failed);
            Assert.True(down.Calls > 20, $"Only {down.Calls} calls completed while Redis was down.");

            // Bounded: well under StackExchange.Redis's own 5-second timeout, which an unguarded call would wait.
            Assert.True(down.MaxLatency < TimeSpan.FromSeconds(2), $"A call took {down.MaxLatency} while Redis was down.");
            Assert.All(pods, pod => Assert.Contains("Redis keeps failing", pod.Output, StringComparison.Ordinal));

            await _redis.RestartAsync();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (!pods.All(pod => pod.Output.Contains("Redis answers again", StringComparison.Ordinal)))
            {
                Assert.True(DateTime.UtcNow < deadline, "Sharing did not resume after Redis restarted:\n" + pods[0].Output);
                var waiting = await WriteThenReadAsync(clients, TimeSpan.FromMilliseconds(500));
                Assert.Equal(0, waiting.Failed);
            }

            var after = await WriteThenReadAsync(clients, TimeSpan.FromSeconds(2));
            Assert.Equal(0, after.Failed);
            Assert.True(after.Stale == 0, $"{after.Stale} stale reads after Redis came back:\n{pods[0].Output}\n{pods[1].Output}");
        }
        finally
        {
            foreach (var channel in channels)
            {
                channel.Dispose();
            }
        }
    }

    [Fact]
    public async Task A_server_whose_redis_is_down_at_start_up_starts_serves_and_shares_once_redis_comes()
    {
        var port = FreePort.Next();
        var pod = await TestServers.StartAsync(TestPaths.NewDatabasePath(), new Dictionary<string, string>
        {
            ["DocStore__Redis__Configuration"] = $"127.0.0.1:{port}",
        });
        _pods.Add(pod);
        using var channel = pod.CreateChannel();
        var client = new DocStoreService.DocStoreServiceClient(channel);

        await client.UpsertAsync(new UpsertRequest { Collection = "items", Document = Doc("a", "p", 1) });
        var read = await client.GetAsync(new GetRequest { Collection = "items", Id = "a", PartitionKey = "p" });
        Assert.Equal(1, read.Document.Body.Fields["version"].NumberValue);

        await using var late = await RedisServer.StartAsync(port);
        await using var redis = await late.ConnectAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!redis.GetServer(redis.GetEndPoints()[0]).Keys(pattern: "docstore:st:*").Any())
        {
            Assert.True(DateTime.UtcNow < deadline, "No token reached Redis after it came up:\n" + pod.Output);
            await client.UpsertAsync(new UpsertRequest { Collection = "items", Document = Doc("a", "p", 2) });
            await Task.Delay(200);
        }
    }

    private async Task<ServerProcess[]> StartPodsAsync(int count, string sharing, TimeSpan? lag = null, Dictionary<string, string>? extra = null)
    {
        var database = TestPaths.NewDatabasePath();
        var environment = new Dictionary<string, string>
        {
            ["DocStore__Embedded__ReplicaLag"] = (lag ?? Lag).ToString(),
            ["DocStore__Redis__Configuration"] = _redis.Configuration,
            ["DocStore__SessionTokens__Sharing"] = sharing,

            // These runs are about correctness: a loaded machine must not turn a slow Redis into a stale read.
            ["DocStore__SessionTokens__RedisTimeout"] = "00:00:02",
        };
        foreach (var (key, value) in extra ?? [])
        {
            environment[key] = value;
        }

        var pods = await Task.WhenAll(Enumerable.Range(0, count).Select(_ => TestServers.StartAsync(database, environment)));
        _pods.AddRange(pods);
        return pods;
    }

    private static async Task<JsonElement> RunConsistencyCheckAsync(IEnumerable<ServerProcess> pods)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList =
            {
                TestPaths.CliDll, "consistency",
                "--endpoints", string.Join(',', pods.Select(p => p.Address)),
                "--ops", "300", "--concurrency", "8", "--json",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        var output = (await stdout).Trim();
        Assert.True(output.StartsWith('{'), $"docstore consistency printed no JSON (exit {process.ExitCode}): {output}\n{await stderr}");
        var result = JsonDocument.Parse(output).RootElement.Clone();

        // The command's exit code says whether the deployment is consistent: 3 when calls failed, 1 for stale reads.
        var expected = result.GetProperty("errors").GetInt32() > 0 ? 3 : result.GetProperty("stale").GetInt32() > 0 ? 1 : 0;
        Assert.Equal(expected, process.ExitCode);
        Assert.Equal(300, result.GetProperty("ops").GetInt32());
        return result;
    }

    private static Struct Doc(string id, string partitionKey, int version) => new()
    {
        Fields = { ["id"] = Value.ForString(id), ["pk"] = Value.ForString(partitionKey), ["version"] = Value.ForNumber(version) },
    };

    private sealed record Phase(int Calls, int Failed, int Stale, TimeSpan MaxLatency);

    /// <summary>
    /// For <paramref name="duration"/>, four workers write a new version through one pod and read it
    /// at once through the other, timing every call.
    /// </summary>
    private static async Task<Phase> WriteThenReadAsync(DocStoreService.DocStoreServiceClient[] clients, TimeSpan duration)
    {
        int calls = 0, failed = 0, stale = 0;
        long maxTicks = 0;
        var end = DateTime.UtcNow + duration;

        async Task<T> TimedAsync<T>(Func<Task<T>> call)
        {
            var clock = Stopwatch.StartNew();
            try
            {
                return await call();
            }
            finally
            {
                Interlocked.Increment(ref calls);
                var ticks = clock.Elapsed.Ticks;
                long seen;
                while (ticks > (seen = Interlocked.Read(ref maxTicks)) && Interlocked.CompareExchange(ref maxTicks, ticks, seen) != seen)
                {
                }
            }
        }

        async Task WorkerAsync(int worker)
        {
            var partitionKey = $"outage-{Guid.NewGuid():N}";
            for (var version = 0; DateTime.UtcNow < end; version++)
            {
                var id = $"d{version / 4}";
                try
                {
                    await TimedAsync(() => clients[version % 2].UpsertAsync(new UpsertRequest { Collection = "items", Document = Doc(id, partitionKey, version) }).ResponseAsync);
                    var read = await TimedAsync(() => clients[(version + 1) % 2].GetAsync(new GetRequest { Collection = "items", Id = id, PartitionKey = partitionKey }).ResponseAsync);
                    if (read.Document.Body.Fields["version"].NumberValue < version)
                    {
                        Interlocked.Increment(ref stale);
                    }
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
                {
                    Interlocked.Increment(ref stale);
                }
                catch (RpcException)
                {
                    Interlocked.Increment(ref failed);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 4).Select(WorkerAsync));
        return new Phase(calls, failed, stale, TimeSpan.FromTicks(maxTicks));
    }
}
