using DocStore.Server.Tests.Infrastructure;
using DocStore.V1;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace DocStore.Server.Tests.Security;

/// <summary>
/// Upsert, Create and Replace carry their id and partition key inside the document, which the server keeps as bytes:
/// a write that fails, and one refused before the server reads its document, must still be audited with both, and
/// with nothing of the body. Every other log line at the default levels holds neither.
/// </summary>
public sealed class AuditKeysTests(JwtServerFixture fixture) : IClassFixture<JwtServerFixture>
{
    private DocStoreService.DocStoreServiceClient Client => fixture.Client;

    [Fact]
    public async Task A_denied_upsert_is_audited_with_the_id_and_partition_key_in_its_document()
    {
        var token = fixture.Issuer.Token("keys-denied-app", ["items.read", "orders.read"]);
        await RpcAssert.FailsAsync(StatusCode.PermissionDenied, "PERMISSION_DENIED", () => Client.UpsertAsync(new UpsertRequest
        {
            Collection = "items",
            Document = Json.Struct("""{"secret":"denied-body-1","list":[{"id":"not-this"}],"pk":"tenant-denied","id":"denied-1"}"""),
        }, Bearer(token)).ResponseAsync);

        // JSON, with the partition key nested (orders: /customer/id) and past a value that is skipped.
        await RpcAssert.FailsAsync(StatusCode.PermissionDenied, "PERMISSION_DENIED", () => Client.UpsertAsync(new UpsertRequest
        {
            Collection = "orders",
            DocumentJson = Json.Bytes("""{"secret":{"id":"not-this"},"customer":{"name":"denied-body-2","id":"customer-denied"},"id":"denied-2"}"""),
        }, Bearer(token)).ResponseAsync);

        var events = fixture.Logs.Audit.Where(e => e["Principal"] == "keys-denied-app").ToList();
        Assert.Equal(2, events.Count);
        Assert.All(events, e => Assert.Equal((801, "upsert"), (e.EventId.Id, e["Action"])));
        Assert.Equal(("items", "denied-1", "tenant-denied"), (events[0]["Collection"], events[0]["DocumentId"], events[0]["PartitionKey"]));
        Assert.Equal(("orders", "denied-2", "customer-denied"), (events[1]["Collection"], events[1]["DocumentId"], events[1]["PartitionKey"]));
        AssertOnlyAuditHolds(["denied-1", "tenant-denied", "denied-2", "customer-denied"], ["denied-body-1", "denied-body-2"]);
    }

    [Fact]
    public async Task An_unauthenticated_replace_is_audited_with_the_id_and_partition_key_in_its_document()
    {
        await RpcAssert.FailsAsync(StatusCode.Unauthenticated, "UNAUTHENTICATED", () => Client.ReplaceAsync(new ReplaceRequest
        {
            Collection = "orders",
            Document = Json.Struct("""{"id":"anonymous-1","customer":{"id":"customer-anonymous"},"secret":"anonymous-body-1"}"""),
        }).ResponseAsync);

        var audit = Assert.Single(fixture.Logs.Audit, e => e.EventId.Id == 802 && e["DocumentId"] == "anonymous-1");
        Assert.Equal(("replace", "orders", "customer-anonymous", "no bearer token"), (audit["Action"], audit["Collection"], audit["PartitionKey"], audit["Reason"]));
        AssertOnlyAuditHolds(["anonymous-1", "customer-anonymous"], ["anonymous-body-1"]);
    }

    [Fact]
    public async Task A_create_of_an_existing_id_is_audited_with_its_keys_and_status()
    {
        var token = fixture.Issuer.Token("keys-creator-app", ["items.create"]);
        var create = new CreateRequest { Collection = "items", DocumentJson = Json.Bytes("""{"id":"exists-1","pk":"tenant-exists","secret":"create-body-1"}""") };
        await Client.CreateAsync(create, Bearer(token));
        await RpcAssert.FailsAsync(StatusCode.AlreadyExists, "DOCUMENT_EXISTS", () => Client.CreateAsync(create, Bearer(token)).ResponseAsync);

        var events = fixture.Logs.Audit.Where(e => e["Principal"] == "keys-creator-app").ToList();
        Assert.Equal(["OK", "AlreadyExists"], events.Select(e => e["Outcome"]));
        var failed = events[1];
        Assert.Equal((800, "create", "exists-1", "tenant-exists", ""), (failed.EventId.Id, failed["Action"], failed["DocumentId"], failed["PartitionKey"], failed["ETag"]));
        AssertOnlyAuditHolds(["exists-1", "tenant-exists"], ["create-body-1"]);
    }

    [Fact]
    public async Task A_replace_with_a_stale_if_match_is_audited_with_its_keys_and_status()
    {
        var token = fixture.Issuer.Token("keys-replacer-app", ["items.create", "items.replace"]);
        var created = await Client.CreateAsync(new CreateRequest { Collection = "items", Document = Json.Struct("""{"id":"stale-1","pk":"tenant-stale"}""") }, Bearer(token));
        await RpcAssert.FailsAsync(StatusCode.Aborted, "ETAG_MISMATCH", () => Client.ReplaceAsync(new ReplaceRequest
        {
            Collection = "items",
            Document = Json.Struct("""{"id":"stale-1","pk":"tenant-stale","secret":"replace-body-1"}"""),
            IfMatch = created.Document.Etag + "x",
        }, Bearer(token)).ResponseAsync);

        var failed = Assert.Single(fixture.Logs.Audit, e => e["Principal"] == "keys-replacer-app" && e["Action"] == "replace");
        Assert.Equal((800, "Aborted", "stale-1", "tenant-stale", ""), (failed.EventId.Id, failed["Outcome"], failed["DocumentId"], failed["PartitionKey"], failed["ETag"]));
        AssertOnlyAuditHolds(["stale-1", "tenant-stale"], ["replace-body-1"]);
    }

    [Fact]
    public async Task An_upsert_that_fails_validation_is_audited_with_the_keys_found_before_the_problem()
    {
        var token = fixture.Issuer.Token("keys-invalid-app", ["items.upsert"]);

        // A duplicate property after the keys (JSON), and a value without a kind (Struct): both INVALID_ARGUMENT.
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "INVALID_ARGUMENT", () => Client.UpsertAsync(new UpsertRequest
        {
            Collection = "items",
            DocumentJson = Json.Bytes("""{"id":"invalid-1","pk":"tenant-invalid","secret":"invalid-body-1","secret":"again"}"""),
        }, Bearer(token)).ResponseAsync);
        var noKind = Json.Struct("""{"id":"invalid-2","pk":"tenant-invalid","secret":"invalid-body-2"}""");
        noKind.Fields["broken"] = new Google.Protobuf.WellKnownTypes.Value();
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "INVALID_ARGUMENT", () =>
            Client.UpsertAsync(new UpsertRequest { Collection = "items", Document = noKind }, Bearer(token)).ResponseAsync);

        var events = fixture.Logs.Audit.Where(e => e["Principal"] == "keys-invalid-app").ToList();
        Assert.Equal(2, events.Count);
        Assert.All(events, e => Assert.Equal((800, "InvalidArgument", "upsert", "tenant-invalid"), (e.EventId.Id, e["Outcome"], e["Action"], e["PartitionKey"])));
        Assert.Equal(["invalid-1", "invalid-2"], events.Select(e => e["DocumentId"]));
        AssertOnlyAuditHolds(["invalid-1", "invalid-2", "tenant-invalid"], ["invalid-body-1", "invalid-body-2"]);
    }

    [Fact]
    public async Task A_body_that_does_not_decode_is_audited_without_keys()
    {
        var token = fixture.Issuer.Token("keys-garbage-app", ["items.read", "orders.upsert"]);
        await RpcAssert.FailsAsync(StatusCode.PermissionDenied, "PERMISSION_DENIED", () =>
            Client.UpsertAsync(new UpsertRequest { Collection = "items", DocumentJson = Json.Bytes("garbage-body-1 {\"id\":\"x\"}") }, Bearer(token)).ResponseAsync);
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "INVALID_ARGUMENT", () =>
            Client.UpsertAsync(new UpsertRequest { Collection = "orders", DocumentJson = Json.Bytes("[\"garbage-body-2\"]") }, Bearer(token)).ResponseAsync);

        var events = fixture.Logs.Audit.Where(e => e["Principal"] == "keys-garbage-app").ToList();
        Assert.Equal([(801, "items"), (800, "orders")], events.Select(e => (e.EventId.Id, e["Collection"])));
        Assert.All(events, e => Assert.Equal(("", ""), (e["DocumentId"], e["PartitionKey"])));
        Assert.DoesNotContain("garbage-body", fixture.Logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_batch_is_audited_with_the_ids_of_its_operations_whether_it_fails_or_is_denied()
    {
        var token = fixture.Issuer.Token("keys-batch-app", ["items.create", "items.read"]);
        var batch = new ExecuteBatchRequest
        {
            Collection = "items",
            PartitionKey = "tenant-batch",
            Operations =
            {
                new BatchOperation { Create = new BatchWrite { DocumentJson = Json.Bytes("""{"pk":"tenant-batch","id":"batch-1","secret":"batch-body-1"}""") } },
                new BatchOperation { Create = new BatchWrite { Document = Json.Struct("""{"id":"batch-2","pk":"tenant-batch"}""") } },
                new BatchOperation { Read = new BatchKey { Id = "batch-absent" } },
            },
        };
        await RpcAssert.FailsAsync(StatusCode.NotFound, "DOCUMENT_NOT_FOUND", () => Client.ExecuteBatchAsync(batch, Bearer(token)).ResponseAsync);
        batch.Operations.Add(new BatchOperation { Delete = new BatchKey { Id = "batch-3" } });
        await RpcAssert.FailsAsync(StatusCode.PermissionDenied, "PERMISSION_DENIED", () => Client.ExecuteBatchAsync(batch, Bearer(token)).ResponseAsync);

        var events = fixture.Logs.Audit.Where(e => e["Principal"] == "keys-batch-app").ToList();
        Assert.Equal([(800, "NotFound"), (801, null)], events.Select(e => (e.EventId.Id, e["Outcome"])));
        Assert.Equal("""["batch-1","batch-2","batch-absent"]""", events[0]["DocumentId"]);
        Assert.Equal("""["batch-1","batch-2","batch-absent","batch-3"]""", events[1]["DocumentId"]);
        Assert.All(events, e => Assert.Equal("tenant-batch", e["PartitionKey"]));
        AssertOnlyAuditHolds(["batch-1", "batch-absent", "tenant-batch"], ["batch-body-1"]);
    }

    /// <summary>
    /// The ids and partition keys appear in no log line but the audit trail's at the default levels (Information and
    /// above), and the bodies in none at all.
    /// </summary>
    private void AssertOnlyAuditHolds(string[] keys, string[] bodyValues)
    {
        var others = fixture.Logs.Entries.Where(e => e.Category != "DocStore.Audit" && e.Level >= LogLevel.Information).ToList();
        foreach (var key in keys)
        {
            Assert.Contains(fixture.Logs.Audit, e => e.Message.Contains(key, StringComparison.Ordinal));
            Assert.DoesNotContain(others, e => (e.Message + " " + string.Join(' ', e.Fields.Values) + " " + e.Exception).Contains(key, StringComparison.Ordinal));
        }

        foreach (var body in bodyValues)
        {
            Assert.DoesNotContain(body, fixture.Logs.AllText, StringComparison.Ordinal);
        }
    }

    private static Metadata Bearer(string token) => JwtServerFixture.Bearer(token);
}
