using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using DocStore.V1;
using Google.Protobuf;
using Grpc.Core;

namespace DocStore.Cli.Bench;

/// <summary>
/// <c>docstore bench --scenario memory</c>: starts a server, sends rounds of concurrent maximum-size
/// Upserts (messages just under the receive limit, whose documents are over 2 MB and so refused, then
/// documents of exactly 2 MB, which are stored), samples the server's resident set size throughout, and
/// then for an idle minute. Reports the peak and what is left after the idle minute, and the status
/// codes the calls got.
/// </summary>
internal sealed class MemoryScenario(string serverDll, int concurrency, int messageBytes, TimeSpan idle, TextWriter progress)
{
    /// <summary>The largest document the contract carries, as UTF-8 JSON.</summary>
    private const int MaxDocumentBytes = 2 * 1024 * 1024;

    private static readonly TimeSpan SampleEvery = TimeSpan.FromMilliseconds(100);

    public async Task<MemoryReport> RunAsync(CancellationToken cancellationToken)
    {
        await using var scratch = Scratch.Create();
        var server = await ServerHost.StartAsync(serverDll, new Dictionary<string, string> { ["DocStore__Embedded__Path"] = scratch.PathFor("memory.db") }, cancellationToken);
        scratch.Servers.Add(server);
        var startRss = server.RssBytes ?? 0;
        var samples = new List<(double Seconds, long Rss)>();
        var clock = Stopwatch.StartNew();
        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sampler = SampleAsync(server, clock, samples, sampling.Token);

        var statuses = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var rounds = new (string Name, int DocumentBytes)[]
        {
            ($"{concurrency} x {Megabytes(messageBytes)} message (document over 2 MB)", messageBytes - 64),
            ($"{concurrency} x 2 MB document", MaxDocumentBytes),
            ($"{concurrency} x {Megabytes(messageBytes)} message (document over 2 MB)", messageBytes - 64),
        };
        foreach (var (name, documentBytes) in rounds)
        {
            await progress.WriteLineAsync($"memory: {name}");
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(i => UpsertAsync(server, i, documentBytes, statuses, cancellationToken)));
        }

        var loadEnded = clock.Elapsed;
        var peakUnderLoad = Math.Max(server.PeakRssBytes ?? 0, Max(samples));
        await progress.WriteLineAsync($"memory: idle for {idle.TotalSeconds:0} s");
        await Task.Delay(idle, cancellationToken);
        var afterIdle = server.RssBytes ?? 0;
        await sampling.CancelAsync();
        await sampler;

        long At(double seconds) => Samples(samples).Where(s => s.Seconds <= loadEnded.TotalSeconds + seconds).Select(s => s.Rss).LastOrDefault();
        return new MemoryReport(
            concurrency,
            messageBytes,
            startRss,
            peakUnderLoad,
            At(10),
            At(30),
            afterIdle,
            idle,
            statuses);

        static IEnumerable<(double Seconds, long Rss)> Samples(List<(double Seconds, long Rss)> samples)
        {
            lock (samples)
            {
                return [.. samples];
            }
        }

        static long Max(List<(double Seconds, long Rss)> samples) => Samples(samples).Select(s => s.Rss).DefaultIfEmpty().Max();
    }

    private static string Megabytes(int bytes) => (bytes / (1024.0 * 1024)).ToString("0.#", CultureInfo.InvariantCulture) + " MB";

    private static async Task SampleAsync(ServerHost server, Stopwatch clock, List<(double Seconds, long Rss)> samples, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(SampleEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                if (server.RssBytes is { } rss)
                {
                    lock (samples)
                    {
                        samples.Add((clock.Elapsed.TotalSeconds, rss));
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The run is over.
        }
    }

    private static async Task UpsertAsync(ServerHost server, int index, int documentBytes, SortedDictionary<string, int> statuses, CancellationToken cancellationToken)
    {
        var head = $"{{\"id\":\"m-{index}\",\"pk\":\"p-{index}\",\"s\":\"";
        var padding = Math.Max(0, documentBytes - head.Length - 2);
        var json = new byte[head.Length + padding + 2];
        Encoding.UTF8.GetBytes(head, json);
        json.AsSpan(head.Length, padding).Fill((byte)'x');
        json[^2] = (byte)'"';
        json[^1] = (byte)'}';
        string status;
        try
        {
            await server.Client.UpsertAsync(
                new UpsertRequest { Collection = "items", DocumentJson = UnsafeByteOperations.UnsafeWrap(json) },
                cancellationToken: cancellationToken);
            status = "OK";
        }
        catch (RpcException e)
        {
            status = e.StatusCode.ToString();
        }

        lock (statuses)
        {
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
        }
    }
}

/// <summary>What <see cref="MemoryScenario"/> measured.</summary>
internal sealed record MemoryReport(
    int Concurrency,
    int MessageBytes,
    long StartRssBytes,
    long PeakRssBytes,
    long RssAfter10SecondsBytes,
    long RssAfter30SecondsBytes,
    long RssAfterIdleBytes,
    TimeSpan Idle,
    IReadOnlyDictionary<string, int> Statuses)
{
    /// <summary>The scenario's targets: peak under 400 MB, back under 250 MB after the idle minute.</summary>
    public bool WithinTargets => PeakRssBytes < 400L * 1024 * 1024 && RssAfterIdleBytes < 250L * 1024 * 1024;

    public string ToJson() => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["scenario"] = "memory",
        ["concurrency"] = Concurrency,
        ["message_bytes"] = MessageBytes,
        ["start_rss_mb"] = Mb(StartRssBytes),
        ["peak_rss_mb"] = Mb(PeakRssBytes),
        ["rss_after_10s_mb"] = Mb(RssAfter10SecondsBytes),
        ["rss_after_30s_mb"] = Mb(RssAfter30SecondsBytes),
        ["rss_after_idle_mb"] = Mb(RssAfterIdleBytes),
        ["idle_s"] = Idle.TotalSeconds,
        ["statuses"] = Statuses,
        ["within_targets"] = WithinTargets,
    });

    public string ToTable()
    {
        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"memory: {Concurrency} concurrent Upserts per round, messages of {MessageBytes} bytes, then 2 MB documents");
        table.AppendLine(CultureInfo.InvariantCulture, $"  RSS at start      {Mb(StartRssBytes),8:0.0} MB");
        table.AppendLine(CultureInfo.InvariantCulture, $"  peak RSS          {Mb(PeakRssBytes),8:0.0} MB   (target < 400 MB)");
        table.AppendLine(CultureInfo.InvariantCulture, $"  RSS 10 s idle     {Mb(RssAfter10SecondsBytes),8:0.0} MB");
        table.AppendLine(CultureInfo.InvariantCulture, $"  RSS 30 s idle     {Mb(RssAfter30SecondsBytes),8:0.0} MB");
        table.AppendLine(CultureInfo.InvariantCulture, $"  RSS {Idle.TotalSeconds,2:0} s idle     {Mb(RssAfterIdleBytes),8:0.0} MB   (target < 250 MB)");
        table.AppendLine("  statuses          " + string.Join(", ", Statuses.Select(s => $"{s.Key} {s.Value}")));
        return table.ToString();
    }

    private static double Mb(long bytes) => Math.Round(bytes / (1024.0 * 1024), 1);
}
