using System.Text.Json;
using DocStore.Cli.Bench;
using HdrHistogram;

namespace DocStore.Cli.Tests;

public sealed class ReportTests
{
    private static readonly int[] DocumentSizes = [1024, 16384, 262144, 1048576];

    private static readonly MachineInfo Machine = new(2, "test cpu", "Linux", ".NET 10", 8L << 30);

    [Fact]
    public void The_ratio_to_the_ceiling_is_the_throughput_quotient_and_absent_without_a_ceiling()
    {
        Assert.Equal(0.6, Measurements.RatioToCeiling(600, 1000));
        Assert.Equal(1.25, Measurements.RatioToCeiling(1250, 1000));
        Assert.Null(Measurements.RatioToCeiling(600, 0));
        Assert.Null(Measurements.RatioToCeiling(600, double.NaN));
    }

    [Fact]
    public void Results_report_rate_over_the_window_and_percentiles_in_milliseconds()
    {
        // 1000 calls in 2 s: 898 at 1 ms, 100 at 5 ms, 2 at 40 ms.
        var result = Result("get", 2, (898, 1.0), (100, 5.0), (2, 40.0));

        Assert.Equal(1000, result.Count);
        Assert.Equal(500, result.Rps);
        Assert.Equal(1.0, result.P50Ms, 2);
        Assert.Equal(5.0, result.P99Ms, 2);
        Assert.Equal(40.0, result.P999Ms, 1);
    }

    [Fact]
    public void Merging_halves_pools_latencies_sums_windows_and_errors()
    {
        var first = Result("get", 1, errors: 2, latencies: (100, 1.0));
        var second = Result("get", 1, errors: 3, latencies: (300, 3.0));

        var merged = Measurements.Merge([first, second]);

        Assert.Equal(400, merged.Count);
        Assert.Equal(200, merged.Rps);
        Assert.Equal(5, merged.Errors);
        Assert.Equal(3.0, merged.P50Ms, 2);
        Assert.Equal(100, first.Count); // the parts are left as they were
    }

    [Fact]
    public void The_custom_json_has_each_operation_with_rate_latencies_and_ratio_and_the_ceiling()
    {
        var ceiling = Result(CeilingWorkload.Name, 10, (10_000, 0.5));
        var get = Result("get", 10, (6_000, 1.0));
        var upsert = Result("upsert", 10, errors: 4, latencies: (1_500, 4.0));
        var settings = new CustomSettings(64, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(3), OperationMix.Parse("get=80,upsert=20"), 1024, 1000, "items", [], "Local");
        var report = new CustomReport(Machine, settings, ceiling, [get, upsert], new ServerMemory(150L << 20, 120L << 20));

        using var json = JsonDocument.Parse(report.ToJson());
        var root = json.RootElement;

        Assert.Equal("custom", root.GetProperty("scenario").GetString());
        Assert.True(root.GetProperty("machine").GetProperty("client_shares_cpus").GetBoolean());
        Assert.Equal(1000, root.GetProperty("ceiling").GetProperty("rps").GetDouble());
        Assert.Equal(0.5, root.GetProperty("ceiling").GetProperty("p50_ms").GetDouble(), 2);
        var getJson = root.GetProperty("operations").GetProperty("get");
        Assert.Equal(600, getJson.GetProperty("rps").GetDouble());
        Assert.Equal(1.0, getJson.GetProperty("p50_ms").GetDouble(), 2);
        Assert.Equal(1.0, getJson.GetProperty("p99_ms").GetDouble(), 2);
        Assert.Equal(0.6, getJson.GetProperty("ratio_to_ceiling").GetDouble());
        var upsertJson = root.GetProperty("operations").GetProperty("upsert");
        Assert.Equal(0.15, upsertJson.GetProperty("ratio_to_ceiling").GetDouble());
        Assert.Equal(4, upsertJson.GetProperty("errors").GetInt64());
        Assert.Equal(4, root.GetProperty("errors").GetInt64());
        Assert.Equal(150, root.GetProperty("server").GetProperty("peak_rss_mb").GetDouble());
        Assert.Equal("get=80,upsert=20", root.GetProperty("settings").GetProperty("mix").GetString());
    }

    [Fact]
    public void The_custom_table_says_the_client_shares_the_cpus_and_shows_ratios()
    {
        var settings = new CustomSettings(8, TimeSpan.FromSeconds(5), TimeSpan.Zero, OperationMix.Only(BenchOperation.Patch), 1024, 10, "items", ["http://127.0.0.1:5000"], "Local");
        var report = new CustomReport(Machine, settings, Result(CeilingWorkload.Name, 5, (1000, 0.5)), [Result("patch", 5, (400, 2.0))], null);

        var table = report.ToTable();

        Assert.Contains("the client shares its CPUs", table, StringComparison.Ordinal);
        Assert.Matches(@"patch\s+80\s+0\.40\s+2\.00", table);
    }

    [Fact]
    public void Server_cpu_per_call_is_the_windows_cpu_over_its_calls_and_merges_by_summing()
    {
        // 10,000 calls alone in a window whose server used 0.5 s of CPU: 50 us a call.
        var first = Result("get", 1, 0, cpu: TimeSpan.FromSeconds(0.5), windowCalls: 10_000, latencies: (10_000, 1.0));
        var second = Result("get", 1, 0, cpu: TimeSpan.FromSeconds(1.5), windowCalls: 10_000, latencies: (10_000, 1.0));

        Assert.Equal(50, first.ServerCpuMicrosecondsPerCall!.Value, 6);
        Assert.Equal(50, first.OwnServerCpuMicrosecondsPerCall!.Value, 6);
        Assert.Equal(100, Measurements.Merge([first, second]).ServerCpuMicrosecondsPerCall!.Value, 6);
        Assert.Null(Measurements.Merge([first, Result("get", 1, (10, 1.0))]).ServerCpu); // one half unknown: unknown

        // In a mix, the window's CPU went to every operation: it is no single operation's own.
        var inMix = Result("upsert", 1, 0, cpu: TimeSpan.FromSeconds(1), windowCalls: 10_000, latencies: (2_000, 4.0));
        Assert.Equal(100, inMix.ServerCpuMicrosecondsPerCall!.Value, 6);
        Assert.Null(inMix.OwnServerCpuMicrosecondsPerCall);
    }

    [Fact]
    public void A_mixed_run_labels_its_ratios_as_shares_and_adds_the_mix_row()
    {
        var settings = new CustomSettings(64, TimeSpan.FromSeconds(10), TimeSpan.Zero, OperationMix.Parse("get=80,upsert=20"), 1024, 1000, "items", [], "Local");
        var ceiling = Result(CeilingWorkload.Name, 10, 0, cpu: TimeSpan.FromSeconds(0.2), windowCalls: 10_000, latencies: (10_000, 0.5));
        var get = Result("get", 10, 0, cpu: TimeSpan.FromSeconds(0.8), windowCalls: 8_000, latencies: (6_400, 1.0));
        var upsert = Result("upsert", 10, 0, cpu: TimeSpan.FromSeconds(0.8), windowCalls: 8_000, latencies: (1_600, 4.0));
        var report = new CustomReport(Machine, settings, ceiling, [get, upsert], null);

        var table = report.ToTable();
        Assert.Contains("share of ceiling", table, StringComparison.Ordinal);
        Assert.DoesNotContain("x ceiling", table, StringComparison.Ordinal);
        Assert.Matches(@"ceiling \(liveness health check\)\s+1,000\s+1\.00.*\s20\.0", table);
        Assert.Matches(@"mix \(get=80,upsert=20\)\s+800\s+0\.80\s+0\s+100\.0", table);

        using var json = JsonDocument.Parse(report.ToJson());
        var root = json.RootElement;
        Assert.True(root.GetProperty("ratio_is_share_of_mix").GetBoolean());
        Assert.Equal(0.8, root.GetProperty("mix").GetProperty("ratio_to_ceiling").GetDouble());
        Assert.Equal(100, root.GetProperty("mix").GetProperty("server_cpu_us_per_call").GetDouble());
        Assert.Equal("liveness", root.GetProperty("ceiling").GetProperty("service").GetString());
        Assert.Equal(20, root.GetProperty("ceiling").GetProperty("server_cpu_us_per_call").GetDouble());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("operations").GetProperty("get").GetProperty("server_cpu_us_per_call").ValueKind);
    }

    [Fact]
    public void Against_an_endpoint_the_json_claims_no_sharing_mode_and_cpu_is_not_available()
    {
        var settings = new CustomSettings(8, TimeSpan.FromSeconds(5), TimeSpan.Zero, OperationMix.Only(BenchOperation.Get), 1024, 10, "items", ["http://10.0.0.5:5000"], "Local");
        var report = new CustomReport(Machine, settings, Result(CeilingWorkload.Name, 5, (1000, 0.5)), [Result("get", 5, (400, 2.0))], null);

        using var json = JsonDocument.Parse(report.ToJson());
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("settings").GetProperty("sharing").ValueKind);
        Assert.False(json.RootElement.GetProperty("ratio_is_share_of_mix").GetBoolean());
        Assert.Contains("server CPU us/call: n/a", report.ToTable(), StringComparison.Ordinal);
        Assert.Contains("x ceiling", report.ToTable(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_standard_json_carries_every_row_and_judges_every_target()
    {
        var report = Standard(getRps: 700, upsertRps: 300, patchRps: 400, sharingOffMs: 0.30, sharingRedisMs: 0.70, smallMs: 0.30, largeMs: 0.33, peakRss: 200L << 20, redisBytes: 150);

        using var json = JsonDocument.Parse(report.ToJson());
        var root = json.RootElement;

        Assert.Equal(0.7, root.GetProperty("throughput").GetProperty("operations").GetProperty("get").GetProperty("ratio_to_ceiling").GetDouble());
        Assert.Equal(1000, root.GetProperty("throughput").GetProperty("ceiling").GetProperty("rps").GetDouble());
        Assert.Equal(0.4, root.GetProperty("sharing_latency").GetProperty("added_p50_ms").GetDouble(), 2);
        Assert.Equal(4, root.GetProperty("document_sizes").GetProperty("gets").GetArrayLength());
        Assert.Equal(1.1, root.GetProperty("document_count").GetProperty("p50_ratio").GetDouble(), 1);
        Assert.Equal(150, root.GetProperty("memory").GetProperty("redis_bytes_per_key").GetDouble());
        Assert.Equal(0, root.GetProperty("errors").GetInt64());
        Assert.Equal(3, root.GetProperty("sharing_latency").GetProperty("redis_failed_calls_logged").GetInt32());
        Assert.Equal(4, root.GetProperty("memory").GetProperty("main_server_peak_rss_mb_after_rows").GetArrayLength());

        var targets = root.GetProperty("targets").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!, t => t.GetProperty("met").GetBoolean());
        Assert.True(targets["get throughput / ceiling"]);
        Assert.False(targets["upsert throughput / ceiling"]); // 0.30 < 0.35
        Assert.True(targets["patch throughput / ceiling"]);
        Assert.False(targets["added p50 of Redis sharing, Get at concurrency 1"]); // 0.40 ms > 0.25 ms
        Assert.True(targets["Get p50 at 1,000,000 / at 10,000 documents"]);
        Assert.True(targets["server peak RSS"]);
        Assert.True(targets["Redis memory per token key"]);
        Assert.True(targets["token keys without a TTL"]);
    }

    [Fact]
    public void A_standard_run_without_token_keys_fails_the_ttl_target_and_warns_that_sharing_was_off()
    {
        var report = Standard(700, 400, 400, 0.3, 0.31, 0.3, 0.3, 100L << 20, redisBytes: null);

        Assert.False(report.SharingActive);
        Assert.Contains(report.Targets(), t => t.Name == "token keys without a TTL" && !t.Met);
        Assert.Contains("WARNING: no session-token keys appeared in Redis", report.ToTable(), StringComparison.Ordinal);
    }

    private static StandardReport Standard(double getRps, double upsertRps, double patchRps, double sharingOffMs, double sharingRedisMs, double smallMs, double largeMs, long peakRss, int? redisBytes) => new()
    {
        Machine = Machine,
        Concurrency = 64,
        SizeConcurrency = 16,
        Duration = TimeSpan.FromSeconds(10),
        Ceiling = Result(CeilingWorkload.Name, 1, (1000, 0.5)),
        Operations = [Result("get", 1, ((int)getRps, 1.0)), Result("upsert", 1, ((int)upsertRps, 3.0)), Result("patch", 1, ((int)patchRps, 3.0))],
        GetSharingOff = Result("get", 1, (100, sharingOffMs)),
        GetSharingRedis = Result("get", 1, (100, sharingRedisMs)),
        Sizes = [.. DocumentSizes.Select(size => new SizeResult(size, Result("get", 1, (10, 1.0))))],
        SmallStoreDocuments = 10_000,
        LargeStoreDocuments = 1_000_000,
        GetSmallStore = Result("get", 1, (100, smallMs)),
        GetLargeStore = Result("get", 1, (100, largeMs)),
        Server = new ServerMemory(peakRss, peakRss / 2),
        PeakRssByServer = new Dictionary<string, long?> { ["main"] = peakRss },
        Redis = redisBytes is { } bytes ? new RedisUsage(10, 10L * bytes, 0, 500, 600) : new RedisUsage(0, 0, 0, 0, 0),
        PeakRssAfterRows = [peakRss / 2, peakRss / 2, peakRss, peakRss],
        RedisFallbacks = (3, 1),
        Elapsed = TimeSpan.FromMinutes(3),
    };

    private static OperationResult Result(string name, double seconds, params (int Count, double Ms)[] latencies) =>
        Result(name, seconds, 0, latencies);

    private static OperationResult Result(string name, double seconds, long errors, params (int Count, double Ms)[] latencies) =>
        Result(name, seconds, errors, null, 0, latencies);

    private static OperationResult Result(string name, double seconds, long errors, TimeSpan? cpu, long windowCalls, params (int Count, double Ms)[] latencies)
    {
        var histogram = new LongHistogram(TimeSpan.TicksPerMinute * 10, 3);
        foreach (var (count, ms) in latencies)
        {
            histogram.RecordValueWithCount((long)(ms * TimeSpan.TicksPerMillisecond), count);
        }

        return new OperationResult(name, histogram, errors, errors > 0 ? "Unavailable: test" : null, TimeSpan.FromSeconds(seconds), cpu, windowCalls);
    }
}
