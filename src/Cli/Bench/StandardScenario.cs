using System.Diagnostics;
using System.Globalization;
using System.Text;
using DocStore.Processes;

namespace DocStore.Cli.Bench;

/// <summary>
/// The suite behind docs/performance.md's table, against servers this tool starts: a redis-server on a free
/// port, and DocStore servers on temporary embedded store files seeded through
/// <c>docstore seed-embedded</c> (the server's own schema code). Side-by-side figures are measured in two halves in mirrored order
/// (A B B A), so that a drift in the machine's other load weighs on both sides alike.
/// </summary>
internal sealed class StandardScenario(string serverDll, TimeSpan duration, TimeSpan warmup, TextWriter progress)
{
    public const int Concurrency = 64;
    public const int SizeConcurrency = 16;
    public const int SmallStoreDocuments = 10_000;
    public const int LargeStoreDocuments = 1_000_000;
    public const string Collection = "items";

    /// <summary>The keys the server writes session tokens under: DocStore.Server.Consistency.TokenKeys.Prefix.</summary>
    public const string TokenKeyPattern = "docstore:st:*";

    /// <summary>Documents of each larger size; enough that reads spread over several, few enough to seed in a moment.</summary>
    private const int SizedDocuments = 64;

    private static readonly int[] Sizes = [1024, 16 * 1024, 256 * 1024, 1024 * 1024];

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    public async Task<StandardReport> RunAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        await using var scratch = Scratch.Create();
        var servers = scratch.Servers;
        var redis = scratch.Redis = await RedisHost.StartAsync(cancellationToken);
        var smallFile = scratch.PathFor("small.db");
        var largeFile = scratch.PathFor("large.db");

        // The sharing-Off server reads a copy of the same documents, not the same file: a second process
        // on one SQLite file cost the other's writes about a fifth of their throughput here, an
        // artifact of the embedded store's multi-process mode that row 1 should not measure.
        var offFile = scratch.PathFor("small-off.db");
        var small = new DocumentSet(SmallStoreDocuments, 1024);
        var large = new DocumentSet(LargeStoreDocuments, 1024);
        var sized = Sizes.Skip(1).ToDictionary(size => size, size => new DocumentSet(SizedDocuments, size));

        Say($"seeding {small.Count:#,0} + {sized.Count} x {SizedDocuments} documents, then {large.Count:#,0}, through seed-embedded");
        await ServerHost.SeedEmbeddedAsync(smallFile, Collection, small, cancellationToken);
        await ServerHost.SeedEmbeddedAsync(offFile, Collection, small, cancellationToken);
        foreach (var (size, documents) in sized)
        {
            await ServerHost.SeedEmbeddedAsync(smallFile, SizedCollection(size), documents, cancellationToken);
        }

        var seeding = Stopwatch.StartNew();
        await ServerHost.SeedEmbeddedAsync(largeFile, Collection, large, cancellationToken);
        Say($"seeded {large.Count:#,0} documents in {seeding.Elapsed.TotalSeconds:0.0} s");

        var main = await StartAsync(servers, smallFile, "Redis", redis, cancellationToken);
        var off = await StartAsync(servers, offFile, "Off", redis, cancellationToken);
        var largeServer = await StartAsync(servers, largeFile, "Redis", redis, cancellationToken);

        Say($"1. ceiling, get, upsert and patch at concurrency {Concurrency}");
        var row1 = await MirroredAsync(
            [
                Run(new CeilingWorkload([main.Health], Deadline), Concurrency, main),
                Run(DocStore(main, Collection, small, BenchOperation.Get), Concurrency, main),
                Run(DocStore(main, Collection, small, BenchOperation.Upsert), Concurrency, main),
                Run(DocStore(main, Collection, small, BenchOperation.Patch), Concurrency, main),
            ],
            cancellationToken);

        var peakAfterRows = new List<long?> { main.PeakRssBytes };
        Say("2. get at concurrency 1, sharing Off versus Redis");
        var row2 = await MirroredAsync(
            [
                Run(DocStore(off, Collection, small, BenchOperation.Get), 1),
                Run(DocStore(main, Collection, small, BenchOperation.Get), 1),
            ],
            cancellationToken);

        peakAfterRows.Add(main.PeakRssBytes);
        Say($"3. get by document size at concurrency {SizeConcurrency}");
        var row3 = await MirroredAsync(
            [.. Sizes.Select(size => size == 1024
                ? Run(DocStore(main, Collection, small, BenchOperation.Get), SizeConcurrency)
                : Run(DocStore(main, SizedCollection(size), sized[size], BenchOperation.Get), SizeConcurrency))],
            cancellationToken);

        peakAfterRows.Add(main.PeakRssBytes);
        Say($"4. get at concurrency 1 with {small.Count:#,0} versus {large.Count:#,0} documents");
        var row4 = await MirroredAsync(
            [
                Run(DocStore(main, Collection, small, BenchOperation.Get), 1),
                Run(DocStore(largeServer, Collection, large, BenchOperation.Get), 1),
            ],
            cancellationToken);

        peakAfterRows.Add(main.PeakRssBytes);
        Say("5. memory");
        var peaks = new Dictionary<string, long?>
        {
            ["sharing Redis, 10,000 documents"] = main.PeakRssBytes,
            ["sharing Off"] = off.PeakRssBytes,
            ["1,000,000 documents"] = largeServer.PeakRssBytes,
        };
        var redisUsage = await MeasureRedisAsync(redis, cancellationToken);

        return new StandardReport
        {
            Machine = MachineInfo.Current(),
            Concurrency = Concurrency,
            SizeConcurrency = SizeConcurrency,
            Duration = duration,
            Ceiling = row1[0],
            Operations = row1[1..],
            GetSharingOff = row2[0],
            GetSharingRedis = row2[1],
            Sizes = [.. Sizes.Select((size, i) => new SizeResult(size, row3[i]))],
            SmallStoreDocuments = small.Count,
            LargeStoreDocuments = large.Count,
            GetSmallStore = row4[0],
            GetLargeStore = row4[1],
            Server = new ServerMemory(peaks.Values.Max(), main.RssBytes),
            PeakRssByServer = peaks,
            Redis = redisUsage,
            PeakRssAfterRows = peakAfterRows,
            RedisFallbacks = (servers.Sum(s => s.RedisFallbacks.FailedCalls), servers.Sum(s => s.RedisFallbacks.BreakerOpened)),
            Elapsed = clock.Elapsed,
        };
    }

    /// <summary>The session-token keys in the benchmark's own Redis: their size (MEMORY USAGE) and TTL.</summary>
    public static async Task<RedisUsage> MeasureRedisAsync(RedisHost redis, CancellationToken cancellationToken)
    {
        var keys = await redis.KeysAsync(TokenKeyPattern, cancellationToken);
        int counted = 0, withoutTtl = 0;
        long total = 0, minTtl = long.MaxValue, maxTtl = 0;
        foreach (var key in keys)
        {
            if (await redis.CommandAsync(cancellationToken, "MEMORY", "USAGE", key, "SAMPLES", "0") is not long bytes
                || await redis.CommandAsync(cancellationToken, "TTL", key) is not long ttl || ttl == -2)
            {
                continue; // expired meanwhile
            }

            counted++;
            total += bytes;
            if (ttl < 0)
            {
                withoutTtl++;
            }
            else
            {
                minTtl = Math.Min(minTtl, ttl);
                maxTtl = Math.Max(maxTtl, ttl);
            }
        }

        return new RedisUsage(counted, total, withoutTtl, minTtl == long.MaxValue ? 0 : minTtl, maxTtl);
    }

    private static string SizedCollection(int bytes) => "size" + bytes.ToString(CultureInfo.InvariantCulture);

    private static DocStoreWorkload DocStore(ServerHost server, string collection, DocumentSet documents, BenchOperation operation) =>
        new([server.Client], collection, documents, OperationMix.Only(operation), Deadline);

    private async Task<ServerHost> StartAsync(List<ServerHost> servers, string file, string sharing, RedisHost redis, CancellationToken cancellationToken)
    {
        var environment = new Dictionary<string, string>
        {
            ["DocStore__Embedded__Path"] = file,
            ["DocStore__Redis__Configuration"] = redis.Configuration,
            ["DocStore__SessionTokens__Sharing"] = sharing,
            [$"DocStore__Collections__{Collection}__PartitionKeyPath"] = "/pk",
        };
        foreach (var size in Sizes.Skip(1))
        {
            environment[$"DocStore__Collections__{SizedCollection(size)}__PartitionKeyPath"] = "/pk";
        }

        var server = await ServerHost.StartAsync(serverDll, environment, cancellationToken);
        servers.Add(server);
        return server;
    }

    /// <summary>One measurement; with <paramref name="server"/>, that server's CPU time over the window is read too.</summary>
    private Func<TimeSpan, CancellationToken, Task<OperationResult>> Run(IWorkload workload, int concurrency, ServerHost? server = null) =>
        async (window, cancellationToken) => (await ClosedLoop.RunAsync(
            workload, concurrency, warmup, window, cancellationToken, server is null ? null : () => ProcStat.CpuTime(server.ProcessId)))[0];

    private Task<OperationResult[]> MirroredAsync(IReadOnlyList<Func<TimeSpan, CancellationToken, Task<OperationResult>>> runs, CancellationToken cancellationToken) =>
        Measurements.MirroredAsync(runs, duration, cancellationToken);

    private void Say(string message)
    {
        var line = new StringBuilder().Append(CultureInfo.InvariantCulture, $"[bench {DateTime.UtcNow:HH:mm:ss}] ").Append(message).ToString();
        progress.WriteLine(line);
    }
}
