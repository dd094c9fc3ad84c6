extern alias server;

using System.Text;
using System.Text.Json;
using DocStore.Server.Tests.Infrastructure;
using DocStore.Server.Tests.Query;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using server::DocStore.Server;
using server::DocStore.Server.Consistency;
using server::DocStore.Server.Storage;
using server::DocStore.Server.Storage.Embedded;

namespace DocStore.Server.Tests.Consistency;

/// <summary>
/// The read paths off Get under the replica-lag model: two embedded stores on one file play two pods, on a fake
/// clock, so each case sets up exactly the view it names. Each rule here was broken once while every single-call
/// test passed; the randomized history test (SessionHistoryTests) checks them together.
/// </summary>
public sealed class ReadPathRegressionTests : IAsyncLifetime
{
    private static readonly CollectionDefinition Items = new("items", "items", JsonPointer.Parse("/pk"));
    private static readonly TimeSpan Lag = TimeSpan.FromSeconds(1);

    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-12-08T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly string _path = TestPaths.NewDatabasePath();
    private readonly List<EmbeddedDocumentStore> _stores = [];
    private ResolverPods _resolvers = null!;

    public async Task InitializeAsync() => _resolvers = await ResolverPods.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }

        await _resolvers.DisposeAsync();
    }

    [Fact]
    public async Task A_filtered_query_at_a_lagging_view_skips_a_deleted_document_instead_of_failing()
    {
        var pod = Open();
        await UpsertAsync(pod, "a", "p", """{"v":1}""");
        await UpsertAsync(pod, "b", "p", """{"v":2}""");
        var deleted = await pod.DeleteAsync(Items, new DocumentKey("a", "p"), null, CancellationToken.None);
        Assert.Equal(StoreStatus.Ok, deleted.Status);

        // The tombstone of "a" (an empty body) is in the history within the lag: the filter must never parse it.
        var page = await pod.QueryAsync(Items, "p", Filters.Where(Filters.Exists("/v")), 10, null, null, CancellationToken.None);

        Assert.Equal(StoreStatus.Ok, page.Status);
        Assert.Equal(["b"], page.Items.Select(i => i.Key.Id));
    }

    [Fact]
    public async Task A_query_at_a_view_between_a_delete_and_a_re_creation_agrees_with_get_that_the_document_is_absent()
    {
        var writer = Open();
        var reader = Open();
        await UpsertAsync(writer, "a", "p", """{"v":1}""");
        _time.Advance(Lag * 2);
        var deleted = await writer.DeleteAsync(Items, new DocumentKey("a", "p"), null, CancellationToken.None);
        await UpsertAsync(writer, "a", "p", """{"v":3}""");

        // At the delete's token, a replica holds the delete and not the re-creation.
        var get = await reader.ReadAsync(Items, new DocumentKey("a", "p"), deleted.SessionToken, CancellationToken.None);
        var all = await reader.QueryAsync(Items, "p", Filters.Where(null), 10, null, deleted.SessionToken, CancellationToken.None);
        var filtered = await reader.QueryAsync(Items, "p", Filters.Where(Filters.Exists("/v")), 10, null, deleted.SessionToken, CancellationToken.None);

        Assert.Equal(StoreStatus.NotFound, get.Status);
        Assert.Equal(StoreStatus.Ok, all.Status);
        Assert.Empty(all.Items);
        Assert.Equal(StoreStatus.Ok, filtered.Status);
        Assert.Empty(filtered.Items);
    }

    [Fact]
    public async Task A_query_at_a_view_before_a_delete_finds_the_document_as_get_does()
    {
        var writer = Open();
        var reader = Open();
        await UpsertAsync(writer, "a", "p", """{"v":1}""");
        _time.Advance(Lag * 2);
        await writer.DeleteAsync(Items, new DocumentKey("a", "p"), null, CancellationToken.None);

        // The reader's replica lags behind the delete: "a" still exists there, for Get and Query alike.
        var get = await reader.ReadAsync(Items, new DocumentKey("a", "p"), null, CancellationToken.None);
        var page = await reader.QueryAsync(Items, "p", Filters.Where(Filters.Exists("/v")), 10, null, null, CancellationToken.None);

        Assert.Equal(StoreStatus.Ok, get.Status);
        Assert.Equal(StoreStatus.Ok, page.Status);
        var item = Assert.Single(page.Items);
        Assert.Equal(get.Document!.ETag, item.Document.ETag);
    }

    [Fact]
    public async Task The_change_feed_at_a_lagging_view_gives_each_document_as_the_view_holds_it_and_never_passes_a_change()
    {
        var writer = Open();
        var reader = Open();
        await UpsertAsync(writer, "x", "p", """{"v":1}""");
        _time.Advance(TimeSpan.FromMilliseconds(1200));
        await UpsertAsync(writer, "x", "p", """{"v":2}""");

        // The reader's view holds x at v1 (Get agrees): the feed gives x at v1, not nothing.
        var get = await reader.ReadAsync(Items, new DocumentKey("x", "p"), null, CancellationToken.None);
        foreach (var partition in new[] { "p", null })
        {
            var page = await reader.ReadChangesAsync(Items, partition, new ChangeFeedStart.Beginning(), 100, null, CancellationToken.None);
            Assert.Equal(StoreStatus.Ok, page.Status);
            Assert.Equal(1, Version(Assert.Single(page.Items).Document.Body));
        }

        Assert.Equal(1, Version(get.Document!.Body));

        // Once the lag has passed, reading on from the continuation gives v2: nothing was skipped.
        var first = await reader.ReadChangesAsync(Items, "p", new ChangeFeedStart.Beginning(), 100, null, CancellationToken.None);
        _time.Advance(Lag * 2);
        var next = await reader.ReadChangesAsync(Items, "p", new ChangeFeedStart.After(first.Continuation!), 100, null, CancellationToken.None);
        Assert.Equal(2, Version(Assert.Single(next.Items).Document.Body));
    }

    [Fact]
    public async Task The_change_feed_at_a_lagging_view_leaves_out_a_document_deleted_by_then_and_pages_in_lsn_order()
    {
        var writer = Open();
        var reader = Open();
        await UpsertAsync(writer, "x", "p", """{"v":1}""");
        await UpsertAsync(writer, "y", "p", """{"v":1}""");
        await UpsertAsync(writer, "gone", "p", """{"v":1}""");
        await writer.DeleteAsync(Items, new DocumentKey("gone", "p"), null, CancellationToken.None);
        var view = await UpsertAsync(writer, "z", "p", """{"v":1}""");
        await UpsertAsync(writer, "x", "p", """{"v":2}""");
        await UpsertAsync(writer, "y", "p", """{"v":2}""");

        // At z's token: x and y at v1 (changed again after the view), z, and not "gone". Pages of one.
        var seen = new List<(string Id, int Version)>();
        ChangeFeedStart start = new ChangeFeedStart.Beginning();
        for (var i = 0; i < 5; i++)
        {
            var page = await reader.ReadChangesAsync(Items, "p", start, 1, view, CancellationToken.None);
            Assert.Equal(StoreStatus.Ok, page.Status);
            seen.AddRange(page.Items.Select(item => (item.Key.Id, Version(item.Document.Body))));
            start = new ChangeFeedStart.After(page.Continuation!);
        }

        Assert.Equal([("x", 1), ("y", 1), ("z", 1)], seen);
    }

    [Fact]
    public async Task A_read_without_a_token_never_refuses_the_state_its_own_process_committed()
    {
        // The real clock: the write loop's group commit and the reads race for real.
        var store = Open(TimeProvider.System);
        await UpsertAsync(store, "r", "p", """{"v":0}""");
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var writes = Task.Run(async () =>
        {
            var n = 0;
            while (!stop.IsCancellationRequested)
            {
                await UpsertAsync(store, "w" + (n++ % 8), "p", """{"v":1}""");
            }

            return n;
        });
        var refused = new Dictionary<string, int>();
        var reads = 0;
        while (!stop.IsCancellationRequested)
        {
            reads++;
            Count(refused, "get", (await store.ReadAsync(Items, new DocumentKey("r", "p"), null, CancellationToken.None)).Status);
            Count(refused, "query", (await store.QueryAsync(Items, "p", Filters.Where(null), 10, null, null, CancellationToken.None)).Status);
            Count(refused, "readmany", (await store.ReadManyAsync(Items, [new DocumentKey("r", "p")], null, CancellationToken.None)).Status);
            Count(refused, "changes", (await store.ReadChangesAsync(Items, null, new ChangeFeedStart.Now(), 10, null, CancellationToken.None)).Status);
        }

        var written = await writes;
        Assert.True(written > 20 && reads > 20, $"Too little ran to race: {written} writes, {reads} rounds of reads.");
        Assert.True(refused.Count == 0, $"Of {reads} reads per path, refused: {string.Join(", ", refused.Select(r => $"{r.Key} {r.Value}"))}.");
    }

    [Theory]
    [InlineData(TokenSharing.Local)]
    [InlineData(TokenSharing.Redis)]
    public async Task The_tokens_sharing_adds_never_make_a_read_staler_than_the_stores_own_session(TokenSharing sharing)
    {
        // Redis mode with Redis unreachable: reads go out with what the pod has, as in an outage.
        var resolver = _resolvers.Pod(sharing, sharing == TokenSharing.Redis ? $"127.0.0.1:{FreePort.Next()}" : null);
        var reference = new SessionConsistentStore(Open(), _resolvers.Pod(TokenSharing.Off));
        var podA = new SessionConsistentStore(Open(), resolver);
        var podB = Open();
        var x = new DocumentKey("x", "p1");

        // A writes x, B writes x again, A writes another partition: A's session (like a CosmosClient's) has seen
        // B's version of x, though A's own last write to x's partition is older.
        foreach (var pod in new[] { podA, reference })
        {
            Assert.Equal(StoreStatus.Ok, (await pod.UpsertAsync(Items, x, Body(x, """{"v":1}"""), null, CancellationToken.None)).Status);
        }

        await UpsertAsync(podB, "x", "p1", """{"v":2}""");
        foreach (var pod in new[] { podA, reference })
        {
            var other = new DocumentKey("y", "p2");
            Assert.Equal(StoreStatus.Ok, (await pod.UpsertAsync(Items, other, Body(other, """{"v":1}"""), null, CancellationToken.None)).Status);
        }

        var off = await reference.ReadAsync(Items, x, null, CancellationToken.None);
        var shared = await podA.ReadAsync(Items, x, null, CancellationToken.None);
        var query = await podA.QueryAsync(Items, "p1", Filters.Where(null), 10, null, null, CancellationToken.None);
        var many = await podA.ReadManyAsync(Items, [x], null, CancellationToken.None);

        Assert.Equal(2, Version(off.Document!.Body));
        Assert.Equal(2, Version(shared.Document!.Body));
        Assert.Equal(2, Version(Assert.Single(query.Items).Document.Body));
        Assert.Equal(2, Version(many.Documents[0]!.Body));
    }

    private static void Count(Dictionary<string, int> refused, string path, StoreStatus status)
    {
        if (status != StoreStatus.Ok)
        {
            refused[$"{path} {status}"] = refused.GetValueOrDefault($"{path} {status}") + 1;
        }
    }

    private static int Version(ReadOnlyMemory<byte> body)
    {
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("v").GetInt32();
    }

    private static byte[] Body(DocumentKey key, string fields) =>
        Encoding.UTF8.GetBytes($$"""{"id":"{{key.Id}}","pk":"{{key.PartitionKey}}",{{fields[1..]}}""");

    private static async Task<string> UpsertAsync(EmbeddedDocumentStore store, string id, string partitionKey, string fields)
    {
        var key = new DocumentKey(id, partitionKey);
        var result = await store.UpsertAsync(Items, key, Body(key, fields), null, CancellationToken.None);
        Assert.Equal(StoreStatus.Ok, result.Status);
        return result.SessionToken!;
    }

    private EmbeddedDocumentStore Open(TimeProvider? time = null)
    {
        var store = new EmbeddedDocumentStore(
            Options.Create(new DocStoreOptions { Embedded = { Path = _path, ReplicaLag = Lag } }), time ?? _time, NullLogger<EmbeddedDocumentStore>.Instance);
        _stores.Add(store);
        return store;
    }
}
