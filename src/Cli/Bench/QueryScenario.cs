using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using DocStore.Processes;
using DocStore.V1;

namespace DocStore.Cli.Bench;

/// <summary>
/// <c>docstore bench --scenario query</c>: on embedded stores seeded through <c>docstore seed-embedded</c> with 20
/// documents per partition, a partition query that returns those 20 documents (and a change-feed read of the
/// same partition) beside Get, at concurrency 1, on a 10,000-document store and on a large one (1,000,000 by
/// default), in one run, measured in two halves in mirrored order (A B B A). Then the change feed's delay: the
/// time from an Upsert to the document's arrival on an open WatchChanges stream, with the stream on the
/// writing server (the in-process signal) and on a second server process on the same file (polling).
/// </summary>
internal sealed class QueryScenario(string serverDll, int largeDocuments, int trials, string sharing, TimeSpan duration, TimeSpan warmup, TextWriter progress)
{
    public const int SmallStoreDocuments = 10_000;
    public const int DefaultLargeStoreDocuments = 1_000_000;
    public const int DefaultTrials = 200;

    /// <summary>Each partition holds this many documents, so a partition query returns one whole page of them.</summary>
    public const int DocumentsPerPartition = DocStoreWorkload.PageSize;

    private const string Collection = "items";

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>The gap between the change-feed trials' writes, so that each one's delay is its own.</summary>
    private static readonly TimeSpan TrialGap = TimeSpan.FromMilliseconds(20);

    public async Task<QueryReport> RunAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        await using var scratch = Scratch.Create();
        if (sharing == "Redis")
        {
            scratch.Redis = await RedisHost.StartAsync(cancellationToken);
        }

        var stores = new List<(DocumentSet Documents, ServerHost Server, TimeSpan Seeding)>();
        foreach (var count in new[] { SmallStoreDocuments, largeDocuments })
        {
            var documents = new DocumentSet(count, 1024, Math.Max(1, count / DocumentsPerPartition));
            var file = scratch.PathFor($"query-{count}.db");
            Say($"seeding {count:#,0} documents, {DocumentsPerPartition} per partition, through seed-embedded");
            var seeding = Stopwatch.StartNew();
            await ServerHost.SeedEmbeddedAsync(file, Collection, documents, cancellationToken);
            Say($"seeded {count:#,0} documents in {seeding.Elapsed.TotalSeconds:0.0} s");
            var server = await StartAsync(scratch, file, cancellationToken);
            await CheckQueryReturnsAPartitionAsync(server, documents, cancellationToken);
            stores.Add((documents, server, seeding.Elapsed));
        }

        Say($"get, query and changes at concurrency 1 on {SmallStoreDocuments:#,0} and {largeDocuments:#,0} documents");
        var runs = stores.SelectMany(store => new[] { BenchOperation.Get, BenchOperation.Query, BenchOperation.Changes }
            .Select(operation => Run(new DocStoreWorkload([store.Server.Client], Collection, store.Documents, OperationMix.Only(operation), Deadline), store.Server)))
            .ToList();
        var results = await MirroredAsync(runs, cancellationToken);

        var small = stores[0].Server;
        Say($"change feed: {trials} writes, each awaited on a WatchChanges stream of the writing server");
        var sameProcess = await MeasureFeedAsync(small.Client, small.Client, cancellationToken);
        var other = await StartAsync(scratch, scratch.PathFor($"query-{SmallStoreDocuments}.db"), cancellationToken);
        Say($"change feed: {trials} writes, each awaited on a WatchChanges stream of a second server process on the same file");
        var otherProcess = await MeasureFeedAsync(small.Client, other.Client, cancellationToken);

        return new QueryReport
        {
            Machine = MachineInfo.Current(),
            Sharing = sharing,
            Duration = duration,
            Stores = [.. stores.Select((store, i) => new QueryStoreResult(store.Documents.Count, store.Seeding, results[i * 3], results[i * 3 + 1], results[i * 3 + 2]))],
            FeedSameProcess = sameProcess,
            FeedOtherProcess = otherProcess,
            Elapsed = clock.Elapsed,
        };
    }

    /// <summary>A query of partition <c>pk-0</c> must return its 20 documents on one page, or the figures would not be what they say.</summary>
    private static async Task CheckQueryReturnsAPartitionAsync(ServerHost server, DocumentSet documents, CancellationToken cancellationToken)
    {
        var page = await server.Client.QueryAsync(DocStoreWorkload.QueryOf(Collection, documents.PartitionKey(0)), deadline: DateTime.UtcNow + Deadline, cancellationToken: cancellationToken);
        if (page.Documents.Count != DocumentsPerPartition)
        {
            throw new InvalidOperationException($"A partition query returned {page.Documents.Count} documents, not {DocumentsPerPartition}.");
        }
    }

    private async Task<ServerHost> StartAsync(Scratch scratch, string file, CancellationToken cancellationToken)
    {
        var environment = new Dictionary<string, string>
        {
            ["DocStore__Embedded__Path"] = file,
            ["DocStore__SessionTokens__Sharing"] = sharing,
            [$"DocStore__Collections__{Collection}__PartitionKeyPath"] = "/pk",
        };
        if (scratch.Redis is { } redis)
        {
            environment["DocStore__Redis__Configuration"] = redis.Configuration;
        }

        var server = await ServerHost.StartAsync(serverDll, environment, cancellationToken);
        scratch.Servers.Add(server);
        return server;
    }

    /// <summary>
    /// Writes the trials' documents one at a time through <paramref name="writer"/>, each awaited on a
    /// WatchChanges stream opened on <paramref name="watcher"/>; ten more first warm both paths and are not recorded.
    /// </summary>
    private async Task<FeedDelay> MeasureFeedAsync(DocStoreService.DocStoreServiceClient writer, DocStoreService.DocStoreServiceClient watcher, CancellationToken cancellationToken)
    {
        var partition = "feed-" + Guid.NewGuid().ToString("N");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var call = watcher.WatchChanges(new WatchChangesRequest { Collection = Collection, PartitionKey = partition, FromNow = true }, cancellationToken: stop.Token);
        if (!await call.ResponseStream.MoveNext(stop.Token))
        {
            throw new InvalidOperationException("The WatchChanges stream ended before its first message.");
        }

        var waiting = new ConcurrentDictionary<string, TaskCompletionSource<long>>(StringComparer.Ordinal);
        var reader = Task.Run(async () =>
        {
            try
            {
                while (await call.ResponseStream.MoveNext(stop.Token))
                {
                    var arrived = Stopwatch.GetTimestamp();
                    foreach (var document in call.ResponseStream.Current.Documents)
                    {
                        if (waiting.TryRemove(document.Id, out var arrival))
                        {
                            arrival.TrySetResult(arrived);
                        }
                    }
                }
            }
            catch (Grpc.Core.RpcException) when (stop.IsCancellationRequested)
            {
            }
        }, CancellationToken.None);

        var fromReply = new List<double>(trials);
        var fromSend = new List<double>(trials);
        for (var i = -10; i < trials; i++)
        {
            var id = "t" + (i + 10).ToString(CultureInfo.InvariantCulture);
            var arrival = waiting.GetOrAdd(id, _ => new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously));
            var body = new Google.Protobuf.WellKnownTypes.Struct();
            body.Fields["id"] = Google.Protobuf.WellKnownTypes.Value.ForString(id);
            body.Fields["pk"] = Google.Protobuf.WellKnownTypes.Value.ForString(partition);
            var sent = Stopwatch.GetTimestamp();
            await writer.UpsertAsync(new UpsertRequest { Collection = Collection, Document = body }, deadline: DateTime.UtcNow + Deadline, cancellationToken: cancellationToken);
            var replied = Stopwatch.GetTimestamp();
            var arrived = await arrival.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            if (i >= 0)
            {
                fromReply.Add(Stopwatch.GetElapsedTime(replied, arrived).TotalMilliseconds);
                fromSend.Add(Stopwatch.GetElapsedTime(sent, arrived).TotalMilliseconds);
            }

            await Task.Delay(TrialGap, cancellationToken);
        }

        await stop.CancelAsync();
        await reader;
        return new FeedDelay(trials, Percentile(fromReply, 50), Percentile(fromReply, 99), Percentile(fromSend, 50), Percentile(fromSend, 99), fromSend.Max());
    }

    /// <summary>The nearest-rank percentile of <paramref name="values"/>.</summary>
    private static double Percentile(List<double> values, double percentile)
    {
        var sorted = values.Order().ToList();
        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    private Func<TimeSpan, CancellationToken, Task<OperationResult>> Run(IWorkload workload, ServerHost server) =>
        async (window, cancellationToken) => (await ClosedLoop.RunAsync(workload, 1, warmup, window, cancellationToken, () => ProcStat.CpuTime(server.ProcessId)))[0];

    private Task<OperationResult[]> MirroredAsync(IReadOnlyList<Func<TimeSpan, CancellationToken, Task<OperationResult>>> runs, CancellationToken cancellationToken) =>
        Measurements.MirroredAsync(runs, duration, cancellationToken);

    private void Say(string message) =>
        progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[bench {DateTime.UtcNow:HH:mm:ss}] {message}"));
}

/// <summary>Get, Query and ReadChanges on one store.</summary>
internal sealed record QueryStoreResult(int Documents, TimeSpan Seeding, OperationResult Get, OperationResult Query, OperationResult Changes)
{
    /// <summary>The query's p50 latency over Get's.</summary>
    public double QueryP50RatioToGet => Get.P50Ms > 0 ? Query.P50Ms / Get.P50Ms : double.NaN;

    /// <summary>The change-feed read's p50 latency over Get's.</summary>
    public double ChangesP50RatioToGet => Get.P50Ms > 0 ? Changes.P50Ms / Get.P50Ms : double.NaN;
}

/// <summary>The change feed's delay in milliseconds: from the Upsert's reply (commit happened before it) and from its sending.</summary>
internal sealed record FeedDelay(int Trials, double FromReplyP50Ms, double FromReplyP99Ms, double FromSendP50Ms, double FromSendP99Ms, double FromSendMaxMs);

/// <summary>What <see cref="QueryScenario"/> measured.</summary>
internal sealed class QueryReport
{
    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    public required MachineInfo Machine { get; init; }

    public required string Sharing { get; init; }

    public required TimeSpan Duration { get; init; }

    public required IReadOnlyList<QueryStoreResult> Stores { get; init; }

    public required FeedDelay FeedSameProcess { get; init; }

    public required FeedDelay FeedOtherProcess { get; init; }

    public required TimeSpan Elapsed { get; init; }

    public long Errors => Stores.Sum(s => s.Get.Errors + s.Query.Errors + s.Changes.Errors);

    public string ToJson() => JsonSerializer.Serialize(new
    {
        scenario = "query",
        machine = Machine.Describe(),
        sharing = Sharing,
        concurrency = 1,
        duration_s = Duration.TotalSeconds,
        documents_per_partition = QueryScenario.DocumentsPerPartition,
        errors = Errors,
        stores = Stores.Select(s => new
        {
            documents = s.Documents,
            seeding_s = Math.Round(s.Seeding.TotalSeconds, 1),
            get = Figures(s.Get),
            query = Figures(s.Query),
            changes = Figures(s.Changes),
            query_p50_ratio_to_get = Math.Round(s.QueryP50RatioToGet, 2),
            changes_p50_ratio_to_get = Math.Round(s.ChangesP50RatioToGet, 2),
        }),
        change_feed_delay_ms = new { same_process = FeedSameProcess, other_process = FeedOtherProcess },
        elapsed_s = Math.Round(Elapsed.TotalSeconds),
    }, JsonOptions);

    public string ToTable()
    {
        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"machine: {Machine.Describe()}");
        table.AppendLine(CultureInfo.InvariantCulture,
            $"query scenario: embedded store, sharing {Sharing}, concurrency 1, {Duration.TotalSeconds:0.#} s per figure in two mirrored halves; {QueryScenario.DocumentsPerPartition} documents of 1 KB per partition; query = one page of a partition with a filter on /n that all match; changes = ReadChanges of a partition from its start, max_items {DocStoreWorkload.PageSize}");
        table.AppendLine("| store | op | calls/s | p50 ms | p99 ms | p50 / get p50 | server CPU us/call | errors |");
        table.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var store in Stores)
        {
            Row(store.Documents, "get", store.Get, 1);
            Row(store.Documents, "query (20 docs)", store.Query, store.QueryP50RatioToGet);
            Row(store.Documents, "changes (20 docs)", store.Changes, store.ChangesP50RatioToGet);
        }

        table.AppendLine();
        table.AppendLine(CultureInfo.InvariantCulture, $"change feed delay, Upsert to WatchChanges stream, {FeedSameProcess.Trials} writes one at a time (ms):");
        table.AppendLine("| stream on | from reply p50 | from reply p99 | from send p50 | from send p99 | from send max |");
        table.AppendLine("|---|---|---|---|---|---|");
        Feed("the writing server", FeedSameProcess);
        Feed("another server process, same file", FeedOtherProcess);
        table.AppendLine();
        table.AppendLine(CultureInfo.InvariantCulture, $"seeding: {string.Join(", ", Stores.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Documents:#,0} in {s.Seeding.TotalSeconds:0.0} s")))}; whole run {Elapsed.TotalMinutes:0.0} min");
        foreach (var failed in Stores.SelectMany(s => new[] { s.Get, s.Query, s.Changes }).Where(r => r.FirstError is not null))
        {
            table.AppendLine(CultureInfo.InvariantCulture, $"{failed.Name}: {failed.Errors} errors, first: {failed.FirstError}");
        }

        return table.ToString();

        void Row(int documents, string name, OperationResult result, double ratio) =>
            table.AppendLine(CultureInfo.InvariantCulture,
                $"| {documents:#,0} | {name} | {result.Rps:0} | {result.P50Ms:0.000} | {result.P99Ms:0.000} | {ratio:0.00} | {result.OwnServerCpuMicrosecondsPerCall?.ToString("0", CultureInfo.InvariantCulture) ?? "n/a"} | {result.Errors} |");

        void Feed(string on, FeedDelay delay) =>
            table.AppendLine(CultureInfo.InvariantCulture,
                $"| {on} | {delay.FromReplyP50Ms:0.0} | {delay.FromReplyP99Ms:0.0} | {delay.FromSendP50Ms:0.0} | {delay.FromSendP99Ms:0.0} | {delay.FromSendMaxMs:0.0} |");
    }

    private static object Figures(OperationResult result) => new
    {
        rps = Math.Round(result.Rps, 1),
        p50_ms = Math.Round(result.P50Ms, 3),
        p99_ms = Math.Round(result.P99Ms, 3),
        server_cpu_us_per_call = result.OwnServerCpuMicrosecondsPerCall is { } cpu ? Math.Round(cpu) : (double?)null,
        errors = result.Errors,
        first_error = result.FirstError,
    };
}
