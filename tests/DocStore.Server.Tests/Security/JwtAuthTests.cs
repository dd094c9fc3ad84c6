using DocStore.Server.Tests.Infrastructure;
using DocStore.V1;
using Google.Rpc;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;

namespace DocStore.Server.Tests.Security;

/// <summary>
/// Bearer tokens from a real loopback OpenID Connect issuer against a server with <c>DocStore:Auth:Mode=Jwt</c>:
/// every bad token is UNAUTHENTICATED (a real gRPC status with ErrorInfo), every missing permission PERMISSION_DENIED.
/// </summary>
public sealed class JwtAuthTests(JwtServerFixture fixture) : IClassFixture<JwtServerFixture>
{
    private static readonly GetRequest Get = new() { Collection = "items", Id = "absent", PartitionKey = "p" };

    private DocStoreService.DocStoreServiceClient Client => fixture.Client;

    private OidcIssuer Issuer => fixture.Issuer;

    [Fact]
    public async Task A_call_without_a_token_is_unauthenticated_and_audited()
    {
        var status = await RpcAssert.FailsAsync(StatusCode.Unauthenticated, "UNAUTHENTICATED", () => Client.GetAsync(Get).ResponseAsync);
        Assert.DoesNotContain("expired", status.Message, StringComparison.OrdinalIgnoreCase);
        var audit = Assert.Single(fixture.Logs.Audit, e => e.EventId.Id == 802 && e["Reason"] == "no bearer token" && e["DocumentId"] == "absent");
        Assert.Equal("items", audit["Collection"]);
        Assert.Equal("read", audit["Action"]);
    }

    public static TheoryData<string> BadTokens => ["expired", "not yet valid", "wrong audience", "wrong issuer", "bad signature", "alg none", "HS256 with the public key", "garbage"];

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task A_bad_token_is_unauthenticated(string kind)
    {
        string[] roles = ["items.read"];
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var token = kind switch
        {
            "expired" => Issuer.Token("app", roles, c => { c["nbf"] = now - 7200; c["exp"] = now - 3600; }),
            "not yet valid" => Issuer.Token("app", roles, c => { c["nbf"] = now + 3600; c["exp"] = now + 7200; }),
            "wrong audience" => Issuer.Token("app", roles, c => c["aud"] = "api://something-else"),
            "wrong issuer" => Issuer.Token("app", roles, c => c["iss"] = "http://127.0.0.1:1/other/v2.0"),
            "bad signature" => Issuer.TokenSignedByAnotherKey("app", roles),
            "alg none" => Issuer.UnsignedToken("app", roles),
            "HS256 with the public key" => Issuer.Hs256WithPublicKey("app", roles),
            _ => "not.a.jwt",
        };

        // The same claims with a good signature pass, so only the flaw makes the difference.
        await RpcAssert.FailsAsync(StatusCode.NotFound, "DOCUMENT_NOT_FOUND", () => Client.GetAsync(Get, Bearer(Issuer.Token("app", roles))).ResponseAsync);

        var status = await RpcAssert.FailsAsync(StatusCode.Unauthenticated, "UNAUTHENTICATED", () => Client.GetAsync(Get, Bearer(token)).ResponseAsync);
        Assert.Equal("The call has no valid bearer token.", status.Message);
        Assert.DoesNotContain(token, fixture.Logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_signed_with_a_rotated_key_is_accepted_once_the_issuer_publishes_it()
    {
        var before = Issuer.Token("app", ["items.read"]);
        await RpcAssert.FailsAsync(StatusCode.NotFound, "DOCUMENT_NOT_FOUND", () => Client.GetAsync(Get, Bearer(before)).ResponseAsync);
        var fetches = Issuer.JwksRequests;

        Issuer.RotateKey();
        var after = Issuer.Token("app", ["items.read"]);

        // The unknown kid makes the server fetch the JWKS again, in the background and at most every 5 seconds; the
        // new key then validates the token.
        var deadline = DateTime.UtcNow.AddSeconds(12);
        while (true)
        {
            var e = await Assert.ThrowsAsync<RpcException>(() => Client.GetAsync(Get, Bearer(after)).ResponseAsync);
            if (e.StatusCode == StatusCode.NotFound)
            {
                break;
            }

            Assert.True(e.StatusCode == StatusCode.Unauthenticated && DateTime.UtcNow < deadline, $"The rotated key was not picked up: {e.Status}");
            await Task.Delay(250);
        }

        Assert.True(Issuer.JwksRequests > fetches, "The server did not fetch the JWKS again.");
    }

    [Fact]
    public async Task A_token_without_the_role_is_denied_naming_the_principal_and_never_the_rule()
    {
        var token = Issuer.Token("plain-app", []);
        var status = await RpcAssert.FailsAsync(StatusCode.PermissionDenied, "PERMISSION_DENIED", () => Client.GetAsync(Get, Bearer(token)).ResponseAsync);
        var info = status.GetDetail<ErrorInfo>();
        Assert.Equal("items", info.Metadata["collection"]);
        Assert.Equal("read", info.Metadata["action"]);
        Assert.Contains("'plain-app'", status.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("role", status.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("grant", status.Message, StringComparison.OrdinalIgnoreCase);

        var audit = Assert.Single(fixture.Logs.Audit, e => e.EventId.Id == 801 && e["Principal"] == "plain-app");
        Assert.Equal("absent", audit["DocumentId"]);
        Assert.Equal("p", audit["PartitionKey"]);
    }

    [Fact]
    public async Task A_role_for_another_collection_does_not_open_this_one()
    {
        var token = Issuer.Token("orders-app", ["orders.read", "orders.write"]);
        await RpcAssert.FailsAsync(StatusCode.PermissionDenied, "PERMISSION_DENIED", () => Client.GetAsync(Get, Bearer(token)).ResponseAsync);
        await RpcAssert.FailsAsync(StatusCode.NotFound, "DOCUMENT_NOT_FOUND", () =>
            Client.GetAsync(new GetRequest { Collection = "orders", Id = "absent", PartitionKey = "c" }, Bearer(token)).ResponseAsync);
    }

    [Fact]
    public async Task A_star_read_role_reads_every_collection_but_writes_none()
    {
        var token = Issuer.Token("reader-app", ["*.read"]);
        await RpcAssert.FailsAsync(StatusCode.NotFound, "DOCUMENT_NOT_FOUND", () => Client.GetAsync(Get, Bearer(token)).ResponseAsync);
        await RpcAssert.FailsAsync(StatusCode.NotFound, "DOCUMENT_NOT_FOUND", () =>
            Client.GetAsync(new GetRequest { Collection = "orders", Id = "absent", PartitionKey = "c" }, Bearer(token)).ResponseAsync);
        var status = await RpcAssert.FailsAsync(StatusCode.PermissionDenied, "PERMISSION_DENIED", () =>
            Client.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct("""{"id":"w","pk":"p"}""") }, Bearer(token)).ResponseAsync);
        Assert.Equal("upsert", status.GetDetail<ErrorInfo>().Metadata["action"]);
    }

    [Fact]
    public async Task A_write_role_writes_and_the_write_is_audited_with_its_new_etag_but_not_its_body()
    {
        var token = Issuer.Token("writer-app", ["items.write"]);
        var written = await Client.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct("""{"id":"audited","pk":"tenant-7","secret":"body-value-42"}""") }, Bearer(token));
        var patch = new PatchRequest { Collection = "items", Id = "audited", PartitionKey = "tenant-7", Operations = { new PatchOperation { Set = new SetOperation { Path = "/n", Value = Json.Value("1") } } } };
        var patched = await Client.PatchAsync(patch, Bearer(token));

        // Reading needs read, which write does not cover.
        await RpcAssert.FailsAsync(StatusCode.PermissionDenied, "PERMISSION_DENIED", () =>
            Client.GetAsync(new GetRequest { Collection = "items", Id = "audited", PartitionKey = "tenant-7" }, Bearer(token)).ResponseAsync);

        var upsert = Assert.Single(fixture.Logs.Audit, e => e.EventId.Id == 800 && e["ETag"] == written.Document.Etag);
        Assert.Equal(("OK", "writer-app", "upsert", "items", "audited", "tenant-7"), (upsert["Outcome"], upsert["Principal"], upsert["Action"], upsert["Collection"], upsert["DocumentId"], upsert["PartitionKey"]));
        Assert.Matches("^[0-9a-f]{32}$", upsert["TraceId"]);
        var patchEvent = Assert.Single(fixture.Logs.Audit, e => e.EventId.Id == 800 && e["ETag"] == patched.Document.Etag);
        Assert.Equal("patch", patchEvent["Action"]);
        Assert.DoesNotContain("body-value-42", fixture.Logs.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain(token, fixture.Logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_write_is_audited_with_its_status()
    {
        var token = Issuer.Token("failing-writer", ["items.patch"]);
        var patch = new PatchRequest { Collection = "items", Id = "never-written", PartitionKey = "p", Operations = { new PatchOperation { Remove = new RemoveOperation { Path = "/x" } } } };
        await RpcAssert.FailsAsync(StatusCode.NotFound, "DOCUMENT_NOT_FOUND", () => Client.PatchAsync(patch, Bearer(token)).ResponseAsync);
        var audit = Assert.Single(fixture.Logs.Audit, e => e.EventId.Id == 800 && e["Principal"] == "failing-writer");
        Assert.Equal(("NotFound", "never-written", ""), (audit["Outcome"], audit["DocumentId"], audit["ETag"]));
    }

    [Fact]
    public async Task A_grant_gives_a_token_without_roles_its_actions()
    {
        var token = Issuer.Token("granted-app", []);
        await Client.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct("""{"id":"g","pk":"p"}""") }, Bearer(token));
        await Client.GetAsync(new GetRequest { Collection = "items", Id = "g", PartitionKey = "p" }, Bearer(token));
        await RpcAssert.FailsAsync(StatusCode.PermissionDenied, "PERMISSION_DENIED", () =>
            Client.PatchAsync(new PatchRequest { Collection = "items", Id = "g", PartitionKey = "p", Operations = { new PatchOperation { Remove = new RemoveOperation { Path = "/x" } } } }, Bearer(token)).ResponseAsync);
    }

    [Fact]
    public async Task Health_stays_open_and_reflection_needs_a_token()
    {
        var health = await new Health.HealthClient(fixture.Server.Channel).CheckAsync(new HealthCheckRequest { Service = "liveness" });
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);

        using var anonymous = new ServerReflection.ServerReflectionClient(fixture.Server.Channel).ServerReflectionInfo();
        // The server ends the call before reading any request, so only the response side is awaited (a write could race
        // with the end of the call and fail as CANCELLED on the client).
        var e = await Assert.ThrowsAsync<RpcException>(() => anonymous.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);

        // Any valid token will do: reflection describes the contract and touches no document.
        using var call = new ServerReflection.ServerReflectionClient(fixture.Server.Channel).ServerReflectionInfo(Bearer(Issuer.Token("plain-app", [])));
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Contains("docstore.v1.DocStoreService", call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name));
    }

    [Fact]
    public async Task A_stream_opened_with_a_token_ends_unauthenticated_at_its_first_message_after_the_token_expires()
    {
        // Warm up the reflection service and the token path first, so that the short-lived token is still valid at the first message.
        using (var warmUp = new ServerReflection.ServerReflectionClient(fixture.Server.Channel).ServerReflectionInfo(Bearer(Issuer.Token("warm-up", []))))
        {
            await warmUp.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
            Assert.True(await warmUp.ResponseStream.MoveNext());
        }

        var expiresAt = DateTimeOffset.UtcNow.AddSeconds(6);
        var token = Issuer.Token("streamer", [], c => c["exp"] = expiresAt.ToUnixTimeSeconds());
        using var call = new ServerReflection.ServerReflectionClient(fixture.Server.Channel).ServerReflectionInfo(Bearer(token));
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        Assert.True(await call.ResponseStream.MoveNext(), "The stream ended before the token expired.");

        await Task.Delay(expiresAt.AddSeconds(1.2) - DateTimeOffset.UtcNow);
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        var e = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
        Assert.Equal("UNAUTHENTICATED", e.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason);
    }

    [Fact]
    public async Task Create_replace_and_delete_each_need_their_own_action_and_are_audited()
    {
        var creator = Issuer.Token("creator-app", ["items.create"]);
        var created = await Client.CreateAsync(new CreateRequest { Collection = "items", DocumentJson = Json.Bytes("""{"id":"c-1","pk":"tenant-9","secret":"create-body-77"}""") }, Bearer(creator));

        // create is not replace, delete or read.
        var replace = await RpcAssert.FailsAsync(StatusCode.PermissionDenied, "PERMISSION_DENIED", () =>
            Client.ReplaceAsync(new ReplaceRequest { Collection = "items", Document = Json.Struct("""{"id":"c-1","pk":"tenant-9"}""") }, Bearer(creator)).ResponseAsync);
        Assert.Equal("replace", replace.GetDetail<ErrorInfo>().Metadata["action"]);
        var delete = await RpcAssert.FailsAsync(StatusCode.PermissionDenied, "PERMISSION_DENIED", () =>
            Client.DeleteAsync(new DeleteRequest { Collection = "items", Id = "c-1", PartitionKey = "tenant-9" }, Bearer(creator)).ResponseAsync);
        Assert.Equal("delete", delete.GetDetail<ErrorInfo>().Metadata["action"]);
        var denied = Assert.Single(fixture.Logs.Audit, e => e.EventId.Id == 801 && e["Principal"] == "creator-app" && e["Action"] == "delete");
        Assert.Equal(("c-1", "tenant-9"), (denied["DocumentId"], denied["PartitionKey"]));

        var replacer = Issuer.Token("replacer-app", ["items.replace", "items.delete"]);
        var replaced = await Client.ReplaceAsync(new ReplaceRequest { Collection = "items", Document = Json.Struct("""{"id":"c-1","pk":"tenant-9","n":2}""") }, Bearer(replacer));
        await Client.DeleteAsync(new DeleteRequest { Collection = "items", Id = "c-1", PartitionKey = "tenant-9" }, Bearer(replacer));
        await RpcAssert.FailsAsync(StatusCode.NotFound, "DOCUMENT_NOT_FOUND", () =>
            Client.DeleteAsync(new DeleteRequest { Collection = "items", Id = "c-1", PartitionKey = "tenant-9" }, Bearer(replacer)).ResponseAsync);

        var create = Assert.Single(fixture.Logs.Audit, e => e.EventId.Id == 800 && e["Principal"] == "creator-app");
        Assert.Equal(("OK", "create", "items", "c-1", "tenant-9", created.Document.Etag), (create["Outcome"], create["Action"], create["Collection"], create["DocumentId"], create["PartitionKey"], create["ETag"]));
        var replaceEvent = Assert.Single(fixture.Logs.Audit, e => e.EventId.Id == 800 && e["Action"] == "replace" && e["Principal"] == "replacer-app");
        Assert.Equal(("OK", "c-1", replaced.Document.Etag), (replaceEvent["Outcome"], replaceEvent["DocumentId"], replaceEvent["ETag"]));
        var deletes = fixture.Logs.Audit.Where(e => e.EventId.Id == 800 && e["Action"] == "delete" && e["Principal"] == "replacer-app").ToList();
        Assert.Equal(["OK", "NotFound"], deletes.Select(e => e["Outcome"]));
        Assert.All(deletes, e => Assert.Equal(("c-1", "tenant-9"), (e["DocumentId"], e["PartitionKey"])));
        Assert.DoesNotContain("create-body-77", fixture.Logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadMany_needs_read_on_its_collection_and_is_not_audited_as_a_write()
    {
        var request = new ReadManyRequest { Collection = "orders", Keys = { new V1.DocumentKey { Id = "absent-1", PartitionKey = "c" } } };
        var writer = Issuer.Token("many-writer", ["orders.write", "items.read"]);
        var status = await RpcAssert.FailsAsync(StatusCode.PermissionDenied, "PERMISSION_DENIED", () => Client.ReadManyAsync(request, Bearer(writer)).ResponseAsync);
        Assert.Equal(("orders", "read"), (status.GetDetail<ErrorInfo>().Metadata["collection"], status.GetDetail<ErrorInfo>().Metadata["action"]));

        var reader = Issuer.Token("many-reader", ["orders.read"]);
        var read = await Client.ReadManyAsync(request, Bearer(reader));
        Assert.Equal("absent-1", Assert.Single(read.Missing).Id);
        Assert.DoesNotContain(fixture.Logs.Audit, e => e["Principal"] == "many-reader");
    }

    [Fact]
    public async Task A_batch_needs_the_action_of_every_operation_and_is_audited_once_as_a_batch()
    {
        var token = Issuer.Token("batch-app", ["items.read", "items.create", "items.upsert"]);
        var allowed = new ExecuteBatchRequest
        {
            Collection = "items",
            PartitionKey = "tenant-b",
            Operations =
            {
                new BatchOperation { Create = new BatchWrite { DocumentJson = Json.Bytes("""{"id":"b-1","pk":"tenant-b"}""") } },
                new BatchOperation { Upsert = new BatchWrite { Document = Json.Struct("""{"id":"b-2","pk":"tenant-b"}""") } },
                new BatchOperation { Read = new BatchKey { Id = "b-1" } },
            },
        };
        var result = await Client.ExecuteBatchAsync(allowed, Bearer(token));
        Assert.Equal(3, result.Results.Count);

        // One delete makes the whole batch need delete: denied before anything runs.
        var withDelete = allowed.Clone();
        withDelete.Operations[0] = new BatchOperation { Create = new BatchWrite { DocumentJson = Json.Bytes("""{"id":"b-3","pk":"tenant-b"}""") } };
        withDelete.Operations.Add(new BatchOperation { Delete = new BatchKey { Id = "b-2" } });
        var status = await RpcAssert.FailsAsync(StatusCode.PermissionDenied, "PERMISSION_DENIED", () => Client.ExecuteBatchAsync(withDelete, Bearer(token)).ResponseAsync);
        Assert.Equal("delete", status.GetDetail<ErrorInfo>().Metadata["action"]);
        await RpcAssert.FailsAsync(StatusCode.NotFound, "DOCUMENT_NOT_FOUND", () =>
            Client.GetAsync(new GetRequest { Collection = "items", Id = "b-3", PartitionKey = "tenant-b" }, Bearer(token)).ResponseAsync);

        var batch = Assert.Single(fixture.Logs.Audit, e => e.EventId.Id == 800 && e["Principal"] == "batch-app");
        Assert.Equal(("OK", "batch", "items", "tenant-b"), (batch["Outcome"], batch["Action"], batch["Collection"], batch["PartitionKey"]));
        Assert.Single(fixture.Logs.Audit, e => e.EventId.Id == 801 && e["Principal"] == "batch-app" && e["Action"] == "delete");
    }

    private static Metadata Bearer(string token) => JwtServerFixture.Bearer(token);
}
