using DocStore.Client.Tests.Infrastructure;
using Grpc.Core;

namespace DocStore.Client.Tests;

/// <summary>Create, Replace, Delete, ReadMany and batches through the typed client, against a real server.</summary>
public sealed class WriteOperationsTests(TestDocStore server) : IClassFixture<TestDocStore>
{
    private readonly DocStoreClient _client = DocStoreClient.Create(server.Channel);

    private static string NewId() => "doc-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Create_replace_and_delete_have_their_typed_results_and_exceptions()
    {
        var id = NewId();
        var created = await _client.CreateAsync("items", new Cart(id, "alice", ["apple"], 1));
        var exists = await Assert.ThrowsAsync<DocStoreAlreadyExistsException>(() => _client.CreateAsync("items", new Cart(id, "alice", [], 0)));
        Assert.Equal("DOCUMENT_EXISTS", exists.Reason);

        var replaced = await _client.ReplaceAsync("items", new Cart(id, "alice", ["pear"], 2), created.ETag);
        Assert.Equal(["pear"], replaced.Value.Items);
        await Assert.ThrowsAsync<DocStoreETagMismatchException>(() => _client.ReplaceAsync("items", new Cart(id, "alice", [], 0), created.ETag));

        var deleted = await _client.DeleteAsync("items", id, "alice");
        Assert.Equal(deleted.SessionToken, _client.GetSessionToken("items", "alice"));
        await Assert.ThrowsAsync<DocStoreNotFoundException>(() => _client.GetAsync<Cart>("items", id, "alice"));
        await Assert.ThrowsAsync<DocStoreNotFoundException>(() => _client.DeleteAsync("items", id, "alice"));
    }

    [Fact]
    public async Task ReadMany_returns_typed_documents_and_the_missing_keys()
    {
        var a = NewId();
        var missing = NewId();
        await _client.UpsertAsync("items", new Cart(a, "alice", ["apple"], 1));

        var read = await _client.ReadManyAsync<Cart>("items", [(missing, "bob"), (a, "alice")]);

        Assert.Equal(a, Assert.Single(read.Documents).Value.Id);
        Assert.Equal((missing, "bob"), Assert.Single(read.Missing));
    }

    [Fact]
    public async Task A_batch_built_fluently_applies_all_and_a_failing_one_names_its_operation()
    {
        var cart = NewId();
        var tmp = NewId();
        var order = NewId();
        await _client.UpsertAsync("items", new Cart(cart, "alice", ["apple", "pear"], 2));
        await _client.UpsertAsync("items", new Cart(tmp, "alice", [], 0));

        var result = await _client.Batch("items", "alice")
            .Create(new Cart(order, "alice", ["plum"], 1))
            .Patch(cart, Patch.Remove("/items/0"))
            .Delete(tmp)
            .ExecuteAsync();

        Assert.Equal(3, result.Count);
        Assert.Equal(["pear"], result.GetDocument<Cart>(1)!.Items);
        Assert.Null(result.GetDocument<Cart>(2));
        Assert.Equal(result.SessionToken, _client.GetSessionToken("items", "alice"));

        var failed = await Assert.ThrowsAsync<DocStoreBatchException>(() => _client.Batch("items", "alice")
            .Patch(cart, Patch.Set("/note", "changed"))
            .Create(new Cart(order, "alice", [], 0))
            .ExecuteAsync());
        Assert.Equal(1, failed.OperationIndex);
        Assert.IsType<DocStoreAlreadyExistsException>(failed.OperationError);
        Assert.Equal(StatusCode.AlreadyExists, failed.StatusCode);
        Assert.Null((await _client.GetAsync<Cart>("items", cart, "alice")).Value.Note);
    }

    [Fact]
    public async Task The_new_calls_carry_past_2_to_the_53_exactly_as_json_and_work_as_struct()
    {
        const long beyondDouble = 9_007_199_254_740_993; // 2^53 + 1: only JSON bytes keep it
        var structClient = DocStoreClient.Create(server.Channel, new DocStoreClientOptions { BodyFormat = DocumentBodyFormat.Struct });
        var big = NewId();
        var small = NewId();

        var created = await _client.CreateAsync("items", new Counter(big, "alice", beyondDouble));
        Assert.Equal(beyondDouble, created.Value.N);
        var replaced = await _client.ReplaceAsync("items", new Counter(big, "alice", beyondDouble + 2));
        Assert.Equal(beyondDouble + 2, replaced.Value.N);
        var batch = await _client.Batch("items", "alice").Upsert(new Counter(small, "alice", 7)).Read(big).ExecuteAsync();
        Assert.Equal(beyondDouble + 2, batch.GetDocument<Counter>(1)!.N);
        var many = await _client.ReadManyAsync<Counter>("items", [(big, "alice"), (small, "alice")]);
        Assert.Equal([beyondDouble + 2, 7], many.Documents.Select(d => d.Value.N));

        // The Struct form goes through the same calls; small integers survive a double.
        var structBatch = await structClient.Batch("items", "alice").Replace(new Counter(small, "alice", 8)).Read(small).ExecuteAsync();
        Assert.Equal(8, structBatch.GetDocument<Counter>(1)!.N);
        var structMany = await structClient.ReadManyAsync<Counter>("items", [(small, "alice")]);
        Assert.Equal(8, Assert.Single(structMany.Documents).Value.N);
        await Assert.ThrowsAsync<DocStoreAlreadyExistsException>(() => structClient.CreateAsync("items", new Counter(small, "alice", 0)));
    }

    public sealed record Counter(string Id, string Pk, long N);
}
