using DocStore.Server.Tests.Infrastructure;
using DocStore.V1;
using Google.Rpc;
using Grpc.Core;

namespace DocStore.Server.Tests.Security;

/// <summary>
/// Query, ReadChanges and WatchChanges behind the authorization interceptor, with bearer tokens from the loopback
/// issuer: Query needs <c>query</c> on its collection (a cross-partition query too: permissions are per collection),
/// the change feed needs <c>changes</c>, and every denial and failed authentication is in the audit trail.
/// </summary>
public sealed class QueryAuthorizationTests(JwtServerFixture fixture) : IClassFixture<JwtServerFixture>
{
    private readonly string _partition = "authz-" + Guid.NewGuid().ToString("N");

    private DocStoreService.DocStoreServiceClient Client => fixture.Client;

    private OidcIssuer Issuer => fixture.Issuer;

    private static Metadata Bearer(string token) => JwtServerFixture.Bearer(token);

    private async Task WriteAsync(string collection, string json) =>
        await Client.UpsertAsync(new UpsertRequest { Collection = collection, Document = Json.Struct(json) }, Bearer(Issuer.Token("seeder", ["*.write"])));

    [Fact]
    public async Task Query_needs_the_query_action_on_its_collection_and_a_denial_is_audited()
    {
        await WriteAsync("items", $$"""{"id":"q1","pk":"{{_partition}}","status":"open"}""");
        var request = new QueryRequest { Collection = "items", PartitionKey = _partition };

        // read does not cover query.
        var status = await RpcAssert.FailsAsync(StatusCode.PermissionDenied, "PERMISSION_DENIED", () =>
            Client.QueryAsync(request, Bearer(Issuer.Token("reader-only", ["items.read", "items.changes"]))).ResponseAsync);
        var info = status.GetDetail<ErrorInfo>();
        Assert.Equal(("items", "query"), (info.Metadata["collection"], info.Metadata["action"]));
        var audit = Assert.Single(fixture.Logs.Audit, e => e.EventId.Id == 801 && e["Principal"] == "reader-only");
        Assert.Equal(("query", "items", _partition), (audit["Action"], audit["Collection"], audit["PartitionKey"]));

        var page = await Client.QueryAsync(request, Bearer(Issuer.Token("querier", ["items.query"])));
        Assert.Equal("q1", Assert.Single(page.Documents).Id);
    }

    [Fact]
    public async Task A_cross_partition_query_needs_query_on_the_collection_and_nothing_more()
    {
        var customer = "c-" + Guid.NewGuid().ToString("N");
        await WriteAsync("orders", $$"""{"id":"o1","customer":{"id":"{{customer}}-a"},"tag":"{{customer}}"}""");
        await WriteAsync("orders", $$"""{"id":"o2","customer":{"id":"{{customer}}-b"},"tag":"{{customer}}"}""");
        var request = new QueryRequest
        {
            Collection = "orders",
            CrossPartition = true,
            Filter = new Filter { Field = new FieldFilter { Path = "/tag", Operator = FieldFilter.Types.Operator.Equal, Value = Json.Value($"\"{customer}\"") } },
        };

        var status = await RpcAssert.FailsAsync(StatusCode.PermissionDenied, "PERMISSION_DENIED", () =>
            Client.QueryAsync(request, Bearer(Issuer.Token("items-querier", ["items.query", "orders.read"]))).ResponseAsync);
        Assert.Equal(("orders", "query"), (status.GetDetail<ErrorInfo>().Metadata["collection"], status.GetDetail<ErrorInfo>().Metadata["action"]));
        var audit = Assert.Single(fixture.Logs.Audit, e => e.EventId.Id == 801 && e["Principal"] == "items-querier");
        Assert.Equal(("query", "orders", ""), (audit["Action"], audit["Collection"], audit["PartitionKey"]));

        var page = await Client.QueryAsync(request, Bearer(Issuer.Token("orders-querier", ["orders.query"])));
        Assert.Equal(["o1", "o2"], page.Documents.Select(d => d.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ReadChanges_needs_the_changes_action_which_star_read_does_not_cover()
    {
        await WriteAsync("items", $$"""{"id":"c1","pk":"{{_partition}}"}""");
        var request = new ReadChangesRequest { Collection = "items", PartitionKey = _partition };

        var status = await RpcAssert.FailsAsync(StatusCode.PermissionDenied, "PERMISSION_DENIED", () =>
            Client.ReadChangesAsync(request, Bearer(Issuer.Token("star-reader", ["*.read", "*.query"]))).ResponseAsync);
        Assert.Equal("changes", status.GetDetail<ErrorInfo>().Metadata["action"]);
        Assert.Single(fixture.Logs.Audit, e => e.EventId.Id == 801 && e["Principal"] == "star-reader" && e["Action"] == "changes");

        var changes = await Client.ReadChangesAsync(request, Bearer(Issuer.Token("feed-reader", ["items.changes"])));
        Assert.Equal("c1", Assert.Single(changes.Documents).Id);
    }

    [Fact]
    public async Task A_WatchChanges_stream_is_refused_at_its_start_without_the_changes_action()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var request = new WatchChangesRequest { Collection = "items", PartitionKey = _partition, FromNow = true };

        using (var denied = Client.WatchChanges(request, Bearer(Issuer.Token("watch-denied", ["items.read", "items.query"])), cancellationToken: cancel.Token))
        {
            var e = await Assert.ThrowsAsync<RpcException>(() => denied.ResponseStream.MoveNext(cancel.Token));
            Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);
            Assert.Equal("changes", e.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Metadata["action"]);
        }

        var audit = Assert.Single(fixture.Logs.Audit, e => e.EventId.Id == 801 && e["Principal"] == "watch-denied");
        Assert.Equal(("changes", "items", _partition), (audit["Action"], audit["Collection"], audit["PartitionKey"]));

        using var call = Client.WatchChanges(request, Bearer(Issuer.Token("watcher", ["items.changes"])), cancellationToken: cancel.Token);
        Assert.True(await call.ResponseStream.MoveNext(cancel.Token), "The stream sends its first continuation at once.");
        await WriteAsync("items", $$"""{"id":"w1","pk":"{{_partition}}"}""");
        Assert.True(await call.ResponseStream.MoveNext(cancel.Token));
        Assert.Equal("w1", Assert.Single(call.ResponseStream.Current.Documents).Id);
        await cancel.CancelAsync();
    }

    [Fact]
    public async Task Query_and_the_change_feed_without_a_token_are_unauthenticated_and_audited()
    {
        await RpcAssert.FailsAsync(StatusCode.Unauthenticated, "UNAUTHENTICATED", () =>
            Client.QueryAsync(new QueryRequest { Collection = "items", PartitionKey = _partition }).ResponseAsync);
        await RpcAssert.FailsAsync(StatusCode.Unauthenticated, "UNAUTHENTICATED", () =>
            Client.ReadChangesAsync(new ReadChangesRequest { Collection = "items", PartitionKey = _partition }).ResponseAsync);

        var events = fixture.Logs.Audit.Where(e => e.EventId.Id == 802 && e["PartitionKey"] == _partition).Select(e => e["Action"]).Order(StringComparer.Ordinal);
        Assert.Equal(["changes", "query"], events);
    }

    [Fact]
    public async Task A_WatchChanges_stream_ends_unauthenticated_at_its_first_message_after_its_token_expires()
    {
        var request = new WatchChangesRequest { Collection = "items", PartitionKey = _partition, FromNow = true };

        // Warm the path with a long-lived token first, so that the short-lived one is still valid at its first message.
        using (var warm = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        using (var warmUp = Client.WatchChanges(request, Bearer(Issuer.Token("warm-watcher", ["items.changes"])), cancellationToken: warm.Token))
        {
            Assert.True(await warmUp.ResponseStream.MoveNext(warm.Token));
            await warm.CancelAsync();
        }

        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var expiresAt = DateTimeOffset.UtcNow.AddSeconds(4);
        var token = Issuer.Token("short-watcher", ["items.changes"], c => c["exp"] = expiresAt.ToUnixTimeSeconds());
        using var call = Client.WatchChanges(request, Bearer(token), cancellationToken: cancel.Token);
        Assert.True(await call.ResponseStream.MoveNext(cancel.Token), "The stream ended before its token expired.");

        // The stream stays open past the expiry; its next message (a change here, else the next heartbeat) ends it.
        await Task.Delay(expiresAt.AddSeconds(1.5) - DateTimeOffset.UtcNow);
        await WriteAsync("items", $$"""{"id":"after-expiry","pk":"{{_partition}}"}""");
        var e = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(cancel.Token));
        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
        Assert.Equal("UNAUTHENTICATED", e.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason);
        Assert.Contains("expired", e.Status.Detail, StringComparison.Ordinal);
    }
}
