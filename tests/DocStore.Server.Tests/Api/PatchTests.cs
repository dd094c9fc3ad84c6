using DocStore.Server.Tests.Infrastructure;
using DocStore.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace DocStore.Server.Tests.Api;

/// <summary>
/// Patch through the real gRPC stack, the same cases on every store: see
/// <see cref="EmbeddedPatchTests"/> and <see cref="Cosmos.CosmosPatchTests"/>.
/// </summary>
public abstract class PatchTests(IContractServer server)
{
    private const string Seed = """{"pk":"p","name":"bike","price":455.95,"qty":15,"tags":["road","steel"],"inventory":{"count":3,"bins":[1,2]},"flag":null,"a/b":1,"m~n":2}""";

    private readonly DocStoreService.DocStoreServiceClient _client = server.Client;

    private static PatchOperation Set(string path, string json) => new() { Set = new SetOperation { Path = path, Value = Json.Value(json) } };

    private static PatchOperation Add(string path, string json) => new() { Add = new AddOperation { Path = path, Value = Json.Value(json) } };

    private static PatchOperation Replace(string path, string json) => new() { Replace = new ReplaceOperation { Path = path, Value = Json.Value(json) } };

    private static PatchOperation Remove(string path) => new() { Remove = new RemoveOperation { Path = path } };

    private static PatchOperation Increment(string path, double by) => new() { Increment = new IncrementOperation { Path = path, By = by } };

    private static PatchOperation Move(string from, string path) => new() { Move = new MoveOperation { From = from, Path = path } };

    /// <summary>Creates a fresh document from <see cref="Seed"/> and returns its id and etag.</summary>
    private async Task<(string Id, string ETag)> SeedAsync(string seed = Seed)
    {
        var id = "patch-" + Guid.NewGuid().ToString("N");
        var document = Json.Struct(seed);
        document.Fields["id"] = Value.ForString(id);
        var response = await _client.UpsertAsync(new UpsertRequest { Collection = "items", Document = document });
        return (id, response.Document.Etag);
    }

    private async Task<PatchResponse> PatchAsync(string id, params PatchOperation[] operations) =>
        await _client.PatchAsync(new PatchRequest { Collection = "items", Id = id, PartitionKey = "p", Operations = { operations } });

    private async Task<Struct> BodyAsync(string id) =>
        (await _client.GetAsync(new GetRequest { Collection = "items", Id = id, PartitionKey = "p" })).Document.Body;

    /// <summary>Patches a fresh seed document and returns the patched body, with id removed for comparison.</summary>
    private async Task<Struct> PatchedAsync(params PatchOperation[] operations)
    {
        var (id, _) = await SeedAsync();
        var response = await PatchAsync(id, operations);
        var stored = await BodyAsync(id);
        Assert.Equal(response.Document.Body, stored);
        stored.Fields.Remove("id");
        return stored;
    }

    private static string Expect(string changes)
    {
        var seed = System.Text.Json.Nodes.JsonNode.Parse(Seed)!.AsObject();
        foreach (var (key, value) in System.Text.Json.Nodes.JsonNode.Parse(changes)!.AsObject())
        {
            seed[key] = value?.DeepClone();
        }

        return seed.ToJsonString();
    }

    [Fact]
    public virtual async Task Set_creates_a_property_replaces_one_and_replaces_or_appends_array_elements()
    {
        Json.Equal(Expect("""{"color":"red"}"""), await PatchedAsync(Set("/color", "\"red\"")));
        Json.Equal(Expect("""{"price":355.45}"""), await PatchedAsync(Set("/price", "355.45")));
        Json.Equal(Expect("""{"tags":["gravel","steel"]}"""), await PatchedAsync(Set("/tags/0", "\"gravel\"")));
        Json.Equal(Expect("""{"tags":["road","steel","new"]}"""), await PatchedAsync(Set("/tags/-", "\"new\"")));
        Json.Equal(Expect("""{"inventory":{"count":3,"bins":[1,2],"where":{"row":4}}}"""), await PatchedAsync(Set("/inventory/where", """{"row":4}""")));
    }

    [Fact]
    public virtual async Task Add_creates_replaces_inserts_at_an_index_and_appends()
    {
        Json.Equal(Expect("""{"color":"red"}"""), await PatchedAsync(Add("/color", "\"red\"")));
        Json.Equal(Expect("""{"qty":1}"""), await PatchedAsync(Add("/qty", "1")));
        Json.Equal(Expect("""{"tags":["first","road","steel"]}"""), await PatchedAsync(Add("/tags/0", "\"first\"")));
        Json.Equal(Expect("""{"tags":["road","steel","last"]}"""), await PatchedAsync(Add("/tags/2", "\"last\"")));
        Json.Equal(Expect("""{"tags":["road","steel","end"]}"""), await PatchedAsync(Add("/tags/-", "\"end\"")));
    }

    [Fact]
    public virtual async Task Replace_changes_existing_values_only()
    {
        Json.Equal(Expect("""{"name":"trike"}"""), await PatchedAsync(Replace("/name", "\"trike\"")));
        Json.Equal(Expect("""{"tags":["road","carbon"]}"""), await PatchedAsync(Replace("/tags/1", "\"carbon\"")));
        Json.Equal(Expect("""{"flag":true}"""), await PatchedAsync(Replace("/flag", "true")));
    }

    [Fact]
    public virtual async Task Remove_deletes_a_property_or_an_array_element()
    {
        var withoutName = await PatchedAsync(Remove("/name"));
        Assert.False(withoutName.Fields.ContainsKey("name"));
        Json.Equal(Expect("""{"tags":["steel"]}"""), await PatchedAsync(Remove("/tags/0")));
        Json.Equal(Expect("""{"inventory":{"count":3,"bins":[1]}}"""), await PatchedAsync(Remove("/inventory/bins/1")));
    }

    [Fact]
    public virtual async Task Increment_adds_to_numbers_and_creates_missing_properties()
    {
        Json.Equal(Expect("""{"qty":25}"""), await PatchedAsync(Increment("/qty", 10)));
        Json.Equal(Expect("""{"qty":12}"""), await PatchedAsync(Increment("/qty", -3)));
        Json.Equal(Expect("""{"price":456.45}"""), await PatchedAsync(Increment("/price", 0.5)));
        Json.Equal(Expect("""{"sold":4}"""), await PatchedAsync(Increment("/sold", 4)));
        Json.Equal(Expect("""{"inventory":{"count":3,"bins":[1,7]}}"""), await PatchedAsync(Increment("/inventory/bins/1", 5)));
    }

    [Fact]
    public virtual async Task An_integer_stays_an_integer_in_the_stored_JSON_after_a_whole_number_increment()
    {
        var (id, _) = await SeedAsync();
        await PatchAsync(id, Increment("/qty", 10), Increment("/price", 1), Increment("/half", 0.5), Set("/big", "9007199254740000"), Increment("/big", 2));

        var stored = await server.ReadStoredJsonAsync("items", id, "p");

        Assert.Contains("\"qty\":25,", stored, StringComparison.Ordinal);
        // 25 reads the same as an integer and as a double; near 2^53 a double would print as 9.007199254740002E+15.
        Assert.Contains("\"big\":9007199254740002", stored, StringComparison.Ordinal);
        Assert.Contains("\"price\":456.95,", stored, StringComparison.Ordinal);
        Assert.Contains("\"half\":0.5", stored, StringComparison.Ordinal);
    }

    [Fact]
    public virtual async Task Move_takes_a_value_to_a_new_place_and_replaces_what_is_there()
    {
        var moved = await PatchedAsync(Move("/name", "/inventory/name"));
        Assert.False(moved.Fields.ContainsKey("name"));
        Assert.Equal("bike", moved.Fields["inventory"].StructValue.Fields["name"].StringValue);

        var replaced = await PatchedAsync(Move("/qty", "/price"));
        Assert.False(replaced.Fields.ContainsKey("qty"));
        Assert.Equal(15, replaced.Fields["price"].NumberValue);

        Json.Equal(Expect("""{"tags":["steel","road"]}"""), await PatchedAsync(Move("/tags/0", "/tags/-")));
    }

    [Fact]
    public virtual async Task Escaped_paths_name_properties_with_slash_and_tilde()
    {
        Json.Equal(Expect("""{"a/b":10,"m~n":3}"""), await PatchedAsync(Set("/a~1b", "10"), Increment("/m~0n", 1)));
        Json.Equal(Expect("""{"x/~y":true}"""), await PatchedAsync(Add("/x~1~0y", "true")));
    }

    [Fact]
    public virtual async Task Operations_apply_in_order_within_one_patch()
    {
        Json.Equal(
            Expect("""{"counter":{"n":3}}"""),
            await PatchedAsync(Add("/counter", "{}"), Increment("/counter/n", 1), Increment("/counter/n", 2)));
    }

    [Fact]
    public virtual async Task Ten_operations_are_accepted_and_eleven_are_not()
    {
        var (id, etag) = await SeedAsync();
        var ten = Enumerable.Range(0, 10).Select(_ => Increment("/qty", 1)).ToArray();
        var patched = await PatchAsync(id, ten);
        Assert.Equal(25, patched.Document.Body.Fields["qty"].NumberValue);
        Assert.NotEqual(etag, patched.Document.Etag);

        await RpcAssert.InvalidAsync(() => PatchAsync(id, [.. ten, Increment("/qty", 1)]), "operations");
        await RpcAssert.InvalidAsync(() => PatchAsync(id), "operations");
        Assert.Equal(25, (await BodyAsync(id)).Fields["qty"].NumberValue);
    }

    [Fact]
    public virtual async Task A_patch_reports_the_new_etag_token_and_charge()
    {
        var (id, etag) = await SeedAsync();
        var patched = await PatchAsync(id, Set("/name", "\"x\""));
        var read = await _client.GetAsync(new GetRequest { Collection = "items", Id = id, PartitionKey = "p", SessionToken = patched.Info.SessionToken });

        Assert.NotEqual(etag, patched.Document.Etag);
        Assert.Equal(patched.Document.Etag, read.Document.Etag);
        Assert.Equal(patched.Document.UpdateTime, read.Document.UpdateTime);
        Assert.Equal(id, patched.Document.Id);
        Assert.Equal("p", patched.Document.PartitionKey);
        Assert.True(patched.Info.RequestCharge >= 5);
    }

    public static TheoryData<string, PatchOperation> NotApplicable => new()
    {
        { "add under a missing parent", Add("/missing/child", "1") },
        { "set under a missing parent", Set("/missing/child", "1") },
        { "add past the end of an array", Add("/tags/3", "1") },
        { "set past the end of an array", Set("/tags/3", "1") },
        { "add at a non-index of an array", Add("/tags/x", "1") },
        { "add at an index with a leading zero", Add("/tags/01", "1") },
        { "add under a string", Add("/name/x", "1") },
        { "replace a missing property", Replace("/missing", "1") },
        { "replace past the end of an array", Replace("/tags/2", "1") },
        { "replace with '-'", Replace("/tags/-", "1") },
        { "remove a missing property", Remove("/missing") },
        { "remove past the end of an array", Remove("/tags/2") },
        { "remove under a missing parent", Remove("/missing/x") },
        { "increment a string", Increment("/name", 1) },
        { "increment null", Increment("/flag", 1) },
        { "increment an object", Increment("/inventory", 1) },
        { "increment under a missing parent", Increment("/missing/n", 1) },
        { "increment past the end of an array", Increment("/inventory/bins/5", 1) },
        { "move from a missing property", Move("/missing", "/x") },
        { "move to a missing parent", Move("/name", "/missing/name") },
    };

    [Theory]
    [MemberData(nameof(NotApplicable))]
    public virtual async Task A_patch_that_cannot_apply_is_rejected_and_changes_nothing(string why, PatchOperation operation)
    {
        var (id, etag) = await SeedAsync();
        var status = await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "PATCH_NOT_APPLICABLE", () => PatchAsync(id, Increment("/qty", 1), operation));
        Assert.Contains("operation 1", status.Message, StringComparison.Ordinal);

        var read = await _client.GetAsync(new GetRequest { Collection = "items", Id = id, PartitionKey = "p" });
        Assert.True(etag == read.Document.Etag, why);
        Assert.Equal(15, read.Document.Body.Fields["qty"].NumberValue);
    }

    [Fact]
    public virtual async Task An_increment_that_overflows_to_infinity_cannot_apply()
    {
        var (id, _) = await SeedAsync();
        await PatchAsync(id, Set("/big", "1.7e308"));

        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "PATCH_NOT_APPLICABLE", () => PatchAsync(id, Increment("/big", 1.7e308)));
        Assert.Equal(1.7e308, (await BodyAsync(id)).Fields["big"].NumberValue);
    }

    public static TheoryData<PatchOperation, string> Invalid => new()
    {
        { Set("", "1"), "operations[0].set.path" },
        { Set("name", "1"), "operations[0].set.path" },
        { Set("/a~2b", "1"), "operations[0].set.path" },
        { Set("/a~", "1"), "operations[0].set.path" },
        { Set("/id", "\"other\""), "operations[0].set.path" },
        { Remove("/id"), "operations[0].remove.path" },
        { Replace("/pk", "\"q\""), "operations[0].replace.path" },
        { Increment("/_ts", 1), "operations[0].increment.path" },
        { Add("/_etag", "\"x\""), "operations[0].add.path" },
        { Remove("/_rid"), "operations[0].remove.path" },
        { Set("/_attachments/x", "1"), "operations[0].set.path" },
        { Move("/id", "/old"), "operations[0].move.from" },
        { Move("/name", "/pk"), "operations[0].move.path" },
        { Move("/inventory", "/inventory/inner"), "operations[0].move.path" },
        { Increment("/qty", double.NaN), "operations[0].increment.by" },
        { Increment("/qty", double.NegativeInfinity), "operations[0].increment.by" },
        { new PatchOperation { Set = new SetOperation { Path = "/x" } }, "operations[0].set.value" },
        { new PatchOperation { Add = new AddOperation { Path = "/x", Value = new Value() } }, "operations[0].add.value" },
        { new PatchOperation(), "operations[0]" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public virtual async Task Bad_operations_are_invalid_arguments_naming_the_field(PatchOperation operation, string field)
    {
        var (id, etag) = await SeedAsync();
        await RpcAssert.InvalidAsync(() => PatchAsync(id, operation), field);
        Assert.Equal(etag, (await _client.GetAsync(new GetRequest { Collection = "items", Id = id, PartitionKey = "p" })).Document.Etag);
    }

    [Fact]
    public virtual async Task The_partition_key_path_and_its_parents_cannot_be_patched_in_a_nested_collection()
    {
        Task Patch(PatchOperation operation) => _client.PatchAsync(new PatchRequest
        {
            Collection = "orders",
            Id = "o",
            PartitionKey = "c",
            Operations = { operation },
        }).ResponseAsync;

        await RpcAssert.InvalidAsync(() => Patch(Set("/customer", "{}")), "operations[0].set.path");
        await RpcAssert.InvalidAsync(() => Patch(Set("/customer/id", "\"d\"")), "operations[0].set.path");
        await RpcAssert.InvalidAsync(() => Patch(Remove("/customer")), "operations[0].remove.path");
    }

    [Fact]
    public virtual async Task Patch_with_the_current_etag_applies_and_with_another_is_aborted()
    {
        var (id, etag) = await SeedAsync();
        var patched = await _client.PatchAsync(new PatchRequest { Collection = "items", Id = id, PartitionKey = "p", IfMatch = etag, Operations = { Increment("/qty", 1) } });
        Assert.Equal(16, patched.Document.Body.Fields["qty"].NumberValue);

        await RpcAssert.FailsAsync(StatusCode.Aborted, "ETAG_MISMATCH", () => _client.PatchAsync(new PatchRequest
        {
            Collection = "items",
            Id = id,
            PartitionKey = "p",
            IfMatch = etag,
            Operations = { Increment("/qty", 1) },
        }).ResponseAsync);
        Assert.Equal(16, (await BodyAsync(id)).Fields["qty"].NumberValue);
    }

    [Fact]
    public virtual async Task Patching_an_absent_document_is_not_found()
    {
        await RpcAssert.FailsAsync(StatusCode.NotFound, "DOCUMENT_NOT_FOUND", () => PatchAsync("absent-" + Guid.NewGuid(), Set("/x", "1")));
        await RpcAssert.FailsAsync(StatusCode.NotFound, "COLLECTION_NOT_FOUND", () => _client.PatchAsync(new PatchRequest
        {
            Collection = "nope",
            Id = "x",
            PartitionKey = "p",
            Operations = { Set("/x", "1") },
        }).ResponseAsync);
    }

    [Fact]
    public virtual async Task A_patch_that_would_grow_the_document_past_2_MB_is_rejected()
    {
        var (id, etag) = await SeedAsync();
        var big = Value.ForString(new string('x', 1_200_000));
        await PatchAsync(id, new PatchOperation { Set = new SetOperation { Path = "/a", Value = big } });

        var violations = await RpcAssert.InvalidAsync(() => PatchAsync(id, new PatchOperation { Set = new SetOperation { Path = "/b", Value = big } }), "operations");
        Assert.Contains("2 MB", violations.FieldViolations[0].Description, StringComparison.Ordinal);
        Assert.False((await BodyAsync(id)).Fields.ContainsKey("b"));
        Assert.NotEqual(etag, (await PatchAsync(id, Remove("/a"))).Document.Etag);
    }

    [Fact]
    public virtual async Task A_patch_that_would_nest_deeper_than_32_levels_is_rejected()
    {
        var (id, _) = await SeedAsync();
        var deep = Json.Value(string.Concat(Enumerable.Repeat("{\"a\":", 20)) + "1" + new string('}', 20));
        await PatchAsync(id, new PatchOperation { Set = new SetOperation { Path = "/d", Value = deep } });

        var path = "/d" + string.Concat(Enumerable.Repeat("/a", 19));
        await RpcAssert.InvalidAsync(() => PatchAsync(id, new PatchOperation { Set = new SetOperation { Path = path, Value = deep } }), "operations[0].set.value" + string.Concat(Enumerable.Repeat(".a", 12)));
    }
}
