using System.Globalization;
using System.Text;
using System.Text.Json;

namespace DocStore.Cli.Bench;

/// <summary>The settings of a run given on the command line.</summary>
internal sealed record CustomSettings(
    int Concurrency, TimeSpan Duration, TimeSpan Warmup, OperationMix Mix, int DocumentBytes, int Documents, string Collection, IReadOnlyList<string> Endpoints, string Sharing,
    ChannelSecurity? Security = null, string? BaselineEndpoint = null, bool Each = false);

/// <summary>The server's memory, when the benchmark started it.</summary>
internal sealed record ServerMemory(long? PeakRssBytes, long? RssAfterBytes);

/// <summary>A run of one operation mix beside its ceiling, and how to print it.</summary>
internal sealed record CustomReport(MachineInfo Machine, CustomSettings Settings, OperationResult Ceiling, IReadOnlyList<OperationResult> Operations, ServerMemory? Server)
{
    public long Errors => Ceiling.Errors + Operations.Sum(o => o.Errors);

    /// <summary>
    /// More than one operation in one mix: each operation's rps, and so its ratio to the ceiling, is its share of
    /// the mix. With <see cref="CustomSettings.Each"/>, every operation ran alone, so each ratio is its own.
    /// </summary>
    public bool Mixed => Operations.Count > 1 && !Settings.Each;

    /// <summary>Successful calls per second of the whole mix.</summary>
    public double MixRps => Operations.Sum(o => o.Rps);

    /// <summary>One JSON object: settings, ceiling (rps, p50_ms, ...), operations by name (rps, p50_ms, p99_ms, ratio_to_ceiling, ...), errors.</summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("scenario", "custom");
            ReportJson.WriteMachine(json, Machine, clientSharesCpus: Settings.Endpoints.Count == 0 || Settings.Endpoints.All(ReportJson.IsLoopback));
            json.WriteStartObject("settings");
            json.WriteNumber("concurrency", Settings.Concurrency);
            json.WriteNumber("duration_s", Settings.Duration.TotalSeconds);
            json.WriteNumber("warmup_s", Settings.Warmup.TotalSeconds);
            json.WriteString("mix", Settings.Mix.ToString());
            json.WriteNumber("doc_size", Settings.DocumentBytes);
            json.WriteNumber("documents", Settings.Documents);
            json.WriteString("collection", Settings.Collection);
            // Against --endpoint the bench sets no sharing mode: the deployment's own applies, unknown here.
            if (Settings.Endpoints.Count == 0)
            {
                json.WriteString("sharing", Settings.Sharing);
            }
            else
            {
                json.WriteNull("sharing");
            }

            json.WriteStartArray("endpoints");
            foreach (var endpoint in Settings.Endpoints)
            {
                json.WriteStringValue(endpoint);
            }

            json.WriteEndArray();
            json.WriteEndObject();
            ReportJson.WriteCeilingAndOperations(json, Ceiling, Operations);
            json.WriteBoolean("ratio_is_share_of_mix", Mixed);
            json.WriteBoolean("each_alone", Settings.Each);
            // Operations measured one at a time never ran as a mix.
            if (!Settings.Each)
            {
                json.WriteStartObject("mix");
                json.WriteNumber("rps", Math.Round(MixRps, 1));
                ReportJson.WriteNumberOrNull(json, "ratio_to_ceiling", Measurements.RatioToCeiling(MixRps, Ceiling.Rps), 4);
                ReportJson.WriteNumberOrNull(json, "server_cpu_us_per_call", Operations.Count > 0 ? Operations[0].ServerCpuMicrosecondsPerCall : null, 1);
                json.WriteEndObject();
            }
            if (Server is not null)
            {
                json.WriteStartObject("server");
                ReportJson.WriteMegabytes(json, "peak_rss_mb", Server.PeakRssBytes);
                ReportJson.WriteMegabytes(json, "rss_after_mb", Server.RssAfterBytes);
                json.WriteEndObject();
            }

            json.WriteNumber("errors", Errors);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public string ToTable()
    {
        var text = new StringBuilder();
        var order = Settings.Each
            ? "each operation alone: two halves, in the order ceiling, each operation, then the same in reverse"
            : "two halves, in the order ceiling, mix, mix, ceiling";
        text.AppendLine(CultureInfo.InvariantCulture, $"docstore bench: concurrency {Settings.Concurrency}, {Settings.Duration.TotalSeconds:0.#} s each for the ceiling and the mix ({order}; {Settings.Warmup.TotalSeconds:0.#} s warm-up before each), mix {Settings.Mix}, {Settings.DocumentBytes} B documents x {Settings.Documents}, collection {Settings.Collection}");
        text.AppendLine(CultureInfo.InvariantCulture, $"machine: {Machine.Describe()}");
        text.AppendLine(Settings.Endpoints.Count == 0
            ? "The server runs on this machine as a child process: the client shares its CPUs."
            : $"endpoints: {string.Join(", ", Settings.Endpoints)}{(Settings.Endpoints.All(ReportJson.IsLoopback) ? " (on this machine: the client shares its CPUs)" : "")}");
        text.AppendLine();
        // In a mix each operation's rps is its share of the calls, so its ratio is a share too: the column says
        // so, and the mix row compares the whole mix with the ceiling.
        var table = new TextTable("operation", "rps", Mixed ? "share of ceiling" : "x ceiling", "p50 ms", "p99 ms", "p99.9 ms", "errors", "server CPU us/call");
        table.Add(CeilingWorkload.Description, TextTable.Number(Ceiling.Rps), "1.00", TextTable.Ms(Ceiling.P50Ms), TextTable.Ms(Ceiling.P99Ms), TextTable.Ms(Ceiling.P999Ms), Ceiling.Errors.ToString(CultureInfo.InvariantCulture), TextTable.Cpu(Ceiling.ServerCpuMicrosecondsPerCall));
        foreach (var operation in Operations)
        {
            table.Add(
                operation.Name,
                TextTable.Number(operation.Rps),
                TextTable.Ratio(Measurements.RatioToCeiling(operation.Rps, Ceiling.Rps)),
                TextTable.Ms(operation.P50Ms),
                TextTable.Ms(operation.P99Ms),
                TextTable.Ms(operation.P999Ms),
                operation.Errors.ToString(CultureInfo.InvariantCulture),
                Mixed ? "" : TextTable.Cpu(operation.OwnServerCpuMicrosecondsPerCall));
        }

        if (Mixed)
        {
            table.Add($"mix ({Settings.Mix})", TextTable.Number(MixRps), TextTable.Ratio(Measurements.RatioToCeiling(MixRps, Ceiling.Rps)), "", "", "", Operations.Sum(o => o.Errors).ToString(CultureInfo.InvariantCulture), TextTable.Cpu(Operations[0].ServerCpuMicrosecondsPerCall));
        }

        text.Append(table);
        if (Mixed)
        {
            text.AppendLine("share of ceiling: an operation's rps over the ceiling's; in a mix it is that operation's share of the calls, so compare targets with one operation at a time (--mix get=1) or the mix row.");
        }

        text.AppendLine(Ceiling.ServerCpu is null
            ? "server CPU us/call: n/a (the server is remote; pass --server-pid for one on this machine)"
            : "server CPU us/call: the server's user+system CPU time (/proc) over the measured windows, divided by the calls completed in them.");
        if (Server is not null)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"server peak RSS {TextTable.Mb(Server.PeakRssBytes)}, RSS after the run {TextTable.Mb(Server.RssAfterBytes)}");
        }

        foreach (var failed in Operations.Append(Ceiling).Where(o => o.FirstError is not null))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"first {failed.Name} error: {failed.FirstError}");
        }

        return text.ToString();
    }
}

/// <summary>The JSON pieces both scenarios share.</summary>
internal static class ReportJson
{
    public static bool IsLoopback(string endpoint) =>
        Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && (uri.IsLoopback || uri.Host == "localhost");

    public static void WriteMachine(Utf8JsonWriter json, MachineInfo machine, bool clientSharesCpus)
    {
        json.WriteStartObject("machine");
        json.WriteNumber("processors", machine.ProcessorCount);
        json.WriteString("cpu", machine.Cpu);
        json.WriteNumber("memory_mb", Math.Round(Measurements.Megabytes(machine.MemoryBytes)));
        json.WriteString("os", machine.OperatingSystem);
        json.WriteString("runtime", machine.Runtime);
        json.WriteBoolean("client_shares_cpus", clientSharesCpus);
        json.WriteEndObject();
    }

    /// <summary><c>"ceiling": {...}, "operations": {"get": {...}, ...}</c>, each operation with its ratio to the ceiling.</summary>
    public static void WriteCeilingAndOperations(Utf8JsonWriter json, OperationResult ceiling, IReadOnlyList<OperationResult> operations)
    {
        json.WritePropertyName("ceiling");
        WriteCeiling(json, ceiling);
        json.WriteStartObject("operations");
        foreach (var operation in operations)
        {
            json.WritePropertyName(operation.Name);
            WriteOperation(json, operation, ceiling.Rps);
        }

        json.WriteEndObject();
    }

    public static void WriteCeiling(Utf8JsonWriter json, OperationResult ceiling)
    {
        json.WriteStartObject();
        json.WriteString("service", CeilingWorkload.Service);
        WriteLatencies(json, ceiling);
        WriteNumberOrNull(json, "server_cpu_us_per_call", ceiling.ServerCpuMicrosecondsPerCall, 1);
        json.WriteEndObject();
    }

    /// <summary>A number rounded to <paramref name="digits"/>, or null.</summary>
    public static void WriteNumberOrNull(Utf8JsonWriter json, string name, double? value, int digits)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, Math.Round(v, digits));
        }
        else
        {
            json.WriteNull(name);
        }
    }

    public static void WriteOperation(Utf8JsonWriter json, OperationResult operation, double ceilingRps, Action<Utf8JsonWriter>? extra = null)
    {
        json.WriteStartObject();
        WriteLatencies(json, operation);
        WriteNumberOrNull(json, "ratio_to_ceiling", Measurements.RatioToCeiling(operation.Rps, ceilingRps), 4);
        WriteNumberOrNull(json, "server_cpu_us_per_call", operation.OwnServerCpuMicrosecondsPerCall, 1);

        extra?.Invoke(json);
        json.WriteEndObject();
    }

    /// <summary>count, rps, p50_ms, p99_ms, p999_ms, mean_ms, errors and, when there were errors, the first one.</summary>
    public static void WriteLatencies(Utf8JsonWriter json, OperationResult result)
    {
        json.WriteNumber("count", result.Count);
        json.WriteNumber("rps", Math.Round(result.Rps, 1));
        json.WriteNumber("p50_ms", Math.Round(result.P50Ms, 4));
        json.WriteNumber("p99_ms", Math.Round(result.P99Ms, 4));
        json.WriteNumber("p999_ms", Math.Round(result.P999Ms, 4));
        json.WriteNumber("mean_ms", Math.Round(result.MeanMs, 4));
        json.WriteNumber("errors", result.Errors);
        if (result.FirstError is not null)
        {
            json.WriteString("first_error", result.FirstError);
        }
    }

    public static void WriteMegabytes(Utf8JsonWriter json, string name, long? bytes)
    {
        if (bytes is { } value)
        {
            json.WriteNumber(name, Math.Round(Measurements.Megabytes(value), 1));
        }
        else
        {
            json.WriteNull(name);
        }
    }
}

/// <summary>A plain-text table with right-aligned numbers.</summary>
internal sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> _rows = [headers];

    public void Add(params string[] cells) => _rows.Add(cells);

    public static string Number(double value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    public static string Ms(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);

    public static string Ratio(double? value) => value is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) : "-";

    public static string Cpu(double? microseconds) => microseconds is { } us ? us.ToString("0.0", CultureInfo.InvariantCulture) : "n/a";

    public static string Mb(long? bytes) => bytes is { } b ? $"{Measurements.Megabytes(b):0.0} MB" : "unknown";

    public override string ToString()
    {
        var columns = _rows.Max(r => r.Length);
        var widths = Enumerable.Range(0, columns).Select(c => _rows.Max(r => c < r.Length ? r[c].Length : 0)).ToArray();
        var text = new StringBuilder();
        foreach (var row in _rows)
        {
            for (var c = 0; c < row.Length; c++)
            {
                text.Append(c == 0 ? row[c].PadRight(widths[c]) : "  " + row[c].PadLeft(widths[c]));
            }

            text.AppendLine();
        }

        return text.ToString();
    }
}
