using System.Globalization;
using System.Text;
using System.Text.Json;
using DocStore.Client;
using DocStore.Processes;
using DocStore.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace DocStore.Cli.Bench;

/// <summary>
/// <c>docstore bench --scenario documents</c>: Get and Upsert of documents of each size and shape, with
/// the body as Struct and as JSON, against a server started here (and, with a baseline server, the
/// same Struct calls against it, side by side). Calls are raw bytes on both sides of the client, so
/// the client's own decoding does not share the machine's CPU with the server; the client package's
/// typed Get is measured separately at 1 KB. Each row reports MB/s, p50, the server's CPU time per
/// call (user + system from /proc over the measured window) and its peak RSS during the row (the
/// peak is reset before each row through /proc/pid/clear_refs).
/// </summary>
internal sealed class DocumentsScenario(
    string serverDll,
    string? baselineDll,
    int concurrency,
    TimeSpan warmup,
    TimeSpan duration,
    IReadOnlyList<string> shapes,
    IReadOnlyList<string> formats,
    IReadOnlyList<int> sizes,
    TextWriter progress)
{
    /// <summary>The sizes the scenario reports by default: the issue's four, and 8 KB for its goal.</summary>
    public static readonly int[] DefaultSizes = [1024, 8 * 1024, 16 * 1024, 256 * 1024, 1024 * 1024];

    private const string Collection = "docs";

    private static readonly Marshaller<byte[]> Raw = Marshallers.Create(bytes => bytes, bytes => bytes);

    public async Task<DocumentsReport> RunAsync(CancellationToken cancellationToken)
    {
        var rows = new List<DocumentsRow>();
        var servers = new List<(string Label, string Dll)>();
        if (baselineDll is not null)
        {
            servers.Add(("baseline", baselineDll));
        }

        servers.Add(("this", serverDll));
        foreach (var (label, dll) in servers)
        {
            var file = Path.Combine(Path.GetTempPath(), $"docstore-bench-documents-{Guid.NewGuid():N}.db");
            try
            {
                await using var server = await ServerHost.StartAsync(dll, new Dictionary<string, string>
                {
                    ["DocStore__Embedded__Path"] = file,
                    ["DocStore__SessionTokens__Sharing"] = "Local",
                    [$"DocStore__Collections__{Collection}__PartitionKeyPath"] = "/pk",
                }, cancellationToken);
                var invoker = server.Channel.CreateCallInvoker();
                var typed = DocStoreClient.Create(server.Channel, new DocStoreClientOptions { TrackSessionTokens = false });
                foreach (var size in sizes)
                {
                    foreach (var shape in shapes)
                    {
                        var documents = Enumerable.Range(0, size >= 256 * 1024 ? 4 : 32)
                            .Select(i => DocumentShapes.Json(shape, size, $"{shape}-{size}-{i}", "pk-" + (i % 8).ToString(CultureInfo.InvariantCulture)))
                            .ToArray();
                        await SeedAsync(server.Client, documents, useJson: label == "this", cancellationToken);
                        foreach (var format in label == "this" ? formats : ["struct"])
                        {
                            var bodyFormat = format == "json" ? BodyFormat.Json : BodyFormat.Struct;
                            var gets = documents.Select(d => Key(d)).Select(k => new GetRequest { Collection = Collection, Id = k.Id, PartitionKey = k.Pk, BodyFormat = bodyFormat }.ToByteArray()).ToArray();
                            var upserts = documents.Select(d => Upsert(d, bodyFormat).ToByteArray()).ToArray();
                            rows.Add(await MeasureAsync(server, label, shape, size, documents, format, "get", new RawWorkload(invoker, "Get", gets), cancellationToken));
                            rows.Add(await MeasureAsync(server, label, shape, size, documents, format, "upsert", new RawWorkload(invoker, "Upsert", upserts), cancellationToken));
                        }

                        if (size == 1024 && label == "this")
                        {
                            var typedGet = new TypedGetWorkload(typed, shape, [.. documents.Select(d => Key(d))]);
                            rows.Add(await MeasureAsync(server, label, shape, size, documents, "json", "typed-get", typedGet, cancellationToken));
                        }
                    }
                }
            }
            finally
            {
                foreach (var suffix in new[] { "", "-wal", "-shm" })
                {
                    File.Delete(file + suffix);
                }
            }
        }

        return new DocumentsReport(concurrency, duration, rows);
    }

    private static UpsertRequest Upsert(byte[] json, BodyFormat format) => format == BodyFormat.Json
        ? new UpsertRequest { Collection = Collection, DocumentJson = ByteString.CopyFrom(json), BodyFormat = BodyFormat.Json }
        : new UpsertRequest { Collection = Collection, Document = JsonParser.Default.Parse<Struct>(Encoding.UTF8.GetString(json)) };

    private static (string Id, string Pk) Key(byte[] json)
    {
        var reader = new Utf8JsonReader(json);
        string? id = null, pk = null;
        while ((id is null || pk is null) && reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1)
            {
                var name = reader.GetString();
                reader.Read();
                if (name == "id")
                {
                    id = reader.GetString();
                }
                else if (name == "pk")
                {
                    pk = reader.GetString();
                }
            }
        }

        return (id!, pk!);
    }

    private static async Task SeedAsync(DocStoreService.DocStoreServiceClient client, byte[][] documents, bool useJson, CancellationToken cancellationToken)
    {
        foreach (var document in documents)
        {
            await client.UpsertAsync(Upsert(document, useJson ? BodyFormat.Json : BodyFormat.Struct), cancellationToken: cancellationToken);
        }
    }

    private async Task<DocumentsRow> MeasureAsync(ServerHost server, string label, string shape, int size, byte[][] documents, string format, string operation, IWorkload workload, CancellationToken cancellationToken)
    {
        await progress.WriteLineAsync($"documents: {label} {operation} {shape} {size} B {format}");
        if (warmup > TimeSpan.Zero)
        {
            await ClosedLoop.RunAsync(workload, concurrency, TimeSpan.Zero, warmup, cancellationToken);
        }

        ResetPeakRss(server.ProcessId);
        var cpuBefore = CpuMilliseconds(server.ProcessId);
        var result = (await ClosedLoop.RunAsync(workload, concurrency, TimeSpan.Zero, duration, cancellationToken))[0];
        var cpuAfter = CpuMilliseconds(server.ProcessId);
        var bytes = documents.Average(d => (double)d.Length);
        return new DocumentsRow(
            label,
            shape,
            size,
            format,
            operation,
            result.Rps,
            result.Rps * bytes / (1024 * 1024),
            result.P50Ms,
            cpuBefore is { } b && cpuAfter is { } a && result.Count > 0 ? (a - b) / result.Count : null,
            server.PeakRssBytes is { } peak ? peak / (1024.0 * 1024) : null,
            result.Errors,
            result.FirstError);
    }

    /// <summary>User plus system CPU time of the process, in milliseconds, or null where /proc is absent.</summary>
    private static double? CpuMilliseconds(int pid) => ProcStat.CpuTime(pid)?.TotalMilliseconds;

    /// <summary>Resets the process's peak RSS (VmHWM) to its current RSS, so each row reports its own peak.</summary>
    private static void ResetPeakRss(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not Linux, or not allowed: the peak is then the process's peak so far.
        }
    }

    /// <summary>One prepared request, sent as bytes; the response is taken as bytes and not decoded.</summary>
    private sealed class RawWorkload(CallInvoker invoker, string method, byte[][] requests) : IWorkload
    {
        private readonly Method<byte[], byte[]> _method = new(MethodType.Unary, "docstore.v1.DocStoreService", method, Raw, Raw);

        public IReadOnlyList<string> Names { get; } = [method];

        public int Next(Random random) => 0;

        public Task CallAsync(int operation, int worker, Random random, CancellationToken cancellationToken) =>
            invoker.AsyncUnaryCall(_method, null, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(60), cancellationToken: cancellationToken), requests[random.Next(requests.Length)]).ResponseAsync;
    }

    /// <summary>The client package's typed Get, deserializing into the shape's record type.</summary>
    private sealed class TypedGetWorkload(DocStoreClient client, string shape, (string Id, string Pk)[] keys) : IWorkload
    {
        public IReadOnlyList<string> Names { get; } = ["typed-get"];

        public int Next(Random random) => 0;

        public async Task CallAsync(int operation, int worker, Random random, CancellationToken cancellationToken)
        {
            var (id, pk) = keys[random.Next(keys.Length)];
            try
            {
                if (shape == DocumentShapes.Nested)
                {
                    await client.GetAsync<DocumentShapes.Order>(Collection, id, pk, cancellationToken: cancellationToken);
                }
                else
                {
                    await client.GetAsync<DocumentShapes.Padded>(Collection, id, pk, cancellationToken: cancellationToken);
                }
            }
            catch (DocStoreException e)
            {
                throw new RpcException(new Status(StatusCode.Unknown, e.Message));
            }
        }
    }
}

/// <summary>One row of the documents scenario.</summary>
internal sealed record DocumentsRow(
    string Server,
    string Shape,
    int Size,
    string Format,
    string Operation,
    double Rps,
    double MegabytesPerSecond,
    double P50Ms,
    double? ServerCpuMsPerCall,
    double? ServerPeakRssMb,
    long Errors,
    string? FirstError);

/// <summary>The documents scenario's result: a table, and JSON with the same figures.</summary>
internal sealed class DocumentsReport(int concurrency, TimeSpan duration, IReadOnlyList<DocumentsRow> rows)
{
    public IReadOnlyList<DocumentsRow> Rows { get; } = rows;

    public long Errors => Rows.Sum(r => r.Errors);

    public string ToJson() => JsonSerializer.Serialize(
        new { scenario = "documents", concurrency, duration_s = duration.TotalSeconds, errors = Errors, rows = Rows },
        JsonOptions);

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    public string ToTable()
    {
        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"documents scenario: embedded store, concurrency {concurrency}, {duration.TotalSeconds:0.#} s per row; raw calls (the client does not decode), typed-get through the client package");
        table.AppendLine("| server | op | shape | size | format | calls/s | MB/s | p50 ms | server CPU ms/call | server peak RSS MB | errors |");
        table.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in Rows)
        {
            table.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Server} | {r.Operation} | {r.Shape} | {Size(r.Size)} | {r.Format} | {r.Rps:0} | {r.MegabytesPerSecond:0.0} | {r.P50Ms:0.00} | {r.ServerCpuMsPerCall?.ToString("0.000", CultureInfo.InvariantCulture) ?? "n/a"} | {r.ServerPeakRssMb?.ToString("0", CultureInfo.InvariantCulture) ?? "n/a"} | {r.Errors} |");
        }

        foreach (var r in Rows.Where(r => r.FirstError is not null))
        {
            table.AppendLine(CultureInfo.InvariantCulture, $"first error of {r.Server} {r.Operation} {r.Shape} {Size(r.Size)} {r.Format}: {r.FirstError}");
        }

        return table.ToString();
    }

    private static string Size(int bytes) => bytes >= 1024 * 1024 ? $"{bytes / (1024 * 1024)} MB" : $"{bytes / 1024} KB";
}
