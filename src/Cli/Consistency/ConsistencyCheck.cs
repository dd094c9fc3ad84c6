using System.Diagnostics;
using DocStore.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;

namespace DocStore.Cli.Consistency;

/// <summary>What <see cref="ConsistencyCheck"/> runs.</summary>
/// <param name="Endpoints">The DocStore endpoints, one per pod (or one Service address).</param>
/// <param name="Collection">The collection to write into.</param>
/// <param name="PartitionKeyPath">The collection's partition key path, to place the key in each document.</param>
/// <param name="Operations">How many write-then-read pairs to run.</param>
/// <param name="Concurrency">How many pairs run at once.</param>
/// <param name="Security">Token, CA and client certificate for the channels.</param>
/// <param name="Mode">What each pair checks: a write, or a delete.</param>
internal sealed record ConsistencyCheckSettings(
    IReadOnlyList<Uri> Endpoints,
    string Collection,
    string PartitionKeyPath,
    int Operations,
    int Concurrency,
    ChannelSecurity? Security = null,
    ConsistencyMode Mode = ConsistencyMode.Write);

/// <summary>What a pair of <c>docstore consistency</c> does through its two endpoints.</summary>
internal enum ConsistencyMode
{
    /// <summary>Write a new version through one endpoint, read it through the next.</summary>
    Write,

    /// <summary>Delete a document every endpoint has seen through one endpoint, read it through the next.</summary>
    Delete,
}

/// <summary>What a run found.</summary>
/// <param name="Operations">Write-then-read pairs run.</param>
/// <param name="StaleOlder">Reads that returned a version older than the acknowledged write.</param>
/// <param name="StaleNotFound">Reads that returned NOT_FOUND after an acknowledged create.</param>
/// <param name="Errors">Pairs that failed with any other error (not counted as stale).</param>
/// <param name="Elapsed">How long the run took.</param>
/// <param name="FirstError">The first error seen, for the summary.</param>
/// <param name="StaleDeleted">Reads that still returned a document after its acknowledged delete.</param>
internal sealed record ConsistencyCheckResult(int Operations, int StaleOlder, int StaleNotFound, int Errors, TimeSpan Elapsed, string? FirstError, int StaleDeleted = 0)
{
    public int Stale => StaleOlder + StaleNotFound + StaleDeleted;

    /// <summary>Pairs whose write and read both answered: the only ones that can show a stale read.</summary>
    public int Completed => Operations - Errors;

    /// <summary>Stale reads per completed pair (errors excluded).</summary>
    public double StaleRate => Completed == 0 ? 0 : (double)Stale / Completed;

    /// <summary>
    /// The verdict, as the exit code says it: <see cref="ConsistencyVerdict.Errors"/> when any call failed,
    /// whatever the stale count (it covers only the completed pairs), else stale or consistent.
    /// </summary>
    public ConsistencyVerdict Verdict => Errors > 0 ? ConsistencyVerdict.Errors : Stale > 0 ? ConsistencyVerdict.Stale : ConsistencyVerdict.Consistent;
}

/// <summary>What a run concluded; the value is the command's exit code.</summary>
internal enum ConsistencyVerdict
{
    /// <summary>Every pair completed and every read saw its write.</summary>
    Consistent = 0,

    /// <summary>Every pair completed, and some reads were stale.</summary>
    Stale = 1,

    /// <summary>Some calls failed: the run could not check those pairs, so it proves nothing about them.</summary>
    Errors = 3,
}

/// <summary>
/// Writes a new version of a document through one endpoint and at once reads it through the next,
/// rotating through the endpoints, concurrently, and counts the reads that did not see the write.
/// Each worker owns its partition and starts a new document every few versions, so a run meets both
/// kinds of stale read: an older version, and NOT_FOUND for a document just created. The reads carry
/// no session token, as a caller behind a load balancer that does not handle tokens would.
/// </summary>
internal static class ConsistencyCheck
{
    /// <summary>Versions written to one document before a worker starts the next one.</summary>
    private const int VersionsPerDocument = 4;

    /// <summary>How long the delete mode waits for its documents to reach every endpoint before it deletes them.</summary>
    private static readonly TimeSpan VisibleTimeout = TimeSpan.FromSeconds(60);

    public static async Task<ConsistencyCheckResult> RunAsync(ConsistencyCheckSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Mode == ConsistencyMode.Delete)
        {
            return await RunDeletesAsync(settings, cancellationToken);
        }

        var security = settings.Security ?? ChannelSecurity.None;
        var channels = settings.Endpoints.Select(e => GrpcChannel.ForAddress(e, new GrpcChannelOptions { HttpHandler = security.Apply(new SocketsHttpHandler()) })).ToArray();
        try
        {
            var clients = channels.Select(c => new DocStoreService.DocStoreServiceClient(c)).ToArray();
            var run = Guid.NewGuid().ToString("N")[..12];
            var next = -1;
            int staleOlder = 0, staleNotFound = 0, errors = 0;
            string? firstError = null;
            var clock = Stopwatch.StartNew();

            async Task WorkerAsync(int worker)
            {
                var partitionKey = $"consistency-{run}-{worker}";
                var pair = 0;
                while (Interlocked.Increment(ref next) < settings.Operations)
                {
                    var writer = clients[(worker + pair) % clients.Length];
                    var reader = clients[(worker + pair + 1) % clients.Length];
                    var id = $"{partitionKey}-{pair / VersionsPerDocument}";
                    var version = pair % VersionsPerDocument;
                    pair++;
                    try
                    {
                        await writer.UpsertAsync(
                            new UpsertRequest { Collection = settings.Collection, Document = NewVersion(id, partitionKey, settings.PartitionKeyPath, version) },
                            cancellationToken: cancellationToken);
                        var read = await reader.GetAsync(
                            new GetRequest { Collection = settings.Collection, Id = id, PartitionKey = partitionKey },
                            cancellationToken: cancellationToken);
                        if (read.Document.Body.Fields.TryGetValue("version", out var seen) && seen.NumberValue < version)
                        {
                            Interlocked.Increment(ref staleOlder);
                        }
                    }
                    catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
                    {
                        Interlocked.Increment(ref staleNotFound);
                    }
                    catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
                    {
                        Interlocked.Increment(ref errors);
                        Interlocked.CompareExchange(ref firstError, $"{e.StatusCode}: {e.Status.Detail}", null);
                    }
                }
            }

            await Task.WhenAll(Enumerable.Range(0, Math.Max(1, settings.Concurrency)).Select(WorkerAsync));
            return new ConsistencyCheckResult(settings.Operations, staleOlder, staleNotFound, errors, clock.Elapsed, firstError);
        }
        finally
        {
            foreach (var channel in channels)
            {
                channel.Dispose();
            }
        }
    }

    /// <summary>
    /// The delete mode: stores one document per pair, waits until every endpoint reads the last of them without a
    /// token (so a lagging replica has them all), then, concurrently, deletes each through one endpoint and reads it at
    /// once through the next. A read that still finds the document is stale.
    /// </summary>
    private static async Task<ConsistencyCheckResult> RunDeletesAsync(ConsistencyCheckSettings settings, CancellationToken cancellationToken)
    {
        var security = settings.Security ?? ChannelSecurity.None;
        var channels = settings.Endpoints.Select(e => GrpcChannel.ForAddress(e, new GrpcChannelOptions { HttpHandler = security.Apply(new SocketsHttpHandler()) })).ToArray();
        try
        {
            var clients = channels.Select(c => new DocStoreService.DocStoreServiceClient(c)).ToArray();
            var run = Guid.NewGuid().ToString("N")[..12];
            var workers = Math.Max(1, settings.Concurrency);
            string PartitionOf(int pair) => $"consistency-{run}-{pair % workers}";
            string IdOf(int pair) => $"consistency-{run}-delete-{pair}";
            int staleDeleted = 0, errors = 0;
            string? firstError = null;
            var clock = Stopwatch.StartNew();

            void Failed(RpcException e)
            {
                Interlocked.Increment(ref errors);
                Interlocked.CompareExchange(ref firstError, $"{e.StatusCode}: {e.Status.Detail}", null);
            }

            var stored = new bool[settings.Operations];
            await Parallel.ForAsync(0, settings.Operations, new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = cancellationToken }, async (pair, token) =>
            {
                try
                {
                    await clients[pair % clients.Length].UpsertAsync(
                        new UpsertRequest { Collection = settings.Collection, Document = NewVersion(IdOf(pair), PartitionOf(pair), settings.PartitionKeyPath, 0) },
                        cancellationToken: token);
                    stored[pair] = true;
                }
                catch (RpcException e) when (!token.IsCancellationRequested)
                {
                    Failed(e);
                }
            });

            // Every endpoint, reading without a token, must have the documents before they are deleted; else a
            // NOT_FOUND would say nothing about the delete. Writes are ordered, so the last one stands for all.
            var last = Array.LastIndexOf(stored, true);
            if (last >= 0)
            {
                var deadline = DateTime.UtcNow + VisibleTimeout;
                foreach (var client in clients)
                {
                    while (!await ExistsAsync(client, settings.Collection, IdOf(last), PartitionOf(last), cancellationToken))
                    {
                        if (DateTime.UtcNow > deadline)
                        {
                            return new ConsistencyCheckResult(settings.Operations, 0, 0, settings.Operations, clock.Elapsed, $"the documents did not reach every endpoint within {VisibleTimeout.TotalSeconds:0} s");
                        }

                        await Task.Delay(100, cancellationToken);
                    }
                }
            }

            await Parallel.ForAsync(0, settings.Operations, new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = cancellationToken }, async (pair, token) =>
            {
                if (!stored[pair])
                {
                    return;
                }

                var writer = clients[pair % clients.Length];
                var reader = clients[(pair + 1) % clients.Length];
                try
                {
                    await writer.DeleteAsync(new DeleteRequest { Collection = settings.Collection, Id = IdOf(pair), PartitionKey = PartitionOf(pair) }, cancellationToken: token);
                    if (await ExistsAsync(reader, settings.Collection, IdOf(pair), PartitionOf(pair), token))
                    {
                        Interlocked.Increment(ref staleDeleted);
                    }
                }
                catch (RpcException e) when (!token.IsCancellationRequested)
                {
                    Failed(e);
                }
            });

            return new ConsistencyCheckResult(settings.Operations, 0, 0, errors, clock.Elapsed, firstError, staleDeleted);
        }
        finally
        {
            foreach (var channel in channels)
            {
                channel.Dispose();
            }
        }
    }

    /// <summary>Whether a Get without a token finds the document.</summary>
    private static async Task<bool> ExistsAsync(DocStoreService.DocStoreServiceClient client, string collection, string id, string partitionKey, CancellationToken cancellationToken)
    {
        try
        {
            await client.GetAsync(new GetRequest { Collection = collection, Id = id, PartitionKey = partitionKey }, cancellationToken: cancellationToken);
            return true;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>A document with the given id, partition key (at <paramref name="partitionKeyPath"/>) and version number.</summary>
    internal static Struct NewVersion(string id, string partitionKey, string partitionKeyPath, int version)
    {
        var body = new Struct { Fields = { ["id"] = Value.ForString(id), ["version"] = Value.ForNumber(version) } };
        var segments = partitionKeyPath.TrimStart('/').Split('/').Select(s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray();
        var parent = body;
        foreach (var segment in segments[..^1])
        {
            var child = new Struct();
            parent.Fields[segment] = Value.ForStruct(child);
            parent = child;
        }

        parent.Fields[segments[^1]] = Value.ForString(partitionKey);
        return body;
    }
}
