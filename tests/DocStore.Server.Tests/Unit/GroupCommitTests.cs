extern alias server;

using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using server::DocStore.Server;
using server::DocStore.Server.Storage;
using server::DocStore.Server.Storage.Commands;
using server::DocStore.Server.Storage.Embedded;
using server::DocStore.Shared;

namespace DocStore.Server.Tests.Unit;

/// <summary>
/// The embedded store's group commit: writes that arrive together share one transaction, yet each
/// behaves as if it had committed alone.
/// </summary>
public sealed class GroupCommitTests : IDisposable
{
    private static readonly CollectionDefinition Items = new("items", "items", JsonPointer.Parse("/pk"));

    private readonly EmbeddedDocumentStore _store = new(
        Options.Create(new DocStoreOptions { Embedded = { Path = Infrastructure.TestPaths.NewDatabasePath() } }), TimeProvider.System, NullLogger<EmbeddedDocumentStore>.Instance);

    [Fact]
    public async Task Concurrent_patches_of_one_document_all_apply_each_with_its_own_lsn()
    {
        var key = new DocumentKey("counter", "p");
        await UpsertAsync(key, """{"id":"counter","pk":"p","n":0}""");

        var increments = Enumerable.Range(0, 200).Select(_ => _store.ExecuteAsync(
            new PatchDocument(Items, key, [new DocumentPatchOperation(PatchOperationKind.Increment, JsonPointer.Parse("/n"), server::DocStore.Server.Api.StructJson.NumberNode(1))], null, null), CancellationToken.None));
        var results = await Task.WhenAll(increments);

        Assert.All(results, r => Assert.Equal(StoreStatus.Ok, r.Status));
        var lsns = results.Select(r => SessionToken.ParseOrNull(r.Document!.SessionToken)!.Find("0")!.GlobalLsn).ToList();
        Assert.Equal(200, lsns.Distinct().Count());
        Assert.Equal(Enumerable.Range(2, 200).Select(i => (long)i), lsns.Order());
        var counts = results.Select(r => Number(r.Document!.Body, "n")).Order();
        Assert.Equal(Enumerable.Range(1, 200).Select(i => (double)i), counts);

        var read = await _store.ExecuteAsync(new ReadDocument(Items, key, null), CancellationToken.None);
        Assert.Equal(200, Number(read.Document!.Body, "n"));
    }

    [Fact]
    public async Task A_write_that_fails_its_precondition_leaves_the_writes_beside_it_untouched()
    {
        var first = await UpsertAsync(new DocumentKey("a", "p"), """{"id":"a","pk":"p","v":1}""");

        var writes = new List<Task<StoreResult>>();
        for (var i = 0; i < 50; i++)
        {
            var id = "b" + i;
            writes.Add(_store.ExecuteAsync(new UpsertDocument(Items, new DocumentKey(id, "p"), Encoding.UTF8.GetBytes($$"""{"id":"{{id}}","pk":"p"}"""), null), CancellationToken.None));
            writes.Add(_store.ExecuteAsync(new UpsertDocument(Items, new DocumentKey("a", "p"), Encoding.UTF8.GetBytes("""{"id":"a","pk":"p","v":2}"""), "\"not-the-etag\""), CancellationToken.None));
            writes.Add(_store.ExecuteAsync(new PatchDocument(Items, new DocumentKey("a", "p"), [new DocumentPatchOperation(PatchOperationKind.Remove, JsonPointer.Parse("/absent"))], null, null), CancellationToken.None));
        }

        var results = await Task.WhenAll(writes);

        for (var i = 0; i < results.Length; i += 3)
        {
            Assert.Equal(StoreStatus.Ok, results[i].Status);
            Assert.Equal(StoreStatus.PreconditionFailed, results[i + 1].Status);
            Assert.Equal(StoreStatus.PatchNotApplicable, results[i + 2].Status);
        }

        var a = await _store.ExecuteAsync(new ReadDocument(Items, new DocumentKey("a", "p"), null), CancellationToken.None);
        Assert.Equal(first.ETag, a.Document!.ETag);
        var b49 = await _store.ExecuteAsync(new ReadDocument(Items, new DocumentKey("b49", "p"), null), CancellationToken.None);
        Assert.Equal(StoreStatus.Ok, b49.Status);
    }

    public void Dispose() => _store.Dispose();

    private async Task<StoredDocument> UpsertAsync(DocumentKey key, string json)
    {
        var result = await _store.ExecuteAsync(new UpsertDocument(Items, key, Encoding.UTF8.GetBytes(json), null), CancellationToken.None);
        Assert.Equal(StoreStatus.Ok, result.Status);
        return result.Document!;
    }

    private static double Number(ReadOnlyMemory<byte> body, string property)
    {
        using var json = System.Text.Json.JsonDocument.Parse(body);
        return json.RootElement.GetProperty(property).GetDouble();
    }
}
