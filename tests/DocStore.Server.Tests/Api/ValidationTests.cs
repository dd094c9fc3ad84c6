using DocStore.Server.Tests.Infrastructure;
using DocStore.V1;
using Grpc.Core;

namespace DocStore.Server.Tests.Api;

/// <summary>
/// Request validation at its edges, through the gRPC surface of the in-process server: each check is
/// reached by a request that only it refuses, so deleting a check fails a test. Validation runs before
/// any store is touched, so these run against the embedded store only.
/// </summary>
public sealed class ValidationTests(InProcessServer server) : IClassFixture<InProcessServer>
{
    private static readonly string Collection255 = new('c', 255);
    private static readonly string Collection256 = new('c', 256);

    private readonly DocStoreService.DocStoreServiceClient _client = server.Client;

    private static PatchOperation Set(string path, string json) => new() { Set = new SetOperation { Path = path, Value = Json.Value(json) } };

    private Task<PatchResponse> PatchAsync(string collection, string id, string partitionKey, params PatchOperation[] operations) =>
        _client.PatchAsync(new PatchRequest { Collection = collection, Id = id, PartitionKey = partitionKey, Operations = { operations } }).ResponseAsync;

    private Task<UpsertResponse> UpsertAsync(string collection, string json) =>
        _client.UpsertAsync(new UpsertRequest { Collection = collection, Document = Json.Struct(json) }).ResponseAsync;

    [Fact]
    public async Task A_missing_collection_is_an_invalid_argument_on_every_rpc()
    {
        // protobuf has no null string: an unset collection arrives empty.
        await RpcAssert.InvalidAsync(() => _client.GetAsync(new GetRequest { Id = "x", PartitionKey = "p" }).ResponseAsync, "collection");
        await RpcAssert.InvalidAsync(() => _client.UpsertAsync(new UpsertRequest { Document = Json.Struct("""{"id":"x","pk":"p"}""") }).ResponseAsync, "collection");
        await RpcAssert.InvalidAsync(() => _client.PatchAsync(new PatchRequest { Id = "x", PartitionKey = "p", Operations = { Set("/a", "1") } }).ResponseAsync, "collection");
    }

    [Fact]
    public async Task A_collection_name_of_255_characters_is_looked_up_and_one_of_256_is_refused()
    {
        await RpcAssert.FailsAsync(StatusCode.NotFound, "COLLECTION_NOT_FOUND", () => _client.GetAsync(new GetRequest { Collection = Collection255, Id = "x", PartitionKey = "p" }).ResponseAsync);
        await RpcAssert.FailsAsync(StatusCode.NotFound, "COLLECTION_NOT_FOUND", () => UpsertAsync(Collection255, """{"id":"x","pk":"p"}"""));
        await RpcAssert.FailsAsync(StatusCode.NotFound, "COLLECTION_NOT_FOUND", () => PatchAsync(Collection255, "x", "p", Set("/a", "1")));

        var violations = await RpcAssert.InvalidAsync(() => UpsertAsync(Collection256, """{"id":"x","pk":"p"}"""), "collection");
        Assert.Equal("is 256 characters; collection names have at most 255", violations.FieldViolations[0].Description);
        await RpcAssert.InvalidAsync(() => PatchAsync(Collection256, "x", "p", Set("/a", "1")), "collection");
    }

    [Theory]
    [InlineData("", "p", "id", "must not be empty")]
    [InlineData("a/b", "p", "id", "must not contain '/' (ids cannot contain '/', '\\', '?' or '#')")]
    [InlineData("a#b", "p", "id", "must not contain '#' (ids cannot contain '/', '\\', '?' or '#')")]
    [InlineData("x", "", "partition_key", "must not be empty")]
    public async Task A_patch_checks_its_id_and_partition_key(string id, string partitionKey, string field, string description)
    {
        var violations = await RpcAssert.InvalidAsync(() => PatchAsync("items", id, partitionKey, Set("/a", "1")), field);
        Assert.Equal(description, violations.FieldViolations[0].Description);
    }

    [Fact]
    public async Task A_patch_checks_the_length_of_its_id_and_partition_key_in_utf8_bytes()
    {
        // 'é' is two bytes in UTF-8: 512 of them are 1024 bytes, one past the id limit.
        var violations = await RpcAssert.InvalidAsync(() => PatchAsync("items", new string('é', 512), new string('é', 1025), Set("/a", "1")), "id", "partition_key");
        Assert.Equal(["is 1024 bytes as UTF-8; the limit is 1023", "is 2050 bytes as UTF-8; the limit is 2048"], violations.FieldViolations.OrderBy(v => v.Field, StringComparer.Ordinal).Select(v => v.Description));

        // At the limits, the patch is valid and reaches the store, which has no such document.
        await RpcAssert.FailsAsync(StatusCode.NotFound, "DOCUMENT_NOT_FOUND", () => PatchAsync("items", new string('i', 1023), new string('p', 2048), Set("/a", "1")));
    }

    [Fact]
    public async Task Every_problem_of_a_patch_is_reported_at_once()
    {
        await RpcAssert.InvalidAsync(
            () => PatchAsync("items", "", "", Set("/id", "1"), Set("/pk", "1"), Set("/_etag", "1"), new PatchOperation()),
            "id",
            "partition_key",
            "operations[0].set.path",
            "operations[1].set.path",
            "operations[2].set.path",
            "operations[3]");
    }

    [Fact]
    public async Task A_session_token_with_range_ids_containing_9_is_accepted() =>
        await RpcAssert.FailsAsync(
            StatusCode.NotFound,
            "DOCUMENT_NOT_FOUND",
            () => _client.GetAsync(new GetRequest { Collection = "items", Id = "absent", PartitionKey = "p", SessionToken = "9:-1#1,19:-1#2" }).ResponseAsync);
}
