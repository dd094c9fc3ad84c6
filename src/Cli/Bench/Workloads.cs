using DocStore.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Health.V1;

namespace DocStore.Cli.Bench;

/// <summary>
/// The ceiling: <c>grpc.health.v1.Health/Check</c> for the <c>liveness</c> service on the same servers,
/// through the same channels, HTTP/2 stack and Kestrel. Liveness runs no health check (no store query,
/// no Redis, no network), so the call does no I/O: no DocStore call can be faster than this.
/// </summary>
internal sealed class CeilingWorkload(IReadOnlyList<Health.HealthClient> clients, TimeSpan deadline) : IWorkload
{
    public const string Name = "ceiling";

    /// <summary>The health service the ceiling asks for: the one that does no I/O.</summary>
    public const string Service = "liveness";

    /// <summary>How reports name the ceiling.</summary>
    public const string Description = "ceiling (liveness health check)";

    private static readonly HealthCheckRequest Request = new() { Service = Service };

    public IReadOnlyList<string> Names { get; } = [Name];

    public int Next(Random random) => 0;

    public async Task CallAsync(int operation, int worker, Random random, CancellationToken cancellationToken)
    {
        var reply = await clients[worker % clients.Count].CheckAsync(Request, deadline: DateTime.UtcNow + deadline, cancellationToken: cancellationToken);
        if (reply.Status != HealthCheckResponse.Types.ServingStatus.Serving)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"health check answered {reply.Status}"));
        }
    }
}

/// <summary>
/// Get, Upsert, Patch, Query and ReadChanges over a <see cref="DocumentSet"/> that is already stored, each
/// worker on the endpoint <c>worker mod endpoints</c>. Documents (and so partitions) are picked uniformly at
/// random.
/// </summary>
internal sealed class DocStoreWorkload : IWorkload
{
    /// <summary>The page size of a query and of a change-feed read: a partition of 20 documents comes back whole.</summary>
    public const int PageSize = 20;

    /// <summary>A filter every seeded document matches (its counter starts at 0 and patches only raise it), so the filter is evaluated on every row.</summary>
    private static readonly Filter EveryDocument = new()
    {
        Field = new FieldFilter { Path = "/n", Operator = FieldFilter.Types.Operator.GreaterThanOrEqual, Value = Value.ForNumber(0) },
    };

    /// <summary>Upserts cycle through prepared requests, built once so the client spends no CPU on them.</summary>
    private const long PreparedBytes = 64L * 1024 * 1024;

    private readonly IReadOnlyList<DocStoreService.DocStoreServiceClient> _clients;
    private readonly string _collection;
    private readonly DocumentSet _documents;
    private readonly OperationMix _mix;
    private readonly TimeSpan _deadline;
    private readonly BenchOperation[] _operations;
    private readonly UpsertRequest[] _upserts;

    public DocStoreWorkload(IReadOnlyList<DocStoreService.DocStoreServiceClient> clients, string collection, DocumentSet documents, OperationMix mix, TimeSpan deadline)
    {
        _clients = clients;
        _collection = collection;
        _documents = documents;
        _mix = mix;
        _deadline = deadline;
        _operations = [.. mix.Operations];
        Names = [.. _operations.Select(o => o.ToString().ToLowerInvariant())];
        var prepared = mix.Operations.Contains(BenchOperation.Upsert)
            ? (int)Math.Clamp(PreparedBytes / Math.Max(1, documents.DocumentBytes), 1, documents.Count)
            : 0;
        _upserts = [.. Enumerable.Range(0, prepared).Select(i => new UpsertRequest { Collection = collection, Document = documents.Body(i) })];
    }

    public IReadOnlyList<string> Names { get; }

    public int Next(Random random) => Array.IndexOf(_operations, _mix.Pick(random.NextDouble()));

    public async Task CallAsync(int operation, int worker, Random random, CancellationToken cancellationToken)
    {
        var client = _clients[worker % _clients.Count];
        var deadline = DateTime.UtcNow + _deadline;
        switch (_operations[operation])
        {
            case BenchOperation.Get:
                var index = random.Next(_documents.Count);
                await client.GetAsync(
                    new GetRequest { Collection = _collection, Id = DocumentSet.Id(index), PartitionKey = _documents.PartitionKey(index) },
                    deadline: deadline,
                    cancellationToken: cancellationToken);
                break;
            case BenchOperation.Upsert:
                await client.UpsertAsync(_upserts[random.Next(_upserts.Length)], deadline: deadline, cancellationToken: cancellationToken);
                break;
            case BenchOperation.Patch:
                index = random.Next(_documents.Count);
                var patch = new PatchRequest { Collection = _collection, Id = DocumentSet.Id(index), PartitionKey = _documents.PartitionKey(index) };
                patch.Operations.Add(new PatchOperation { Increment = new IncrementOperation { Path = "/n", By = 1 } });
                await client.PatchAsync(patch, deadline: deadline, cancellationToken: cancellationToken);
                break;
            case BenchOperation.Query:
                await client.QueryAsync(QueryOf(_collection, _documents.PartitionKey(random.Next(_documents.Count))), deadline: deadline, cancellationToken: cancellationToken);
                break;
            case BenchOperation.Changes:
                await client.ReadChangesAsync(
                    new ReadChangesRequest { Collection = _collection, PartitionKey = _documents.PartitionKey(random.Next(_documents.Count)), MaxItems = PageSize },
                    deadline: deadline,
                    cancellationToken: cancellationToken);
                break;
            default:
                throw new InvalidOperationException("unknown operation");
        }
    }

    /// <summary>The query the <see cref="BenchOperation.Query"/> operation makes in <paramref name="partitionKey"/>.</summary>
    public static QueryRequest QueryOf(string collection, string partitionKey) =>
        new() { Collection = collection, PartitionKey = partitionKey, Filter = EveryDocument, PageSize = PageSize };

    /// <summary>Stores every document of the set through Upsert, <paramref name="concurrency"/> at a time.</summary>
    public static async Task SeedAsync(DocStoreService.DocStoreServiceClient client, string collection, DocumentSet documents, int concurrency, CancellationToken cancellationToken)
    {
        var next = -1;
        var workers = Enumerable.Range(0, Math.Max(1, concurrency)).Select(async _ =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < documents.Count)
            {
                await client.UpsertAsync(new UpsertRequest { Collection = collection, Document = documents.Body(index) }, deadline: DateTime.UtcNow.AddMinutes(1), cancellationToken: cancellationToken);
            }
        });
        await Task.WhenAll(workers);
    }
}
