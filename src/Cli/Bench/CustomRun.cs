using DocStore.Processes;
using DocStore.V1;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace DocStore.Cli.Bench;

/// <summary>
/// One run of an operation mix and its ceiling, against the endpoints given or, with none, against
/// a server this tool starts on a temporary embedded store (with a redis-server when sharing is Redis).
/// </summary>
internal static class CustomRun
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Runs the mix and its ceiling. The server's CPU time is read from <c>/proc</c> for a server started here,
    /// or for <paramref name="serverPid"/> (a server on this machine); otherwise it is not reported.
    /// </summary>
    public static async Task<CustomReport> RunAsync(CustomSettings settings, string? serverPath, int? serverPid, TextWriter progress, CancellationToken cancellationToken)
    {
        var documents = new DocumentSet(settings.Documents, settings.DocumentBytes);
        if (settings.Endpoints.Count > 0)
        {
            var channels = settings.Endpoints.Select(e => Channels.Create(new Uri(e), settings.Security)).ToList();
            try
            {
                var clients = channels.Select(c => new DocStoreService.DocStoreServiceClient(c)).ToList();
                progress.WriteLine($"[bench] seeding {documents.Count:#,0} documents of {documents.DocumentBytes} B through Upsert");
                await DocStoreWorkload.SeedAsync(clients[0], settings.Collection, documents, Math.Min(settings.Concurrency, 16), cancellationToken);
                var cpu = serverPid is { } pid ? () => ProcStat.CpuTime(pid) : (Func<TimeSpan?>?)null;
                var (remoteCeiling, remoteOperations) = await MeasureAsync(settings, channels, documents, cpu, progress, cancellationToken);
                return new CustomReport(MachineInfo.Current(), settings, remoteCeiling, remoteOperations, null);
            }
            finally
            {
                channels.ForEach(c => c.Dispose());
            }
        }

        var serverDll = ServerHost.FindServerDll(serverPath);
        await using var scratch = Scratch.Create();
        var file = scratch.PathFor("docstore.db");
        progress.WriteLine($"[bench] seeding {documents.Count:#,0} documents of {documents.DocumentBytes} B through seed-embedded");
        await ServerHost.SeedEmbeddedAsync(file, settings.Collection, documents, cancellationToken);
        var environment = new Dictionary<string, string>
        {
            ["DocStore__Embedded__Path"] = file,
            ["DocStore__SessionTokens__Sharing"] = settings.Sharing,
            [$"DocStore__Collections__{settings.Collection}__PartitionKeyPath"] = "/pk",
        };
        if (settings.Sharing == "Redis")
        {
            scratch.Redis = await RedisHost.StartAsync(cancellationToken);
            environment["DocStore__Redis__Configuration"] = scratch.Redis.Configuration;
        }

        var server = await ServerHost.StartAsync(serverDll, environment, cancellationToken);
        scratch.Servers.Add(server);
        var (ceiling, operations) = await MeasureAsync(settings, [server.Channel], documents, () => ProcStat.CpuTime(server.ProcessId), progress, cancellationToken);
        return new CustomReport(MachineInfo.Current(), settings, ceiling, operations, new ServerMemory(server.PeakRssBytes, server.RssBytes));
    }

    private static async Task<(OperationResult Ceiling, IReadOnlyList<OperationResult> Operations)> MeasureAsync(
        CustomSettings settings, IReadOnlyList<GrpcChannel> channels, DocumentSet documents, Func<TimeSpan?>? serverCpu, TextWriter progress, CancellationToken cancellationToken)
    {
        // Ceiling, mix, mix, ceiling, each for half the duration: a drift in the machine's other load
        // weighs on both sides alike.
        // --baseline-endpoint: the same mix on another server (e.g. one without authentication) stands in for the ceiling.
        using var baseline = settings.BaselineEndpoint is { } other ? Channels.Create(new Uri(other), settings.Security) : null;
        IWorkload ceilingWorkload = baseline is null
            ? new CeilingWorkload([.. channels.Select(c => new Health.HealthClient(c))], Deadline)
            : new DocStoreWorkload([new DocStoreService.DocStoreServiceClient(baseline)], settings.Collection, documents, settings.Mix, Deadline);
        var clients = channels.Select(c => new DocStoreService.DocStoreServiceClient(c)).ToList();

        // Deletes need documents of their own: created beforehand, enough for deletes at 10,000 a second.
        var deletable = new DeletablePool();
        if (settings.Mix.Operations.Contains(BenchOperation.Delete))
        {
            var share = settings.Each ? 1 : settings.Mix.Fraction(BenchOperation.Delete);
            var count = (int)Math.Min(400_000, (settings.Duration + (settings.Warmup * 2)).TotalSeconds * 10_000 * share);
            progress.WriteLine($"[bench] creating {count:#,0} documents for the deletes, in batches of {DocStoreWorkload.MaxBatch}");
            await deletable.FillAsync(clients[0], settings.Collection, documents, count, Math.Min(settings.Concurrency, 8), cancellationToken);
        }

        // --each: every operation of the mix alone, so that each one's ratio to the ceiling is its own.
        IWorkload[] workloads = settings.Each
            ? [.. settings.Mix.Operations.Select(o => new DocStoreWorkload(clients, settings.Collection, documents, OperationMix.Only(o), Deadline, deletable))]
            : [new DocStoreWorkload(clients, settings.Collection, documents, settings.Mix, Deadline, deletable)];
        var half = settings.Duration / 2;
        progress.WriteLine(settings.Each
            ? $"[bench] ceiling (grpc.health.v1.Health/Check, service {CeilingWorkload.Service}), then each of {settings.Mix} alone, then again in reverse order, at concurrency {settings.Concurrency}"
            : $"[bench] ceiling (grpc.health.v1.Health/Check, service {CeilingWorkload.Service}), then {settings.Mix}, then again in reverse order, at concurrency {settings.Concurrency}");
        var ceiling1 = await ClosedLoop.RunAsync(ceilingWorkload, settings.Concurrency, settings.Warmup, half, cancellationToken, serverCpu);
        var first = new List<IReadOnlyList<OperationResult>>();
        foreach (var workload in workloads)
        {
            first.Add(await ClosedLoop.RunAsync(workload, settings.Concurrency, settings.Warmup, half, cancellationToken, serverCpu));
        }

        var second = new IReadOnlyList<OperationResult>[workloads.Length];
        for (var i = workloads.Length - 1; i >= 0; i--)
        {
            second[i] = await ClosedLoop.RunAsync(workloads[i], settings.Concurrency, settings.Warmup, settings.Duration - half, cancellationToken, serverCpu);
        }

        var ceiling2 = await ClosedLoop.RunAsync(ceilingWorkload, settings.Concurrency, settings.Warmup, settings.Duration - half, cancellationToken, serverCpu);
        var ceiling = new[] { Measurements.Merge([ceiling1[0], ceiling2[0]]) };

        // Alone, a workload's first row is its operation (a delete's fallback creates come after it).
        var operations = settings.Each
            ? first.Zip(second, (a, b) => Measurements.Merge([a[0], b[0]])).ToList()
            : first[0].Zip(second[0], (a, b) => Measurements.Merge([a, b])).ToList();
        return (ceiling[0], operations);
    }
}
