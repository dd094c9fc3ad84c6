extern alias server;

using DocStore.Client.Tests.Infrastructure;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using server::DocStore.Server.Storage;
using DocStore.Tests.Shared;

namespace DocStore.Client.Tests;

public sealed class ErrorTests(TestDocStore server) : IClassFixture<TestDocStore>
{
    private readonly DocStoreClient _client = DocStoreClient.Create(server.Channel);

    private static string NewId() => "doc-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task An_absent_document_is_not_found_with_its_reason_and_the_rpc_exception_inside()
    {
        var id = NewId();
        var e = await Assert.ThrowsAsync<DocStoreNotFoundException>(() => _client.GetAsync<Cart>("items", id, "p"));

        Assert.Equal("DOCUMENT_NOT_FOUND", e.Reason);
        Assert.False(e.IsCollectionMissing);
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.Same(e.InnerException, e.RpcException);
        Assert.Equal(StatusCode.NotFound, Assert.IsType<RpcException>(e.InnerException).StatusCode);
        Assert.Equal(id, e.Metadata["id"]);
        Assert.DoesNotContain(id, e.Message, StringComparison.Ordinal); // ids are personal data: only ErrorInfo metadata and the audit trail hold them
    }

    [Fact]
    public async Task An_unknown_collection_is_not_found_as_a_missing_collection()
    {
        var e = await Assert.ThrowsAsync<DocStoreNotFoundException>(() => _client.GetAsync<Cart>("nope", "x", "p"));

        Assert.Equal("COLLECTION_NOT_FOUND", e.Reason);
        Assert.True(e.IsCollectionMissing);
    }

    [Fact]
    public async Task A_stale_etag_is_an_etag_mismatch()
    {
        var id = NewId();
        var first = await _client.UpsertAsync("items", new Cart(id, "p", [], 1));
        await _client.UpsertAsync("items", new Cart(id, "p", [], 2));

        var onUpsert = await Assert.ThrowsAsync<DocStoreETagMismatchException>(() => _client.UpsertAsync("items", new Cart(id, "p", [], 3), ifMatch: first.ETag));
        var onPatch = await Assert.ThrowsAsync<DocStoreETagMismatchException>(() => _client.PatchAsync<Cart>("items", id, "p", Patch.Set("/total", 4), ifMatch: first.ETag));

        Assert.Equal("ETAG_MISMATCH", onUpsert.Reason);
        Assert.Equal(StatusCode.Aborted, onPatch.StatusCode);
        Assert.Equal(2, (await _client.GetAsync<Cart>("items", id, "p")).Value.Total);
    }

    [Fact]
    public async Task Bad_input_is_an_invalid_argument_that_names_every_field()
    {
        var e = await Assert.ThrowsAsync<DocStoreInvalidArgumentException>(() => _client.GetAsync<Cart>("items", "a/b", ""));

        Assert.Equal("INVALID_ARGUMENT", e.Reason);
        Assert.Equal(["id", "partition_key"], e.FieldViolations.Select(v => v.Field).Order(StringComparer.Ordinal));
        Assert.All(e.FieldViolations, v => Assert.False(string.IsNullOrWhiteSpace(v.Description)));
    }

    [Fact]
    public async Task A_document_without_its_partition_key_is_an_invalid_argument()
    {
        var e = await Assert.ThrowsAsync<DocStoreInvalidArgumentException>(() => _client.UpsertAsync("items", new { id = NewId() }));

        // The client sends JSON by default (document_json); a Struct client's error names "document.pk".
        Assert.Equal("document_json.pk", Assert.Single(e.FieldViolations).Field);
    }

    [Fact]
    public async Task A_patch_that_cannot_apply_is_an_invalid_argument_with_its_own_reason()
    {
        var id = NewId();
        await _client.UpsertAsync("items", new Cart(id, "p", [], 1, Note: "text"));

        var e = await Assert.ThrowsAsync<DocStoreInvalidArgumentException>(() => _client.PatchAsync<Cart>("items", id, "p", Patch.Increment("/note", 1)));

        Assert.Equal("PATCH_NOT_APPLICABLE", e.Reason);
        Assert.Empty(e.FieldViolations);
    }

    [Fact]
    public async Task Throttling_is_a_throttled_exception_with_the_retry_delay()
    {
        using var throttled = TestDocStore.Create(configureServices: services =>
            services.AddScriptedStore(new ScriptedStore(StoreResult.Failure(StoreStatus.Throttled, retryAfter: TimeSpan.FromMilliseconds(1500)))));
        var client = DocStoreClient.Create(throttled.Channel);

        var e = await Assert.ThrowsAsync<DocStoreThrottledException>(() => client.GetAsync<Cart>("items", "x", "p"));

        Assert.Equal("THROTTLED", e.Reason);
        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), e.RetryAfter);
    }

    [Fact]
    public async Task An_unreachable_store_is_unavailable_with_the_servers_reason()
    {
        using var down = TestDocStore.Create(configureServices: services =>
            services.AddScriptedStore(new ScriptedStore(StoreResult.Failure(StoreStatus.Unavailable, "connection refused"))));
        var client = DocStoreClient.Create(down.Channel);

        var e = await Assert.ThrowsAsync<DocStoreUnavailableException>(() => client.UpsertAsync("items", new Cart("x", "p", [], 1)));

        Assert.Equal("STORE_UNAVAILABLE", e.Reason);
        Assert.Contains("connection refused", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_server_is_unavailable_without_a_reason()
    {
        // A port that was free a moment ago: nothing listens there.
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        var client = DocStoreClient.Create(channel);

        var e = await Assert.ThrowsAsync<DocStoreUnavailableException>(() => client.GetAsync<Cart>("items", "x", "p"));

        Assert.Null(e.Reason);
        Assert.Equal(StatusCode.Unavailable, e.StatusCode);
        Assert.Empty(e.Metadata);
    }

    [Fact]
    public async Task A_call_past_its_deadline_is_a_docstore_exception_with_deadline_exceeded()
    {
        var store = new ScriptedStore(StoreResult.NotFound) { ReadDelay = TimeSpan.FromSeconds(3) };
        await using var slow = await KestrelDocStore.StartAsync(TempFiles.NewDatabasePath(), services => services.AddScriptedStore(store));
        using var channel = GrpcChannel.ForAddress(slow.Address);
        var client = DocStoreClient.Create(channel, new DocStoreClientOptions { DefaultDeadline = TimeSpan.FromMilliseconds(300) });
        // The first call warms both sides up, under a per-call deadline of its own that replaces the default one.
        await Assert.ThrowsAsync<DocStoreNotFoundException>(() => client.UpsertAsync("items", new Cart("x", "p", [], 1), options: new DocStoreCallOptions { Timeout = TimeSpan.FromSeconds(30) }));

        var e = await Assert.ThrowsAsync<DocStoreDeadlineExceededException>(() => client.GetAsync<Cart>("items", "x", "p"));

        Assert.True(StatusCode.DeadlineExceeded == e.StatusCode, e.ToString());
        Assert.Equal(2, store.Calls);
    }

    [Fact]
    public async Task A_call_canceled_by_the_caller_is_an_operation_canceled_exception()
    {
        var store = new ScriptedStore(StoreResult.NotFound) { ReadDelay = TimeSpan.FromSeconds(3) };
        await using var slow = await KestrelDocStore.StartAsync(TempFiles.NewDatabasePath(), services => services.AddScriptedStore(store));
        using var channel = GrpcChannel.ForAddress(slow.Address);
        var client = DocStoreClient.Create(channel);
        using var cancellation = new CancellationTokenSource();

        var call = client.GetAsync<Cart>("items", "x", "p", cancellationToken: cancellation.Token);
        for (var i = 0; i < 1000 && store.Calls == 0; i++)
        {
            await Task.Delay(10);
        }

        await cancellation.CancelAsync();
        var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Equal(cancellation.Token, e.CancellationToken);
        Assert.IsType<RpcException>(e.InnerException);
    }
}
