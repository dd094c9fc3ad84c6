using System.Globalization;
using System.Text;
using System.Text.Json;

namespace DocStore.Cli.Bench;

/// <summary>Get throughput at one document size.</summary>
internal sealed record SizeResult(int DocumentBytes, OperationResult Get)
{
    public double MegabytesPerSecond => Get.Rps * DocumentBytes / (1024.0 * 1024.0);
}

/// <summary>What Redis holds for DocStore after the run.</summary>
internal sealed record RedisUsage(int Keys, long TotalBytes, int KeysWithoutTtl, long MinTtlSeconds, long MaxTtlSeconds)
{
    public double? BytesPerKey => Keys == 0 ? null : (double)TotalBytes / Keys;
}

/// <summary>One target of the issue, with the value measured.</summary>
internal sealed record TargetResult(string Name, string Goal, double? Measured, string Unit, bool Met);

/// <summary>The standard scenario's results, the targets, and how to print them.</summary>
internal sealed record StandardReport
{
    public required MachineInfo Machine { get; init; }

    public required int Concurrency { get; init; }

    public required int SizeConcurrency { get; init; }

    public required TimeSpan Duration { get; init; }

    public required OperationResult Ceiling { get; init; }

    /// <summary>Get, Upsert and Patch at 1 KB, at <see cref="Concurrency"/>, Redis sharing on.</summary>
    public required IReadOnlyList<OperationResult> Operations { get; init; }

    public required OperationResult GetSharingOff { get; init; }

    public required OperationResult GetSharingRedis { get; init; }

    public required IReadOnlyList<SizeResult> Sizes { get; init; }

    public required int SmallStoreDocuments { get; init; }

    public required int LargeStoreDocuments { get; init; }

    public required OperationResult GetSmallStore { get; init; }

    public required OperationResult GetLargeStore { get; init; }

    /// <summary>The highest peak RSS of the servers started, and the main server's RSS after the run.</summary>
    public required ServerMemory Server { get; init; }

    /// <summary>Each server's peak RSS, by role.</summary>
    public required IReadOnlyDictionary<string, long?> PeakRssByServer { get; init; }

    public required RedisUsage Redis { get; init; }

    /// <summary>The main server's peak RSS after each of rows 1 to 4, to show which one drives it.</summary>
    public required IReadOnlyList<long?> PeakRssAfterRows { get; init; }

    /// <summary>Redis calls the servers logged as failed (the call went on without the shared token), and breaker openings.</summary>
    public required (int FailedCalls, int BreakerOpened) RedisFallbacks { get; init; }

    /// <summary>False when the server ignored DocStore:SessionTokens:Sharing=Redis (no token keys were written).</summary>
    public bool SharingActive => Redis.Keys > 0;

    public required TimeSpan Elapsed { get; init; }

    public long Errors =>
        Ceiling.Errors + Operations.Sum(o => o.Errors) + GetSharingOff.Errors + GetSharingRedis.Errors
        + Sizes.Sum(s => s.Get.Errors) + GetSmallStore.Errors + GetLargeStore.Errors;

    public double AddedSharingP50Ms => GetSharingRedis.P50Ms - GetSharingOff.P50Ms;

    public double? LargeStoreP50Ratio => GetSmallStore.P50Ms > 0 ? GetLargeStore.P50Ms / GetSmallStore.P50Ms : null;

    public IReadOnlyList<TargetResult> Targets()
    {
        var targets = new List<TargetResult>();
        foreach (var (name, minimum) in new[] { ("get", 0.60), ("upsert", 0.35), ("patch", 0.35) })
        {
            var operation = Operations.FirstOrDefault(o => o.Name == name);
            var ratio = operation is null ? null : Measurements.RatioToCeiling(operation.Rps, Ceiling.Rps);
            targets.Add(new TargetResult($"{name} throughput / ceiling", $">= {minimum:0.00}", ratio, "x", ratio >= minimum));
        }

        targets.Add(new TargetResult("added p50 of Redis sharing, Get at concurrency 1", "<= 0.25 ms", AddedSharingP50Ms, "ms", AddedSharingP50Ms <= 0.25));
        targets.Add(new TargetResult($"Get p50 at {LargeStoreDocuments:#,0} / at {SmallStoreDocuments:#,0} documents", "<= 1.50", LargeStoreP50Ratio, "x", LargeStoreP50Ratio <= 1.5));
        var peak = Server.PeakRssBytes is { } bytes ? Measurements.Megabytes(bytes) : (double?)null;
        targets.Add(new TargetResult("server peak RSS", "<= 250 MB", peak, "MB", peak <= 250));
        targets.Add(new TargetResult("Redis memory per token key", "<= 200 B", Redis.BytesPerKey, "B", Redis.BytesPerKey <= 200));
        targets.Add(new TargetResult("token keys without a TTL", "0", Redis.Keys == 0 ? null : Redis.KeysWithoutTtl, "keys", Redis.Keys > 0 && Redis.KeysWithoutTtl == 0));
        return targets;
    }

    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("scenario", "standard");
            ReportJson.WriteMachine(json, Machine, clientSharesCpus: true);
            json.WriteNumber("duration_s", Duration.TotalSeconds);

            json.WriteStartObject("throughput");
            json.WriteNumber("concurrency", Concurrency);
            json.WriteNumber("doc_size", 1024);
            json.WriteString("sharing", "Redis");
            ReportJson.WriteCeilingAndOperations(json, Ceiling, Operations);
            json.WriteEndObject();

            json.WriteStartObject("sharing_latency");
            json.WriteNumber("concurrency", 1);
            json.WriteBoolean("sharing_active", SharingActive);
            json.WriteStartObject("off");
            ReportJson.WriteLatencies(json, GetSharingOff);
            json.WriteEndObject();
            json.WriteStartObject("redis");
            ReportJson.WriteLatencies(json, GetSharingRedis);
            json.WriteEndObject();
            json.WriteNumber("added_p50_ms", Math.Round(AddedSharingP50Ms, 4));
            json.WriteNumber("redis_failed_calls_logged", RedisFallbacks.FailedCalls);
            json.WriteNumber("redis_breaker_opened", RedisFallbacks.BreakerOpened);
            json.WriteEndObject();

            json.WriteStartObject("document_sizes");
            json.WriteNumber("concurrency", SizeConcurrency);
            json.WriteStartArray("gets");
            foreach (var size in Sizes)
            {
                json.WriteStartObject();
                json.WriteNumber("doc_size", size.DocumentBytes);
                ReportJson.WriteLatencies(json, size.Get);
                json.WriteNumber("mb_per_s", Math.Round(size.MegabytesPerSecond, 2));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();

            json.WriteStartObject("document_count");
            json.WriteNumber("concurrency", 1);
            json.WriteStartObject("small");
            json.WriteNumber("documents", SmallStoreDocuments);
            ReportJson.WriteLatencies(json, GetSmallStore);
            json.WriteEndObject();
            json.WriteStartObject("large");
            json.WriteNumber("documents", LargeStoreDocuments);
            ReportJson.WriteLatencies(json, GetLargeStore);
            json.WriteEndObject();
            WriteNullable(json, "p50_ratio", LargeStoreP50Ratio, 4);
            json.WriteEndObject();

            json.WriteStartObject("memory");
            ReportJson.WriteMegabytes(json, "server_peak_rss_mb", Server.PeakRssBytes);
            ReportJson.WriteMegabytes(json, "server_rss_after_mb", Server.RssAfterBytes);
            json.WriteStartObject("peak_rss_mb_by_server");
            foreach (var (role, bytes) in PeakRssByServer)
            {
                ReportJson.WriteMegabytes(json, role, bytes);
            }

            json.WriteEndObject();
            json.WriteStartArray("main_server_peak_rss_mb_after_rows");
            foreach (var bytes in PeakRssAfterRows)
            {
                if (bytes is { } b)
                {
                    json.WriteNumberValue(Math.Round(Measurements.Megabytes(b), 1));
                }
                else
                {
                    json.WriteNullValue();
                }
            }

            json.WriteEndArray();
            json.WriteNumber("redis_token_keys", Redis.Keys);
            WriteNullable(json, "redis_bytes_per_key", Redis.BytesPerKey, 1);
            json.WriteNumber("redis_keys_without_ttl", Redis.KeysWithoutTtl);
            json.WriteNumber("redis_ttl_min_s", Redis.MinTtlSeconds);
            json.WriteNumber("redis_ttl_max_s", Redis.MaxTtlSeconds);
            json.WriteEndObject();

            json.WriteStartArray("targets");
            foreach (var target in Targets())
            {
                json.WriteStartObject();
                json.WriteString("name", target.Name);
                json.WriteString("target", target.Goal);
                WriteNullable(json, "measured", target.Measured, 4);
                json.WriteString("unit", target.Unit);
                json.WriteBoolean("met", target.Met);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteNumber("elapsed_s", Math.Round(Elapsed.TotalSeconds, 1));
            json.WriteNumber("errors", Errors);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public string ToTable()
    {
        var text = new StringBuilder();
        text.AppendLine("docstore bench --scenario standard");
        text.AppendLine(CultureInfo.InvariantCulture, $"machine: {Machine.Describe()}");
        text.AppendLine("Client and servers run on this machine: the client shares the CPUs, so absolute figures understate the server; compare ratios.");
        text.AppendLine(CultureInfo.InvariantCulture, $"Each figure: {Duration.TotalSeconds:0.#} s measured, in two halves run in mirrored order (A B B A) so drift from other load cancels. Embedded store on a temporary file.");
        if (!SharingActive)
        {
            text.AppendLine("WARNING: no session-token keys appeared in Redis: the server did not share tokens, so the 'Redis' rows ran without sharing.");
        }

        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"1. Throughput, 1 KB documents, concurrency {Concurrency}, Redis sharing on");
        var table = new TextTable("operation", "rps", "x ceiling", "p50 ms", "p99 ms", "p99.9 ms", "errors", "server CPU us/call");
        table.Add(CeilingWorkload.Description, TextTable.Number(Ceiling.Rps), "1.00", TextTable.Ms(Ceiling.P50Ms), TextTable.Ms(Ceiling.P99Ms), TextTable.Ms(Ceiling.P999Ms), Count(Ceiling.Errors), TextTable.Cpu(Ceiling.ServerCpuMicrosecondsPerCall));
        foreach (var operation in Operations)
        {
            table.Add(operation.Name, TextTable.Number(operation.Rps), TextTable.Ratio(Measurements.RatioToCeiling(operation.Rps, Ceiling.Rps)), TextTable.Ms(operation.P50Ms), TextTable.Ms(operation.P99Ms), TextTable.Ms(operation.P999Ms), Count(operation.Errors), TextTable.Cpu(operation.OwnServerCpuMicrosecondsPerCall));
        }

        text.Append(table);
        text.AppendLine("Each operation runs alone beside the ceiling, so 'x ceiling' is its own ratio. server CPU us/call: the server's user+system CPU time (/proc) over the measured windows, divided by the calls completed in them.");
        if (RedisFallbacks.FailedCalls + RedisFallbacks.BreakerOpened > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"The servers logged {RedisFallbacks.FailedCalls} failed Redis calls (those calls went on without the shared token) and {RedisFallbacks.BreakerOpened} circuit-breaker openings during the run.");
        }

        text.AppendLine();

        text.AppendLine("2. Get at concurrency 1: session-token sharing Off versus Redis");
        table = new TextTable("sharing", "rps", "p50 ms", "p99 ms", "p99.9 ms", "errors");
        table.Add("Off", TextTable.Number(GetSharingOff.Rps), TextTable.Ms(GetSharingOff.P50Ms), TextTable.Ms(GetSharingOff.P99Ms), TextTable.Ms(GetSharingOff.P999Ms), Count(GetSharingOff.Errors));
        table.Add("Redis", TextTable.Number(GetSharingRedis.Rps), TextTable.Ms(GetSharingRedis.P50Ms), TextTable.Ms(GetSharingRedis.P99Ms), TextTable.Ms(GetSharingRedis.P999Ms), Count(GetSharingRedis.Errors));
        text.Append(table);
        text.AppendLine(CultureInfo.InvariantCulture, $"added p50: {AddedSharingP50Ms:0.000} ms").AppendLine();

        text.AppendLine(CultureInfo.InvariantCulture, $"3. Get throughput by document size, concurrency {SizeConcurrency}");
        table = new TextTable("size", "rps", "MB/s", "p50 ms", "p99 ms", "errors");
        foreach (var size in Sizes)
        {
            table.Add(SizeName(size.DocumentBytes), TextTable.Number(size.Get.Rps), size.MegabytesPerSecond.ToString("0.0", CultureInfo.InvariantCulture), TextTable.Ms(size.Get.P50Ms), TextTable.Ms(size.Get.P99Ms), Count(size.Get.Errors));
        }

        text.Append(table).AppendLine();

        text.AppendLine("4. Get latency by documents in the store, concurrency 1, 1 KB documents");
        table = new TextTable("documents", "rps", "p50 ms", "p99 ms", "p99.9 ms", "errors");
        table.Add(TextTable.Number(SmallStoreDocuments), TextTable.Number(GetSmallStore.Rps), TextTable.Ms(GetSmallStore.P50Ms), TextTable.Ms(GetSmallStore.P99Ms), TextTable.Ms(GetSmallStore.P999Ms), Count(GetSmallStore.Errors));
        table.Add(TextTable.Number(LargeStoreDocuments), TextTable.Number(GetLargeStore.Rps), TextTable.Ms(GetLargeStore.P50Ms), TextTable.Ms(GetLargeStore.P99Ms), TextTable.Ms(GetLargeStore.P999Ms), Count(GetLargeStore.Errors));
        text.Append(table);
        text.AppendLine(CultureInfo.InvariantCulture, $"p50 ratio: {TextTable.Ratio(LargeStoreP50Ratio)}").AppendLine();

        text.AppendLine("5. Memory");
        text.AppendLine(CultureInfo.InvariantCulture, $"server peak RSS {TextTable.Mb(Server.PeakRssBytes)} (highest of {string.Join(", ", PeakRssByServer.Select(p => $"{p.Key} {TextTable.Mb(p.Value)}"))}); main server's RSS after the run {TextTable.Mb(Server.RssAfterBytes)}");
        text.AppendLine(CultureInfo.InvariantCulture, $"main server's peak RSS after rows 1-4: {string.Join(", ", PeakRssAfterRows.Select(TextTable.Mb))}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Redis: {Redis.Keys} token keys, {(Redis.BytesPerKey is { } b ? b.ToString("0", CultureInfo.InvariantCulture) : "-")} bytes per key (MEMORY USAGE), {Redis.KeysWithoutTtl} without a TTL, TTLs {Redis.MinTtlSeconds}-{Redis.MaxTtlSeconds} s").AppendLine();

        text.AppendLine("Targets");
        table = new TextTable("target", "goal", "measured", "met");
        foreach (var target in Targets())
        {
            var measured = target.Measured is { } m ? m.ToString(target.Unit is "x" ? "0.00" : target.Unit is "ms" ? "0.000" : "0", CultureInfo.InvariantCulture) + " " + target.Unit : "-";
            table.Add(target.Name, target.Goal, measured, target.Met ? "yes" : "NO");
        }

        text.Append(table);
        text.AppendLine(CultureInfo.InvariantCulture, $"errors: {Errors}; elapsed {Elapsed.TotalSeconds:0} s");
        foreach (var failed in Operations.Append(Ceiling).Append(GetSharingOff).Append(GetSharingRedis).Concat(Sizes.Select(s => s.Get)).Append(GetSmallStore).Append(GetLargeStore).Where(o => o.FirstError is not null))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"first {failed.Name} error: {failed.FirstError}");
        }

        return text.ToString();
    }

    private static string Count(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string SizeName(int bytes) => bytes >= 1024 * 1024 ? $"{bytes / (1024 * 1024)} MB" : $"{bytes / 1024} KB";

    private static void WriteNullable(Utf8JsonWriter json, string name, double? value, int digits)
    {
        if (value is { } v && double.IsFinite(v))
        {
            json.WriteNumber(name, Math.Round(v, digits));
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
