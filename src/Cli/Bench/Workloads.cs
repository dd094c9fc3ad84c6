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
/// Documents a run created and may delete, shared by the workloads of one run, so that the deletes of one
/// measurement find the creates of another. Ids carry a per-run prefix, so runs against one server never collide.
/// </summary>
internal sealed class DeletablePool
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<(string Id, string PartitionKey)> _documents = new();
    private long _next = -1;

    /// <summary>The prefix of every id this pool hands out.</summary>
    public string Prefix { get; } = "new-" + Guid.NewGuid().ToString("N")[..12] + "-";

    public bool IsEmpty => _documents.IsEmpty;

    /// <summary>A new, unused id, and its number (which picks its partition).</summary>
    public (string Id, long Number) NextId()
    {
        var number = Interlocked.Increment(ref _next);
        return (Prefix + number.ToString(System.Globalization.CultureInfo.InvariantCulture), number);
    }

    public void Add(string id, string partitionKey) => _documents.Enqueue((id, partitionKey));

    public bool TryTake(out (string Id, string PartitionKey) document) => _documents.TryDequeue(out document);

    /// <summary>Creates <paramref name="count"/> documents through batches of 100 (one partition each), for the deletes to come.</summary>
    public async Task FillAsync(DocStoreService.DocStoreServiceClient client, string collection, DocumentSet documents, int count, int concurrency, CancellationToken cancellationToken)
    {
        var remaining = count;
        var workers = Enumerable.Range(0, Math.Max(1, concurrency)).Select(async _ =>
        {
            while (Interlocked.Add(ref remaining, -DocStoreWorkload.MaxBatch) > -DocStoreWorkload.MaxBatch)
            {
                var partition = documents.PartitionKey(Random.Shared.Next(documents.Partitions));
                var batch = new ExecuteBatchRequest { Collection = collection, PartitionKey = partition };
                var ids = new List<string>(DocStoreWorkload.MaxBatch);
                for (var i = 0; i < DocStoreWorkload.MaxBatch; i++)
                {
                    var (id, _) = NextId();
                    ids.Add(id);
                    batch.Operations.Add(new BatchOperation { Create = new BatchWrite { Document = documents.Body(id, partition) } });
                }

                await client.ExecuteBatchAsync(batch, deadline: DateTime.UtcNow.AddMinutes(1), cancellationToken: cancellationToken);
                ids.ForEach(id => Add(id, partition));
            }
        });
        await Task.WhenAll(workers);
    }
}

/// <summary>
/// Get, Upsert, Patch, Query, ReadChanges, Create, Replace, Delete, ReadMany and ExecuteBatch over a
/// <see cref="DocumentSet"/> that is already stored, each worker on the endpoint <c>worker mod endpoints</c>.
/// Documents (and so partitions) are picked uniformly at random. Documents travel as Struct, as the Upsert of the
/// earlier figures does.
/// </summary>
internal sealed class DocStoreWorkload : IWorkload
{
    /// <summary>The page size of a query and of a change-feed read: a partition of 20 documents comes back whole.</summary>
    public const int PageSize = 20;

    /// <summary>Keys of a ReadMany, and upserts of a batch.</summary>
    public const int KeysPerCall = 10;

    /// <summary>The most operations a batch may hold.</summary>
    public const int MaxBatch = 100;

    /// <summary>Upserts cycle through prepared requests, built once so the client spends no CPU on them.</summary>
    private const long PreparedBytes = 64L * 1024 * 1024;

    private readonly IReadOnlyList<DocStoreService.DocStoreServiceClient> _clients;
    private readonly string _collection;
    private readonly DocumentSet _documents;
    private readonly OperationMix _mix;
    private readonly TimeSpan _deadline;
    private readonly BenchOperation[] _operations;
    private readonly UpsertRequest[] _upserts;
    private readonly ExecuteBatchRequest[] _batches;
    private readonly DeletablePool _deletable;

    /// <summary>A filter every seeded document matches (its counter starts at 0 and patches only raise it), so the filter is evaluated on every row.</summary>
    private static readonly Filter EveryDocument = new()
    {
        Field = new FieldFilter { Path = "/n", Operator = FieldFilter.Types.Operator.GreaterThanOrEqual, Value = Value.ForNumber(0) },
    };

    public DocStoreWorkload(IReadOnlyList<DocStoreService.DocStoreServiceClient> clients, string collection, DocumentSet documents, OperationMix mix, TimeSpan deadline, DeletablePool? deletable = null)
    {
        _clients = clients;
        _collection = collection;
        _documents = documents;
        _mix = mix;
        _deadline = deadline;
        _deletable = deletable ?? new DeletablePool();

        // A delete needs a document to delete: while the pool is empty a create runs instead, reported as create.
        _operations = mix.Operations.Contains(BenchOperation.Delete) && !mix.Operations.Contains(BenchOperation.Create)
            ? [.. mix.Operations, BenchOperation.Create]
            : [.. mix.Operations];
        Names = [.. _operations.Select(o => o.ToString().ToLowerInvariant())];
        var prepared = mix.Operations.Contains(BenchOperation.Upsert) || mix.Operations.Contains(BenchOperation.Replace)
            ? (int)Math.Clamp(PreparedBytes / Math.Max(1, documents.DocumentBytes), 1, documents.Count)
            : 0;
        _upserts = [.. Enumerable.Range(0, prepared).Select(i => new UpsertRequest { Collection = collection, Document = documents.Body(i) })];
        var batches = mix.Operations.Contains(BenchOperation.Batch)
            ? (int)Math.Clamp(PreparedBytes / Math.Max(1, (long)documents.DocumentBytes * KeysPerCall), 1, documents.Partitions)
            : 0;
        _batches = [.. Enumerable.Range(0, batches).Select(PrepareBatch)];
    }

    public IReadOnlyList<string> Names { get; }

    public int Next(Random random)
    {
        var operation = _mix.Pick(random.NextDouble());
        return Array.IndexOf(_operations, operation == BenchOperation.Delete && _deletable.IsEmpty ? BenchOperation.Create : operation);
    }

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
            case BenchOperation.Create:
                var (id, number) = _deletable.NextId();
                var partition = _documents.PartitionKey((int)(number % _documents.Partitions));
                await client.CreateAsync(new CreateRequest { Collection = _collection, Document = _documents.Body(id, partition) }, deadline: deadline, cancellationToken: cancellationToken);
                _deletable.Add(id, partition);
                break;
            case BenchOperation.Replace:
                var upsert = _upserts[random.Next(_upserts.Length)];
                await client.ReplaceAsync(new ReplaceRequest { Collection = _collection, Document = upsert.Document }, deadline: deadline, cancellationToken: cancellationToken);
                break;
            case BenchOperation.Delete:
                if (!_deletable.TryTake(out var deletable))
                {
                    // Another worker took the last one between Next and here: a create keeps the loop going.
                    await CallAsync(Array.IndexOf(_operations, BenchOperation.Create), worker, random, cancellationToken);
                    return;
                }

                await client.DeleteAsync(new DeleteRequest { Collection = _collection, Id = deletable.Id, PartitionKey = deletable.PartitionKey }, deadline: deadline, cancellationToken: cancellationToken);
                break;
            case BenchOperation.ReadMany:
                var many = new ReadManyRequest { Collection = _collection };
                var picked = new HashSet<int>();
                while (picked.Count < Math.Min(KeysPerCall, _documents.Count))
                {
                    picked.Add(random.Next(_documents.Count));
                }

                many.Keys.AddRange(picked.Select(i => new DocumentKey { Id = DocumentSet.Id(i), PartitionKey = _documents.PartitionKey(i) }));
                await client.ReadManyAsync(many, deadline: deadline, cancellationToken: cancellationToken);
                break;
            case BenchOperation.Batch:
                await client.ExecuteBatchAsync(_batches[random.Next(_batches.Length)], deadline: deadline, cancellationToken: cancellationToken);
                break;
            default:
                throw new InvalidOperationException("unknown operation");
        }
    }

    /// <summary>The query the <see cref="BenchOperation.Query"/> operation makes in <paramref name="partitionKey"/>.</summary>
    public static QueryRequest QueryOf(string collection, string partitionKey) =>
        new() { Collection = collection, PartitionKey = partitionKey, Filter = EveryDocument, PageSize = PageSize };

    /// <summary>
    /// A batch of <see cref="KeysPerCall"/> upserts of the documents of partition <paramref name="partition"/>: index
    /// <c>partition</c>, <c>partition + partitions</c>, ... (seeded or not: an upsert creates).
    /// </summary>
    private ExecuteBatchRequest PrepareBatch(int partition)
    {
        var batch = new ExecuteBatchRequest { Collection = _collection, PartitionKey = _documents.PartitionKey(partition) };
        for (var k = 0; k < KeysPerCall; k++)
        {
            batch.Operations.Add(new BatchOperation { Upsert = new BatchWrite { Document = _documents.Body(partition + (k * _documents.Partitions)) } });
        }

        return batch;
    }

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
