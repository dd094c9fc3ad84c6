using DocStore.Server.Tests.Infrastructure;
using DocStore.V1;
using Google.Protobuf.WellKnownTypes;

namespace DocStore.Server.Tests.Query;

/// <summary>ReadChanges through the real gRPC stack, on each store (the Cosmos DB store against the patched peer's change feed).</summary>
public abstract class ChangeFeedTests(IContractServer server)
{
    private readonly DocStoreService.DocStoreServiceClient _client = server.Client;
    private readonly string _partition = "cf-" + Guid.NewGuid().ToString("N");

    private Task<UpsertResponse> UpsertAsync(string id, int n, string? partition = null) =>
        _client.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct($$"""{"id":"{{id}}","pk":"{{partition ?? _partition}}","n":{{n}}}""") }).ResponseAsync;

    private Task<ReadChangesResponse> ReadAsync(string continuation = "", int maxItems = 0, bool fromNow = false, Timestamp? startTime = null, string? partition = null) =>
        _client.ReadChangesAsync(new ReadChangesRequest
        {
            Collection = "items",
            PartitionKey = partition ?? _partition,
            Continuation = continuation,
            MaxItems = maxItems,
            FromNow = fromNow,
            StartTime = startTime,
        }).ResponseAsync;

    [Fact]
    public async Task Changes_come_oldest_first_with_a_continuation_that_reads_on()
    {
        await UpsertAsync("a", 1);
        await UpsertAsync("b", 1);
        await UpsertAsync("c", 1);

        var first = await ReadAsync();
        Assert.Equal(["a", "b", "c"], first.Documents.Select(d => d.Id));
        Assert.NotEmpty(first.Continuation);

        var none = await ReadAsync(first.Continuation);
        Assert.Empty(none.Documents);
        Assert.NotEmpty(none.Continuation);

        await UpsertAsync("a", 2);
        var next = await ReadAsync(none.Continuation);
        var changed = Assert.Single(next.Documents);
        Assert.Equal("a", changed.Id);
        Assert.Equal(2, changed.Body.Fields["n"].NumberValue);
    }

    [Fact]
    public async Task Changes_come_as_JSON_when_asked_on_ReadChanges_and_WatchChanges()
    {
        await UpsertAsync("j", 7);
        var got = await _client.GetAsync(new GetRequest { Collection = "items", Id = "j", PartitionKey = _partition, BodyFormat = BodyFormat.Json });

        var read = await _client.ReadChangesAsync(new ReadChangesRequest { Collection = "items", PartitionKey = _partition, BodyFormat = BodyFormat.Json });
        var changed = Assert.Single(read.Documents);
        Assert.Null(changed.Body);
        Assert.Equal(got.Document.BodyJson, changed.BodyJson);

        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var watch = _client.WatchChanges(new WatchChangesRequest { Collection = "items", PartitionKey = _partition, BodyFormat = BodyFormat.Json }, cancellationToken: cancel.Token);
        Assert.True(await watch.ResponseStream.MoveNext(cancel.Token));
        var streamed = Assert.Single(watch.ResponseStream.Current.Documents);
        Assert.Equal(got.Document.BodyJson, streamed.BodyJson);
        await cancel.CancelAsync();
    }

    [Fact]
    public async Task Only_the_latest_version_of_a_document_is_carried()
    {
        var start = await ReadAsync(fromNow: true);
        await UpsertAsync("x", 1);
        await UpsertAsync("y", 1);
        await UpsertAsync("x", 2);
        await UpsertAsync("x", 3);

        var changes = await ReadAsync(start.Continuation);
        Assert.Equal(["y", "x"], changes.Documents.Select(d => d.Id));
        Assert.Equal(3, changes.Documents[1].Body.Fields["n"].NumberValue);
    }

    [Fact]
    public async Task From_now_skips_what_was_written_before()
    {
        await UpsertAsync("old", 1);
        var now = await ReadAsync(fromNow: true);
        Assert.Empty(now.Documents);

        await UpsertAsync("new", 1);
        Assert.Equal(["new"], (await ReadAsync(now.Continuation)).Documents.Select(d => d.Id));
    }

    /// <summary>How far apart in time two writes must be for a start time between them to tell them apart.</summary>
    protected virtual TimeSpan StartTimeResolution => TimeSpan.FromMilliseconds(50);

    [Fact]
    public async Task A_start_time_reads_the_changes_committed_after_it()
    {
        await UpsertAsync("before", 1);
        await Task.Delay(StartTimeResolution);
        var after = DateTimeOffset.UtcNow;
        await Task.Delay(StartTimeResolution);
        await UpsertAsync("after", 1);

        var changes = await ReadAsync(startTime: Timestamp.FromDateTimeOffset(after));
        Assert.Equal(["after"], changes.Documents.Select(d => d.Id));
    }

    [Fact]
    public async Task Max_items_pages_the_feed()
    {
        for (var i = 0; i < 5; i++)
        {
            await UpsertAsync($"p{i}", i);
        }

        var ids = new List<string>();
        var continuation = "";
        for (var page = 0; page < 4; page++)
        {
            var response = await ReadAsync(continuation, maxItems: 2);
            Assert.True(response.Documents.Count <= 2);
            ids.AddRange(response.Documents.Select(d => d.Id));
            continuation = response.Continuation;
        }

        Assert.Equal(["p0", "p1", "p2", "p3", "p4"], ids);
    }

    [Fact]
    public async Task A_partition_feed_carries_only_its_partition_and_the_collection_feed_carries_all()
    {
        var collectionStart = await ReadAsync(fromNow: true, partition: "");
        await UpsertAsync("mine", 1);
        await UpsertAsync("theirs", 1, _partition + "-other");

        Assert.Equal(["mine"], (await ReadAsync()).Documents.Select(d => d.Id));
        var all = await ReadAsync(collectionStart.Continuation, partition: "");
        Assert.Equal(["mine", "theirs"], all.Documents.Select(d => d.Id));
    }

    [Fact]
    public async Task A_continuation_works_only_for_its_collection_and_partition()
    {
        var continuation = (await ReadAsync()).Continuation;
        await RpcAssert.InvalidAsync(() => ReadAsync(continuation, partition: _partition + "-other"), "continuation");
        await RpcAssert.InvalidAsync(() => _client.ReadChangesAsync(new ReadChangesRequest { Collection = "orders", PartitionKey = _partition, Continuation = continuation }).ResponseAsync, "continuation");
        await RpcAssert.InvalidAsync(() => ReadAsync(continuation[..^2]), "continuation");
        await RpcAssert.InvalidAsync(() => ReadAsync("c1.garbage!"), "continuation");
    }

    /// <summary>Reads this test's partition with a continuation that <paramref name="other"/> issued, expecting it refused.</summary>
    protected async Task<Google.Rpc.BadRequest> ForeignContinuationIsRefusedAsync(IContractServer other)
    {
        var foreign = (await other.Client.ReadChangesAsync(new ReadChangesRequest { Collection = "items", PartitionKey = _partition })).Continuation;
        return await RpcAssert.InvalidAsync(() => ReadAsync(foreign), "continuation");
    }
}

/// <summary>The change feed cases on the embedded store.</summary>
public sealed class EmbeddedChangeFeedTests(InProcessServer server) : ChangeFeedTests(server), IClassFixture<InProcessServer>
{
    [Fact]
    public async Task A_continuation_from_another_store_file_is_refused()
    {
        using var other = new InProcessServer();
        var status = await ForeignContinuationIsRefusedAsync(other);
        Assert.Contains("another store file", status.FieldViolations[0].Description, StringComparison.Ordinal);
    }
}
