using DocStore.Client.Tests.Infrastructure;

namespace DocStore.Client.Tests;

public sealed record Ticket(string Id, string Pk, string Status, double Total, IReadOnlyList<string>? Tags = null);

/// <summary>The client package's Query, conditional Patch and change feed, against an in-process server.</summary>
public sealed class QueryClientTests(TestDocStore server) : IClassFixture<TestDocStore>
{
    private readonly DocStoreClient _client = DocStoreClient.Create(server.Channel);
    private readonly string _partition = "qc-" + Guid.NewGuid().ToString("N");

    private async Task SeedAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            await _client.UpsertAsync("items", new Ticket($"t{i:D2}", _partition, i % 2 == 0 ? "open" : "closed", i, i % 3 == 0 ? ["vip"] : null));
        }
    }

    [Fact]
    public async Task QueryAsync_follows_every_page_of_a_filter_built_with_operators()
    {
        await SeedAsync(25);

        var found = new List<Ticket>();
        await foreach (var ticket in _client.QueryAsync<Ticket>("items", _partition, DocumentFilter.Equal("/status", "open") & DocumentFilter.GreaterThan("/total", 10), [new SortBy("/total", Descending: true)], pageSize: 4))
        {
            found.Add(ticket.Value);
        }

        Assert.Equal([24, 22, 20, 18, 16, 14, 12], found.Select(t => t.Total));
    }

    [Fact]
    public async Task A_page_token_reads_on_where_the_previous_page_ended()
    {
        await SeedAsync(5);
        var filter = DocumentFilter.ArrayContains("/tags", "vip") | DocumentFilter.Exists("/tags"); // a null Tags is written as null, which is defined

        var first = await _client.QueryPageAsync<Ticket>("items", _partition, filter, pageSize: 3);
        var second = await _client.QueryPageAsync<Ticket>("items", _partition, filter, pageSize: 3, pageToken: first.NextPageToken);

        Assert.Equal(["t00", "t01", "t02"], first.Documents.Select(d => d.Id));
        Assert.Equal(["t03", "t04"], second.Documents.Select(d => d.Id));
        Assert.Null(second.NextPageToken);
        Assert.NotEmpty(first.SessionToken);
    }

    [Fact]
    public async Task A_conditional_patch_in_a_batch_fails_the_batch_with_its_index_and_nothing_applies()
    {
        await SeedAsync(2);

        var applied = await _client.Batch("items", _partition)
            .Patch("t00", Patch.Set("/status", "paid"), condition: DocumentFilter.Equal("/status", "open"))
            .ExecuteAsync();
        Assert.Equal(1, applied.Count);

        var refused = await Assert.ThrowsAsync<DocStoreBatchException>(() => _client.Batch("items", _partition)
            .Upsert(new Ticket("t02", _partition, "open", 2))
            .Patch("t01", Patch.Set("/status", "paid"), condition: DocumentFilter.Equal("/status", "open"))
            .ExecuteAsync());

        Assert.Equal(1, refused.OperationIndex);
        Assert.IsType<DocStoreConditionNotMetException>(refused.OperationError);
        Assert.Equal("paid", (await _client.GetAsync<Ticket>("items", "t00", _partition)).Value.Status);
        Assert.Equal("closed", (await _client.GetAsync<Ticket>("items", "t01", _partition)).Value.Status);
        await Assert.ThrowsAsync<DocStoreNotFoundException>(() => _client.GetAsync<Ticket>("items", "t02", _partition));
    }

    [Fact]
    public async Task A_conditional_patch_throws_condition_not_met_and_changes_nothing()
    {
        await SeedAsync(2);

        var patched = await _client.PatchAsync<Ticket>("items", "t00", _partition, Patch.Set("/status", "paid"), condition: DocumentFilter.Equal("/status", "open"));
        var refused = await Assert.ThrowsAsync<DocStoreConditionNotMetException>(
            () => _client.PatchAsync<Ticket>("items", "t01", _partition, Patch.Set("/status", "paid"), condition: DocumentFilter.Equal("/status", "open")));

        Assert.Equal("paid", patched.Value.Status);
        Assert.Equal("CONDITION_NOT_MET", refused.Reason);
        Assert.Equal("closed", (await _client.GetAsync<Ticket>("items", "t01", _partition)).Value.Status);
    }

    [Fact]
    public async Task ReadChangesAsync_reads_on_from_a_saved_continuation()
    {
        var start = await _client.ReadChangesAsync<Ticket>("items", _partition, ChangeFeedPosition.Now);
        await SeedAsync(3);

        var changes = await _client.ReadChangesAsync<Ticket>("items", _partition, ChangeFeedPosition.FromContinuation(start.Continuation));
        var none = await _client.ReadChangesAsync<Ticket>("items", _partition, ChangeFeedPosition.FromContinuation(changes.Continuation));

        Assert.Equal(["t00", "t01", "t02"], changes.Documents.Select(d => d.Id));
        Assert.Empty(none.Documents);
    }

    [Fact]
    public async Task WatchChangesAsync_yields_writes_and_exposes_the_continuation()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var pages = _client.WatchChangesAsync<Ticket>("items", _partition, ChangeFeedPosition.Now, timeout.Token).GetAsyncEnumerator(timeout.Token);
        Assert.True(await pages.MoveNextAsync());
        Assert.NotEmpty(pages.Current.Continuation);

        await SeedAsync(1);
        while (await pages.MoveNextAsync() && pages.Current.Documents.Count == 0)
        {
        }

        Assert.Equal("t00", Assert.Single(pages.Current.Documents).Id);
        Assert.NotEmpty(pages.Current.Continuation);
    }

    [Fact]
    public void A_filter_path_must_be_a_json_pointer() =>
        Assert.Throws<ArgumentException>(() => DocumentFilter.Equal("status", "open"));
}
