using System.Diagnostics;
using System.Text;
using System.Text.Json;
using DocStore.V1;
using Google.Protobuf;
using Grpc.Core;

namespace DocStore.Server.Tests.Infrastructure;

/// <summary>
/// A randomized workload of concurrent sessions against several pods, recorded as a history and checked
/// afterwards for read-your-writes and monotonic reads on every read path. One session runs its calls one
/// after another, as one caller does; sessions run concurrently.
/// </summary>
/// <remarks>
/// <para>
/// Documents: each session owns a few private documents spread over the partitions, which only it writes
/// (Upsert, Create, Replace, Delete, ExecuteBatch), so it knows their exact state; and every session
/// increments shared documents with Patch, whose answer gives the version the write made, in commit order.
/// </para>
/// <para>
/// A read must show the session's private documents exactly as its last write left them (read-your-writes),
/// and each shared document at a version at least the session's last write of it (read-your-writes) and at
/// least the newest the session has read before (monotonic reads). Query and the change feed read a whole
/// partition (or collection): a document of the session's that they leave out is read as absent.
/// </para>
/// </remarks>
internal sealed class SessionHistory
{
    public const string Collection = "history";

    private static readonly string[] Partitions = ["p0", "p1", "p2", "p3"];

    private readonly DocStoreService.DocStoreServiceClient[] _pods;
    private readonly HistoryOptions _options;
    private readonly List<Operation> _operations = [];

    public SessionHistory(DocStoreService.DocStoreServiceClient[] pods, HistoryOptions options)
    {
        _pods = pods;
        _options = options;
    }

    /// <summary>The seed of this test run: <c>DOCSTORE_HISTORY_SEED</c> when set (to replay a run's choices), else a random one.</summary>
    public static int RunSeed { get; } = int.TryParse(Environment.GetEnvironmentVariable("DOCSTORE_HISTORY_SEED"), out var seed) ? seed : Random.Shared.Next();

    /// <summary>The read paths this history exercises.</summary>
    public static readonly string[] PartitionPaths = ["get", "query", "readmany", "changes", "watch"];

    /// <summary>The read paths that span partitions.</summary>
    public static readonly string[] CollectionPaths = ["query-cross", "changes-all"];

    /// <summary>What ran, in the order the calls completed.</summary>
    public IReadOnlyList<Operation> Operations => _operations;

    /// <summary>The shared documents, created before the sessions start (and visible everywhere once the lag has passed).</summary>
    public static IEnumerable<DocumentKey> SharedKeys =>
        Enumerable.Range(0, Partitions.Length * 2).Select(i => new DocumentKey { Id = $"shared-{i}", PartitionKey = Partitions[i % Partitions.Length] });

    /// <summary>Creates the shared documents through the first pod.</summary>
    public async Task SeedAsync()
    {
        foreach (var key in SharedKeys)
        {
            await _pods[0].UpsertAsync(new UpsertRequest { Collection = Collection, DocumentJson = Body(key, 0) });
        }
    }

    /// <summary>Runs the sessions until <see cref="HistoryOptions.Duration"/> has passed.</summary>
    public async Task RunAsync()
    {
        using var stop = new CancellationTokenSource(_options.Duration);
        await Task.WhenAll(Enumerable.Range(0, _options.Sessions).Select(s => Task.Run(() => RunSessionAsync(s, stop.Token))));
    }

    /// <summary>Checks the history: the violations found, each with the operation that showed it.</summary>
    public HistoryCheck Check() => HistoryCheck.Of(_operations);

    private async Task RunSessionAsync(int session, CancellationToken stop)
    {
        var random = new Random(HashCode.Combine(_options.Seed, session));
        var privateKeys = Enumerable.Range(0, 4)
            .Select(j => new DocumentKey { Id = $"s{session}-{j}", PartitionKey = Partitions[(session + j) % Partitions.Length] })
            .ToArray();
        var state = privateKeys.ToDictionary(k => k.Id, _ => (long?)null);
        var sharedKeys = SharedKeys.ToArray();
        var paths = _options.CrossPartitionPaths ? [.. PartitionPaths, .. CollectionPaths] : PartitionPaths;
        var version = 0L;
        for (var call = 0; !stop.IsCancellationRequested; call++)
        {
            var pod = _options.Sticky ? session % _pods.Length : (session + call) % _pods.Length;
            var client = _pods[pod];
            var started = Stopwatch.GetTimestamp();
            var write = random.Next(10) < 4;
            var path = paths[random.Next(paths.Length)];
            var partition = Partitions[random.Next(Partitions.Length)];
            Operation operation;
            try
            {
                operation = !write
                    ? await ReadAsync(client, path, random, partition, privateKeys, sharedKeys)
                    : random.Next(3) == 0
                        ? await IncrementSharedAsync(client, sharedKeys[random.Next(sharedKeys.Length)])
                        : await WritePrivateAsync(client, random, privateKeys, state, _options.Batches, () => ++version);
            }
            catch (RpcException e)
            {
                var reason = e.GetRpcStatus()?.GetDetail<Google.Rpc.ErrorInfo>()?.Reason;
                operation = new Operation("error", [], [], $"{(write ? "write" : path)}: {e.StatusCode} {reason}");
            }

            lock (_operations)
            {
                _operations.Add(operation with { Session = session, Pod = pod, Started = started, Ended = Stopwatch.GetTimestamp() });
            }
        }
    }

    private static async Task<Operation> IncrementSharedAsync(DocStoreService.DocStoreServiceClient client, DocumentKey key)
    {
        var patched = await client.PatchAsync(new PatchRequest
        {
            Collection = Collection,
            Id = key.Id,
            PartitionKey = key.PartitionKey,
            BodyFormat = BodyFormat.Json,
            Operations = { new PatchOperation { Increment = new IncrementOperation { Path = "/v", By = 1 } } },
        });
        return new Operation("patch", [new Observation(key.Id, Version(patched.Document))], []);
    }

    private static async Task<Operation> WritePrivateAsync(DocStoreService.DocStoreServiceClient client, Random random, DocumentKey[] keys, Dictionary<string, long?> state, bool batches, Func<long> next)
    {
        var key = keys[random.Next(keys.Length)];
        var exists = state[key.Id] is not null;
        switch (random.Next(4))
        {
            case 0 when exists:
                await client.DeleteAsync(new DeleteRequest { Collection = Collection, Id = key.Id, PartitionKey = key.PartitionKey });
                state[key.Id] = null;
                return new Operation("delete", [], [new Observation(key.Id, null)]);
            case 1 when exists:
            {
                var v = next();
                await client.ReplaceAsync(new ReplaceRequest { Collection = Collection, DocumentJson = Body(key, v) });
                state[key.Id] = v;
                return new Operation("replace", [], [new Observation(key.Id, v)]);
            }

            case 2 when !exists:
            {
                var v = next();
                await client.CreateAsync(new CreateRequest { Collection = Collection, DocumentJson = Body(key, v) });
                state[key.Id] = v;
                return new Operation("create", [], [new Observation(key.Id, v)]);
            }

            case 3 when batches:
            {
                // Every private document of the key's partition, upserted in one transactional batch.
                var batch = new ExecuteBatchRequest { Collection = Collection, PartitionKey = key.PartitionKey };
                var written = new List<Observation>();
                foreach (var same in keys.Where(k => k.PartitionKey == key.PartitionKey))
                {
                    var v = next();
                    batch.Operations.Add(new BatchOperation { Upsert = new BatchWrite { DocumentJson = Body(same, v) } });
                    written.Add(new Observation(same.Id, v));
                }

                await client.ExecuteBatchAsync(batch);
                foreach (var done in written)
                {
                    state[done.Id] = done.Version;
                }

                return new Operation("batch", [], written);
            }

            default:
            {
                var v = next();
                await client.UpsertAsync(new UpsertRequest { Collection = Collection, DocumentJson = Body(key, v) });
                state[key.Id] = v;
                return new Operation("upsert", [], [new Observation(key.Id, v)]);
            }
        }
    }

    private static async Task<Operation> ReadAsync(DocStoreService.DocStoreServiceClient client, string path, Random random, string partition, DocumentKey[] privateKeys, DocumentKey[] sharedKeys)
    {
        var mine = privateKeys.Concat(sharedKeys);
        switch (path)
        {
            case "get":
            {
                var key = mine.ElementAt(random.Next(privateKeys.Length + sharedKeys.Length));
                try
                {
                    var got = await client.GetAsync(new GetRequest { Collection = Collection, Id = key.Id, PartitionKey = key.PartitionKey, BodyFormat = BodyFormat.Json });
                    return new Operation(path, [new Observation(key.Id, Version(got.Document))], []);
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.NotFound && e.GetRpcStatus()?.GetDetail<Google.Rpc.ErrorInfo>()?.Reason == "DOCUMENT_NOT_FOUND")
                {
                    return new Operation(path, [new Observation(key.Id, null)], []);
                }
            }

            case "readmany":
            {
                var keys = mine.OrderBy(_ => random.Next()).Take(4).ToArray();
                var many = await client.ReadManyAsync(new ReadManyRequest { Collection = Collection, Keys = { keys }, BodyFormat = BodyFormat.Json });
                return new Operation(path, Complete(keys, many.Documents), []);
            }

            case "query":
            case "query-cross":
            {
                var request = new QueryRequest
                {
                    Collection = Collection,
                    Filter = new Filter { Field = new FieldFilter { Path = "/v", Operator = FieldFilter.Types.Operator.Exists } },
                    PageSize = 1000,
                    BodyFormat = BodyFormat.Json,
                };
                if (path == "query")
                {
                    request.PartitionKey = partition;
                }
                else
                {
                    request.CrossPartition = true;
                }

                var page = await client.QueryAsync(request);
                return new Operation(path, Complete(InScope(mine, path == "query" ? partition : null), page.Documents), []);
            }

            case "changes":
            case "changes-all":
            {
                var request = new ReadChangesRequest { Collection = Collection, MaxItems = 1000, BodyFormat = BodyFormat.Json };
                if (path == "changes")
                {
                    request.PartitionKey = partition;
                }

                var changes = await client.ReadChangesAsync(request);
                return new Operation(path, Complete(InScope(mine, path == "changes" ? partition : null), changes.Documents), []);
            }

            case "watch":
            {
                // A stream from the beginning: its first batch is the partition's feed at the stream's view.
                using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                using var call = client.WatchChanges(new WatchChangesRequest { Collection = Collection, PartitionKey = partition, BodyFormat = BodyFormat.Json }, cancellationToken: deadline.Token);
                if (!await call.ResponseStream.MoveNext(deadline.Token))
                {
                    throw new RpcException(new Status(StatusCode.Unknown, "the stream ended before its first batch"));
                }

                return new Operation(path, Complete(InScope(mine, partition), call.ResponseStream.Current.Documents), []);
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(path), path, "Unknown read path.");
        }
    }

    private static IEnumerable<DocumentKey> InScope(IEnumerable<DocumentKey> keys, string? partition) =>
        partition is null ? keys : keys.Where(k => k.PartitionKey == partition);

    /// <summary>An observation for each key: its version among the documents read, or absent.</summary>
    private static List<Observation> Complete(IEnumerable<DocumentKey> keys, IEnumerable<Document> documents)
    {
        var found = documents.ToDictionary(d => (d.Id, d.PartitionKey), Version);
        return [.. keys.Select(k => new Observation(k.Id, found.TryGetValue((k.Id, k.PartitionKey), out var v) ? v : null))];
    }

    private static long Version(Document document)
    {
        using var json = JsonDocument.Parse(document.BodyJson.Memory);
        return json.RootElement.GetProperty("v").GetInt64();
    }

    private static ByteString Body(DocumentKey key, long version) =>
        ByteString.CopyFrom(Encoding.UTF8.GetBytes($$"""{"id":"{{key.Id}}","pk":"{{key.PartitionKey}}","v":{{version}}}"""));
}

/// <summary>How a history runs.</summary>
/// <param name="Seed">Seeds every session's choices (each session's own from it).</param>
/// <param name="Sessions">Concurrent sessions.</param>
/// <param name="Duration">How long the sessions run.</param>
/// <param name="Sticky">Whether each session keeps to one pod, or moves to the next pod on every call.</param>
/// <param name="CrossPartitionPaths">Whether sessions also read across partitions (a cross-partition query, the collection's feed).</param>
/// <param name="Batches">Whether sessions also write with ExecuteBatch (the Cosmos DB test peer cannot take a batch).</param>
internal sealed record HistoryOptions(int Seed, int Sessions, TimeSpan Duration, bool Sticky, bool CrossPartitionPaths, bool Batches = true);

/// <summary>A document's version as a call saw or left it; <see langword="null"/>: absent.</summary>
internal sealed record Observation(string Id, long? Version);

/// <summary>One call of a session: what it read, what it wrote, or the error it got.</summary>
internal sealed record Operation(string Path, IReadOnlyList<Observation> Read, IReadOnlyList<Observation> Written, string? Error = null)
{
    public int Session { get; init; }

    public int Pod { get; init; }

    public long Started { get; init; }

    public long Ended { get; init; }

    public bool IsWrite => Written.Count > 0 || Path == "patch";
}

/// <summary>A guarantee a read broke.</summary>
internal sealed record Violation(string Guarantee, Operation Operation, string Id, long? Seen, long? Expected);

/// <summary>The violations a history shows, by guarantee and path.</summary>
internal sealed class HistoryCheck
{
    private HistoryCheck(List<Violation> violations, List<Operation> errors, Dictionary<string, int> reads)
    {
        Violations = violations;
        Errors = errors;
        Reads = reads;
    }

    public IReadOnlyList<Violation> Violations { get; }

    /// <summary>Calls that failed.</summary>
    public IReadOnlyList<Operation> Errors { get; }

    /// <summary>Reads per path.</summary>
    public IReadOnlyDictionary<string, int> Reads { get; }

    public static HistoryCheck Of(IReadOnlyList<Operation> operations)
    {
        var violations = new List<Violation>();
        var errors = operations.Where(o => o.Error is not null).ToList();
        var reads = new Dictionary<string, int>();
        foreach (var session in operations.Where(o => o.Error is null).GroupBy(o => o.Session))
        {
            // What the session last wrote of each document (private: exact state; shared: a lower bound), and the
            // newest version of each it has read.
            var written = new Dictionary<string, long?>();
            var newest = new Dictionary<string, long>();
            foreach (var operation in session.OrderBy(o => o.Started))
            {
                if (operation.Path == "patch")
                {
                    var patch = operation.Read[0];
                    written[patch.Id] = patch.Version;
                    newest[patch.Id] = Math.Max(newest.GetValueOrDefault(patch.Id), patch.Version!.Value);
                    continue;
                }

                foreach (var write in operation.Written)
                {
                    written[write.Id] = write.Version;
                }

                if (operation.IsWrite)
                {
                    continue;
                }

                reads[operation.Path] = reads.GetValueOrDefault(operation.Path) + 1;
                foreach (var seen in operation.Read)
                {
                    var shared = seen.Id.StartsWith("shared-", StringComparison.Ordinal);
                    if (!shared)
                    {
                        // Only this session writes its private documents: a read shows exactly its last write.
                        if (written.TryGetValue(seen.Id, out var expected) && expected != seen.Version)
                        {
                            violations.Add(new Violation("read-your-writes", operation, seen.Id, seen.Version, expected));
                        }

                        continue;
                    }

                    var version = seen.Version ?? -1;
                    if (written.TryGetValue(seen.Id, out var own) && version < own)
                    {
                        violations.Add(new Violation("read-your-writes", operation, seen.Id, seen.Version, own));
                    }
                    else if (newest.TryGetValue(seen.Id, out var before) && version < before)
                    {
                        violations.Add(new Violation("monotonic-reads", operation, seen.Id, seen.Version, before));
                    }

                    newest[seen.Id] = Math.Max(newest.GetValueOrDefault(seen.Id), version);
                }
            }
        }

        return new HistoryCheck(violations, errors, reads);
    }

    /// <summary>Counts by guarantee and path, a few examples and the errors, for a failure message.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        text.Append("reads: ").AppendJoin(", ", Reads.OrderBy(r => r.Key).Select(r => $"{r.Key} {r.Value}")).AppendLine();
        foreach (var group in Violations.GroupBy(v => (v.Guarantee, v.Operation.Path)).OrderBy(g => g.Key))
        {
            text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"{group.Key.Guarantee} on {group.Key.Path}: {group.Count()}");
        }

        foreach (var v in Violations.Take(5))
        {
            text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"  session {v.Operation.Session} {v.Operation.Path} on pod {v.Operation.Pod}: {v.Id} seen {v.Seen?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "absent"}, expected {v.Expected?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "absent"} ({v.Guarantee})");
        }

        foreach (var group in Errors.GroupBy(e => e.Error))
        {
            text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"errors {group.Key}: {group.Count()}");
        }

        return text.ToString();
    }
}
