using System.Globalization;
using System.Text.RegularExpressions;
using DocStore.Server.Tests.Infrastructure;
using DocStore.V1;
using Xunit.Abstractions;

namespace DocStore.Server.Tests.EndToEnd;

/// <summary>
/// Session tokens shared through a real Redis Cluster on loopback (three masters, one replica each, joined by
/// <c>redis-cli --cluster create</c>) by two real server processes with a replica lag, signed in as the ACL user
/// of docs/redis.md: keys land on every master,
/// StackExchange.Redis follows MOVED when slots move, and a master killed with SIGKILL costs no failed call.
/// </summary>
public sealed partial class RedisClusterTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Partitions = 48;
    private const string Password = "cluster-user-secret";

    private RedisCluster _cluster = null!;
    private ServerProcess[] _pods = null!;
    private DocStoreService.DocStoreServiceClient[] _clients = null!;
    private Grpc.Net.Client.GrpcChannel[] _channels = null!;

    public async Task InitializeAsync()
    {
        // The servers sign in as the ACL user docs/redis.md gives, so the tests also prove its rules enough for a cluster.
        _cluster = await RedisCluster.StartAsync(users: [RedisAcl.User("docstore", Password)]);
        var database = TestPaths.NewDatabasePath();
        var environment = new Dictionary<string, string>
        {
            ["DocStore__Embedded__ReplicaLag"] = "00:00:01",
            ["DocStore__Redis__Configuration"] = _cluster.ConfigurationFor("docstore", Password),
            ["DocStore__SessionTokens__Sharing"] = "Redis",
            ["DocStore__SessionTokens__RedisTimeout"] = "00:00:02",
            ["DocStore__SessionTokens__BreakDuration"] = "00:00:01",
        };
        _pods = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => TestServers.StartAsync(database, environment)));
        _channels = _pods.Select(p => p.CreateChannel()).ToArray();
        _clients = _channels.Select(c => new DocStoreService.DocStoreServiceClient(c)).ToArray();
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

        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task Two_servers_share_tokens_through_the_cluster_with_keys_on_every_master_and_follow_MOVED_after_slots_move()
    {
        var prefix = Guid.NewGuid().ToString("N")[..8];
        var first = await WriteThenReadAsync(prefix, version: 1);
        Assert.Equal((0, 0), (first.Failed, first.Stale));

        // The token keys spread over the slots, so every master holds some.
        var masters = await _cluster.MastersAsync();
        var sizes = await Task.WhenAll(masters.Select(m => CliAsync(m, "DBSIZE")));
        output.WriteLine($"token keys per master: {string.Join(", ", sizes)}");
        Assert.All(sizes, size => Assert.True(int.Parse(size, CultureInfo.InvariantCulture) > 0, $"a master holds no key: {string.Join(", ", sizes)}"));

        // ReadMany through pod B of version 2, written through pod A: it touches every partition at once; each
        // partition's token is its own key and its own GET, on whichever master holds it, so the read sees every
        // write and no node refuses a command as CROSSSLOT.
        await Task.WhenAll(Enumerable.Range(0, Partitions).Select(i =>
            _clients[0].UpsertAsync(new UpsertRequest { Collection = "items", Document = ReadAfterWrite.Document("d", $"{prefix}-{i}", 2) }).ResponseAsync));
        var many = await _clients[1].ReadManyAsync(new ReadManyRequest
        {
            Collection = "items",
            Keys = { Enumerable.Range(0, Partitions).Select(i => new DocumentKey { Id = "d", PartitionKey = $"{prefix}-{i}" }) },
        });
        Assert.Equal(Partitions, many.Documents.Count);
        Assert.All(many.Documents, d => Assert.Equal(2, d.Body.Fields["version"].NumberValue));

        // Move a third of the first master's slots (and their keys) to the second: the servers' slot maps are now
        // stale, so Redis answers them MOVED (or ASK while a slot migrates), and StackExchange.Redis must follow.
        var from = await CliAsync(masters[0], "CLUSTER", "MYID");
        var to = await CliAsync(masters[1], "CLUSTER", "MYID");
        var reshard = await RedisCluster.RedisCli(
            ["--cluster", "reshard", $"127.0.0.1:{masters[0].Port}", "--cluster-from", from, "--cluster-to", to, "--cluster-slots", "1800", "--cluster-yes"]);
        Assert.True(reshard.ExitCode == 0, reshard.Output);

        var before = Redirects(await CliAsync(masters[0], "INFO", "errorstats"));
        var second = await WriteThenReadAsync(prefix, version: 3);
        var moved = Redirects(await CliAsync(masters[0], "INFO", "errorstats")) - before;
        output.WriteLine($"after the reshard: {second.Failed} failed, {second.Stale} stale of {Partitions}; MOVED/ASK answered by the old owner: {moved}");
        Assert.Equal((0, 0), (second.Failed, second.Stale));
        Assert.True(moved > 0, "No MOVED or ASK was answered: the reshard did not exercise redirects.");
        Assert.All(_pods, pod => Assert.DoesNotContain("CROSSSLOT", pod.Output, StringComparison.Ordinal));
        foreach (var master in await _cluster.MastersAsync())
        {
            Assert.DoesNotContain("CROSSSLOT", await CliAsync(master, "INFO", "errorstats"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Killing_a_master_with_kill_9_fails_no_call_and_sharing_recovers_once_its_replica_is_promoted()
    {
        var prefix = Guid.NewGuid().ToString("N")[..8];
        Assert.Equal((0, 0), await WriteThenReadAsync(prefix, version: 1));

        var victim = (await _cluster.MastersAsync())[0];
        await victim.KillAsync();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        // Until a replica takes over, a third of the slots have no master: those calls go on without a shared
        // token (maybe stale, never failed).
        var version = 2;
        var failedWhileDown = 0;
        var staleWhileDown = 0;
        while (!await _cluster.IsServingEverySlotAsync() || (await _cluster.MastersAsync()).Count < 3)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "No replica was promoted within a minute.");
            var round = await WriteThenReadAsync(prefix, version++);
            failedWhileDown += round.Failed;
            staleWhileDown += round.Stale;
        }

        var promotedAfter = clock.Elapsed;

        // Once promoted, sharing resumes within a few rounds (StackExchange.Redis learns the new topology).
        var recovered = false;
        var staleAfter = 0;
        var rounds = 0;
        while (!recovered && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            var round = await WriteThenReadAsync(prefix, version++);
            failedWhileDown += round.Failed;
            staleAfter += round.Stale;
            recovered = round.Stale == 0;
            rounds++;
        }

        output.WriteLine($"master killed: replica promoted after {promotedAfter.TotalSeconds:F1} s; {failedWhileDown} failed calls; {staleWhileDown} stale reads before the promotion, {staleAfter} after it over {rounds} rounds of {Partitions}; recovered after {clock.Elapsed.TotalSeconds:F1} s; circuit breaker opened: {_pods.Any(p => p.Output.Contains("Redis keeps failing", StringComparison.Ordinal))}");
        Assert.Equal(0, failedWhileDown);
        Assert.True(recovered, $"Reads were still stale a minute after the kill:\n{_pods[0].Output}");
    }

    /// <summary>
    /// Writes <paramref name="version"/> of one document in each of <see cref="Partitions"/> partitions through pod A
    /// and reads it at once through pod B (eight at a time); counts failed calls and stale reads.
    /// </summary>
    private async Task<(int Failed, int Stale)> WriteThenReadAsync(string prefix, int version)
    {
        var outcomes = new System.Collections.Concurrent.ConcurrentBag<ReadAfterWrite.Outcome>();
        await Parallel.ForEachAsync(Enumerable.Range(0, Partitions), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, cancellationToken) =>
            outcomes.Add(await ReadAfterWrite.CheckAsync(_clients[0], _clients[1], $"{prefix}-{i}", version, cancellationToken)));
        var tally = ReadAfterWrite.Tally.Of(outcomes);
        return (tally.Failed, tally.Stale);
    }

    private static async Task<string> CliAsync(RedisServer node, params string[] command)
    {
        var result = await RedisCluster.RedisCli(["-p", node.Port.ToString(CultureInfo.InvariantCulture), .. command]);
        Assert.True(result.ExitCode == 0, result.Output);
        return result.Output.Trim();
    }

    /// <summary>The MOVED and ASK answers counted in <c>INFO errorstats</c>.</summary>
    private static int Redirects(string errorStats) =>
        ErrorStat().Matches(errorStats).Sum(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));

    [GeneratedRegex(@"errorstat_(?:MOVED|ASK):count=(\d+)")]
    private static partial Regex ErrorStat();
}
