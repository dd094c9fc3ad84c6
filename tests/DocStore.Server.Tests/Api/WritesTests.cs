using DocStore.Server.Tests.Infrastructure;
using DocStore.V1;
using Google.Rpc;
using Grpc.Core;

namespace DocStore.Server.Tests.Api;

/// <summary>
/// Create, Replace, Delete, ReadMany and ExecuteBatch through the real gRPC stack, the same cases on
/// every store: each success, each failure, and that nothing changed after each failure.
/// </summary>
public abstract class WritesTests(IContractServer server)
{
    private readonly DocStoreService.DocStoreServiceClient _client = server.Client;

    protected static string NewId() => "doc-" + Guid.NewGuid().ToString("N");

    protected Task<UpsertResponse> UpsertAsync(string json) =>
        _client.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct(json) }).ResponseAsync;

    protected Task<GetResponse> GetAsync(string id, string partitionKey) =>
        _client.GetAsync(new GetRequest { Collection = "items", Id = id, PartitionKey = partitionKey }).ResponseAsync;

    /// <summary>Checks the document is absent, as the store says through Get.</summary>
    protected virtual Task AssertAbsentAsync(string id, string partitionKey) =>
        RpcAssert.FailsAsync(StatusCode.NotFound, "DOCUMENT_NOT_FOUND", () => GetAsync(id, partitionKey));

    /// <summary>Checks the document is stored unchanged: same body, same etag.</summary>
    protected async Task AssertUnchangedAsync(UpsertResponse written)
    {
        var read = await GetAsync(written.Document.Id, written.Document.PartitionKey);
        Assert.Equal(written.Document.Etag, read.Document.Etag);
        Assert.Equal(written.Document.Body, read.Document.Body);
    }

    private static BatchOperation Create(string json) => new() { Create = new BatchWrite { Document = Json.Struct(json) } };

    private static BatchOperation Upsert(string json, string ifMatch = "") => new() { Upsert = new BatchWrite { Document = Json.Struct(json), IfMatch = ifMatch } };

    private static BatchOperation Replace(string json, string ifMatch = "") => new() { Replace = new BatchWrite { Document = Json.Struct(json), IfMatch = ifMatch } };

    private static BatchOperation Delete(string id, string ifMatch = "") => new() { Delete = new BatchKey { Id = id, IfMatch = ifMatch } };

    private static BatchOperation Read(string id) => new() { Read = new BatchKey { Id = id } };

    private static BatchOperation Increment(string id, string path, double by) =>
        new() { Patch = new BatchPatch { Id = id, Operations = { new PatchOperation { Increment = new IncrementOperation { Path = path, By = by } } } } };

    private static BatchOperation ConditionalIncrement(string id, string path, string conditionPath, string conditionJson) =>
        new()
        {
            Patch = new BatchPatch
            {
                Id = id,
                Operations = { new PatchOperation { Increment = new IncrementOperation { Path = path, By = 1 } } },
                Condition = new Filter { Field = new FieldFilter { Path = conditionPath, Operator = FieldFilter.Types.Operator.Equal, Value = Json.Value(conditionJson) } },
            },
        };

    private Task<ExecuteBatchResponse> BatchAsync(string partitionKey, params BatchOperation[] operations) =>
        _client.ExecuteBatchAsync(new ExecuteBatchRequest { Collection = "items", PartitionKey = partitionKey, Operations = { operations } }).ResponseAsync;

    [Fact]
    public virtual async Task Create_stores_a_new_document_and_refuses_an_existing_one_leaving_it_unchanged()
    {
        var id = NewId();
        var created = await _client.CreateAsync(new CreateRequest { Collection = "items", Document = Json.Struct($$"""{"id":"{{id}}","pk":"alice","v":1}""") });
        Json.Equal($$"""{"id":"{{id}}","pk":"alice","v":1}""", created.Document.Body);
        Assert.False(string.IsNullOrEmpty(created.Document.Etag));
        Assert.True(created.Info.RequestCharge > 0);
        var read = await GetAsync(id, "alice");
        Assert.Equal(created.Document.Etag, read.Document.Etag);

        var status = await RpcAssert.FailsAsync(StatusCode.AlreadyExists, "DOCUMENT_EXISTS", () =>
            _client.CreateAsync(new CreateRequest { Collection = "items", Document = Json.Struct($$"""{"id":"{{id}}","pk":"alice","v":2}""") }).ResponseAsync);
        Assert.Contains("already exists", status.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(id, status.Message, StringComparison.Ordinal); // ids and partition keys are personal data: the audit trail holds them, messages do not
        Assert.DoesNotContain("alice", status.Message, StringComparison.Ordinal);

        var after = await GetAsync(id, "alice");
        Assert.Equal(created.Document.Etag, after.Document.Etag);
        Json.Equal($$"""{"id":"{{id}}","pk":"alice","v":1}""", after.Document.Body);
    }

    [Fact]
    public virtual async Task Replace_needs_an_existing_document_and_a_matching_etag()
    {
        var id = NewId();
        await RpcAssert.FailsAsync(StatusCode.NotFound, "DOCUMENT_NOT_FOUND", () =>
            _client.ReplaceAsync(new ReplaceRequest { Collection = "items", Document = Json.Struct($$"""{"id":"{{id}}","pk":"alice"}""") }).ResponseAsync);
        await AssertAbsentAsync(id, "alice");

        var written = await UpsertAsync($$"""{"id":"{{id}}","pk":"alice","v":1,"old":true}""");
        await RpcAssert.FailsAsync(StatusCode.Aborted, "ETAG_MISMATCH", () =>
            _client.ReplaceAsync(new ReplaceRequest { Collection = "items", Document = Json.Struct($$"""{"id":"{{id}}","pk":"alice","v":2}"""), IfMatch = "\"stale\"" }).ResponseAsync);
        await AssertUnchangedAsync(written);

        var replaced = await _client.ReplaceAsync(new ReplaceRequest { Collection = "items", Document = Json.Struct($$"""{"id":"{{id}}","pk":"alice","v":2}"""), IfMatch = written.Document.Etag });
        Assert.NotEqual(written.Document.Etag, replaced.Document.Etag);
        Json.Equal($$"""{"id":"{{id}}","pk":"alice","v":2}""", (await GetAsync(id, "alice")).Document.Body);
    }

    [Fact]
    public virtual async Task Delete_removes_a_document_and_refuses_an_absent_one_or_a_stale_etag()
    {
        var id = NewId();
        var written = await UpsertAsync($$"""{"id":"{{id}}","pk":"alice","v":1}""");
        await RpcAssert.FailsAsync(StatusCode.Aborted, "ETAG_MISMATCH", () =>
            _client.DeleteAsync(new DeleteRequest { Collection = "items", Id = id, PartitionKey = "alice", IfMatch = "\"stale\"" }).ResponseAsync);
        await AssertUnchangedAsync(written);

        var deleted = await _client.DeleteAsync(new DeleteRequest { Collection = "items", Id = id, PartitionKey = "alice", IfMatch = written.Document.Etag });
        Assert.True(deleted.Info.RequestCharge > 0);
        await AssertAbsentAsync(id, "alice");

        await RpcAssert.FailsAsync(StatusCode.NotFound, "DOCUMENT_NOT_FOUND", () =>
            _client.DeleteAsync(new DeleteRequest { Collection = "items", Id = id, PartitionKey = "alice" }).ResponseAsync);
    }

    [Fact]
    public virtual async Task A_delete_is_a_write_with_a_higher_session_token()
    {
        var id = NewId();
        var written = await UpsertAsync($$"""{"id":"{{id}}","pk":"alice"}""");
        var deleted = await _client.DeleteAsync(new DeleteRequest { Collection = "items", Id = id, PartitionKey = "alice" });
        Assert.True(Lsn(deleted.Info.SessionToken) > Lsn(written.Info.SessionToken));
    }

    [Fact]
    public virtual async Task ReadMany_returns_the_documents_in_the_order_of_the_keys_and_lists_the_missing()
    {
        var a = NewId();
        var b = NewId();
        var absent = NewId();
        await UpsertAsync($$"""{"id":"{{a}}","pk":"alice","n":1}""");
        await UpsertAsync($$"""{"id":"{{b}}","pk":"bob","n":2}""");

        var response = await _client.ReadManyAsync(new ReadManyRequest
        {
            Collection = "items",
            Keys = { new DocumentKey { Id = b, PartitionKey = "bob" }, new DocumentKey { Id = absent, PartitionKey = "alice" }, new DocumentKey { Id = a, PartitionKey = "alice" } },
        });

        Assert.Equal([b, a], response.Documents.Select(d => d.Id));
        Assert.Equal(["bob", "alice"], response.Documents.Select(d => d.PartitionKey));
        Json.Equal($$"""{"id":"{{a}}","pk":"alice","n":1}""", response.Documents[1].Body);
        Assert.Equal(absent, Assert.Single(response.Missing).Id);
        Assert.True(response.Info.RequestCharge > 0);
    }

    [Fact]
    public async Task Invalid_requests_report_every_violation_at_once_with_field_paths()
    {
        var keys = Enumerable.Range(0, 8).Select(i => new DocumentKey { Id = "k" + i, PartitionKey = "p" }).ToList();
        keys[7].Id = "bad/id";
        keys[3] = new DocumentKey { Id = "k1", PartitionKey = "p" };
        await RpcAssert.InvalidAsync(
            () => _client.ReadManyAsync(new ReadManyRequest { Collection = "items", Keys = { keys }, SessionToken = "nonsense" }).ResponseAsync,
            "keys[7].id", "keys[3]", "session_token");
        await RpcAssert.InvalidAsync(
            () => _client.ReadManyAsync(new ReadManyRequest { Collection = "items", Keys = { Enumerable.Range(0, 101).Select(i => new DocumentKey { Id = "k" + i, PartitionKey = "p" }) } }).ResponseAsync,
            "keys");
        await RpcAssert.InvalidAsync(() => _client.ReadManyAsync(new ReadManyRequest { Collection = "items" }).ResponseAsync, "keys");

        var badPatch = new BatchOperation { Patch = new BatchPatch { Id = "p1", Operations = { new PatchOperation { Set = new SetOperation { Path = "no-slash", Value = Json.Value("1") } } } } };
        await RpcAssert.InvalidAsync(
            () => BatchAsync(
                "alice",
                new BatchOperation { Create = new BatchWrite { Document = Json.Struct("""{"id":"c","pk":"alice"}"""), IfMatch = "\"e\"" } },
                new BatchOperation { Read = new BatchKey { Id = "r", IfMatch = "\"e\"" } },
                Upsert("""{"id":"u","pk":"bob"}"""),
                badPatch,
                new BatchOperation(),
                Delete("")),
            "operations[0].create.if_match", "operations[1].read.if_match", "operations[2].upsert.document.pk",
            "operations[3].patch.operations[0].set.path", "operations[4]", "operations[5].delete.id");
        await RpcAssert.InvalidAsync(() => BatchAsync("alice"), "operations");
        await RpcAssert.InvalidAsync(() => BatchAsync("alice", Enumerable.Range(0, 101).Select(i => Read("r" + i)).ToArray()), "operations");

        // Each document may be 2 MB, but not the batch.
        var large = new string('x', 1024 * 1024);
        await RpcAssert.InvalidAsync(
            () => BatchAsync("alice", Upsert($$"""{"id":"l1","pk":"alice","s":"{{large}}"}"""), Upsert($$"""{"id":"l2","pk":"alice","s":"{{large}}"}""")),
            "operations");

        await RpcAssert.InvalidAsync(
            () => _client.CreateAsync(new CreateRequest { Collection = "items", Document = Json.Struct("""{"pk":"alice"}""") }).ResponseAsync,
            "document.id");
        await RpcAssert.InvalidAsync(
            () => _client.DeleteAsync(new DeleteRequest { Collection = "items", Id = "", PartitionKey = "" }).ResponseAsync,
            "id", "partition_key");
    }

    [Fact]
    public virtual async Task A_batch_applies_every_operation_in_order_and_a_read_sees_the_earlier_writes()
    {
        var created = NewId();
        var replaced = NewId();
        var deleted = NewId();
        var counter = NewId();
        var oldReplaced = await UpsertAsync($$"""{"id":"{{replaced}}","pk":"alice","v":1}""");
        await UpsertAsync($$"""{"id":"{{deleted}}","pk":"alice"}""");
        await UpsertAsync($$"""{"id":"{{counter}}","pk":"alice","n":1}""");

        var response = await BatchAsync(
            "alice",
            Create($$"""{"id":"{{created}}","pk":"alice","v":1}"""),
            Replace($$"""{"id":"{{replaced}}","pk":"alice","v":2}""", oldReplaced.Document.Etag),
            Delete(deleted),
            Increment(counter, "/n", 41),
            Read(created),
            Upsert($$"""{"id":"{{created}}","pk":"alice","v":3}"""));

        Assert.Equal(6, response.Results.Count);
        Json.Equal($$"""{"id":"{{created}}","pk":"alice","v":1}""", response.Results[0].Document.Body);
        Assert.Null(response.Results[2].Document);
        Json.Equal($$"""{"id":"{{counter}}","pk":"alice","n":42}""", response.Results[3].Document.Body);
        Json.Equal($$"""{"id":"{{created}}","pk":"alice","v":1}""", response.Results[4].Document.Body);
        Assert.Equal(response.Results[0].Document.Etag, response.Results[4].Document.Etag);
        Assert.True(response.Info.RequestCharge > 0);

        Json.Equal($$"""{"id":"{{created}}","pk":"alice","v":3}""", (await GetAsync(created, "alice")).Document.Body);
        Json.Equal($$"""{"id":"{{replaced}}","pk":"alice","v":2}""", (await GetAsync(replaced, "alice")).Document.Body);
        Json.Equal($$"""{"id":"{{counter}}","pk":"alice","n":42}""", (await GetAsync(counter, "alice")).Document.Body);
        await AssertAbsentAsync(deleted, "alice");
    }

    public static TheoryData<string, StatusCode, string> FailingOperations => new()
    {
        { "create of an existing document", StatusCode.AlreadyExists, "DOCUMENT_EXISTS" },
        { "replace of an absent document", StatusCode.NotFound, "DOCUMENT_NOT_FOUND" },
        { "delete with a stale etag", StatusCode.Aborted, "ETAG_MISMATCH" },
        { "patch that cannot apply", StatusCode.InvalidArgument, "PATCH_NOT_APPLICABLE" },
        { "read of an absent document", StatusCode.NotFound, "DOCUMENT_NOT_FOUND" },
        { "patch whose condition does not match", StatusCode.FailedPrecondition, "CONDITION_NOT_MET" },
    };

    [Theory]
    [MemberData(nameof(FailingOperations))]
    public virtual async Task A_failing_operation_fails_the_batch_with_its_own_status_and_index_and_nothing_applies(string failing, StatusCode code, string reason)
    {
        var existing = NewId();
        var counter = NewId();
        var created = NewId();
        var existingWritten = await UpsertAsync($$"""{"id":"{{existing}}","pk":"alice","v":1,"text":"t"}""");
        var counterWritten = await UpsertAsync($$"""{"id":"{{counter}}","pk":"alice","n":1}""");
        var failingOperation = failing switch
        {
            "create of an existing document" => Create($$"""{"id":"{{existing}}","pk":"alice"}"""),
            "replace of an absent document" => Replace($$"""{"id":"{{NewId()}}","pk":"alice"}"""),
            "delete with a stale etag" => Delete(existing, "\"stale\""),
            "patch that cannot apply" => Increment(existing, "/text", 1),
            "patch whose condition does not match" => ConditionalIncrement(existing, "/v", "/text", "\"other\""),
            _ => Read(NewId()),
        };

        var status = await RpcAssert.FailsAsync(code, reason, () => BatchAsync(
            "alice",
            Create($$"""{"id":"{{created}}","pk":"alice"}"""),
            Increment(counter, "/n", 1),
            Delete(counter),
            Upsert($$"""{"id":"{{existing}}","pk":"alice","v":2,"text":"t"}"""),
            failingOperation,
            Read(existing)));

        var info = status.GetDetail<ErrorInfo>();
        Assert.Equal("4", info.Metadata["operation_index"]);
        Assert.Contains("operations[4]", status.Message, StringComparison.Ordinal);
        await AssertAbsentAsync(created, "alice");
        await AssertUnchangedAsync(counterWritten);
        await AssertUnchangedAsync(existingWritten);
    }

    [Fact]
    public virtual async Task A_conditional_batch_patch_applies_when_its_document_matches_and_sees_the_earlier_operations()
    {
        var id = NewId();
        await UpsertAsync($$"""{"id":"{{id}}","pk":"alice","status":"open","n":1}""");

        // The condition is checked against the document as the batch's earlier operations left it.
        var response = await BatchAsync(
            "alice",
            Upsert($$"""{"id":"{{id}}","pk":"alice","status":"paid","n":5}"""),
            ConditionalIncrement(id, "/n", "/status", "\"paid\""));

        Json.Equal($$"""{"id":"{{id}}","pk":"alice","status":"paid","n":6}""", response.Results[1].Document.Body);
        Json.Equal($$"""{"id":"{{id}}","pk":"alice","status":"paid","n":6}""", (await GetAsync(id, "alice")).Document.Body);

        var stale = await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "CONDITION_NOT_MET", () => BatchAsync(
            "alice",
            Upsert($$"""{"id":"{{id}}","pk":"alice","status":"open","n":0}"""),
            ConditionalIncrement(id, "/n", "/status", "\"paid\"")));
        Assert.Equal("1", stale.GetDetail<ErrorInfo>().Metadata["operation_index"]);
        Json.Equal($$"""{"id":"{{id}}","pk":"alice","status":"paid","n":6}""", (await GetAsync(id, "alice")).Document.Body);
    }

    [Fact]
    public async Task A_batch_patch_condition_is_validated_with_its_field_path()
    {
        var bad = ConditionalIncrement("x", "/n", "no-slash", "1");
        bad.Patch.Condition.All = new CompositeFilter(); // an empty all: nothing to combine
        var deep = ConditionalIncrement("y", "/n", "/_etag", "1");
        await RpcAssert.InvalidAsync(() => BatchAsync("alice", Read("r"), bad, deep), "operations[1].patch.condition.all.filters", "operations[2].patch.condition.field.path");
    }

    [Fact]
    public virtual async Task Create_and_replace_take_json_bytes_and_answer_in_the_format_asked()
    {
        var id = NewId();
        var other = NewId();
        var created = await _client.CreateAsync(new CreateRequest { Collection = "items", DocumentJson = Json.Bytes($$"""{"id":"{{id}}","pk":"alice","v":1}"""), BodyFormat = BodyFormat.Json });
        Assert.Null(created.Document.Body);
        Assert.Equal(id, System.Text.Json.JsonDocument.Parse(created.Document.BodyJson.Memory).RootElement.GetProperty("id").GetString());

        var replaced = await _client.ReplaceAsync(new ReplaceRequest { Collection = "items", DocumentJson = Json.Bytes($$"""{"id":"{{id}}","pk":"alice","v":2}"""), IfMatch = created.Document.Etag });
        Json.Equal($$"""{"id":"{{id}}","pk":"alice","v":2}""", replaced.Document.Body);
        Assert.True(replaced.Document.BodyJson.IsEmpty);

        // Both forms at once are refused naming the field.
        await RpcAssert.InvalidAsync(
            () => _client.CreateAsync(new CreateRequest { Collection = "items", Document = Json.Struct($$"""{"id":"{{NewId()}}","pk":"alice"}"""), DocumentJson = Json.Bytes("""{"id":"x","pk":"alice"}""") }).ResponseAsync,
            "document_json");
        await RpcAssert.InvalidAsync(
            () => _client.ReplaceAsync(new ReplaceRequest { Collection = "items", DocumentJson = Json.Bytes("""{"id":"x"}""") }).ResponseAsync,
            "document_json.pk");
    }

    [Fact]
    public virtual async Task ReadMany_and_batches_take_and_return_json_bytes()
    {
        var id = NewId();
        var other = NewId();
        await UpsertAsync($$"""{"id":"{{id}}","pk":"alice","v":2}""");
        var batch = await _client.ExecuteBatchAsync(new ExecuteBatchRequest
        {
            Collection = "items",
            PartitionKey = "alice",
            BodyFormat = BodyFormat.Json,
            Operations = { new BatchOperation { Create = new BatchWrite { DocumentJson = Json.Bytes($$"""{"id":"{{other}}","pk":"alice","w":true}""") } }, Read(id) },
        });
        Assert.All(batch.Results, r => Assert.Null(r.Document.Body));
        Assert.True(System.Text.Json.JsonDocument.Parse(batch.Results[0].Document.BodyJson.Memory).RootElement.GetProperty("w").GetBoolean());
        Assert.Equal(2, System.Text.Json.JsonDocument.Parse(batch.Results[1].Document.BodyJson.Memory).RootElement.GetProperty("v").GetInt32());

        var many = await _client.ReadManyAsync(new ReadManyRequest { Collection = "items", BodyFormat = BodyFormat.Json, Keys = { new DocumentKey { Id = id, PartitionKey = "alice" }, new DocumentKey { Id = other, PartitionKey = "alice" } } });
        Assert.Equal([id, other], many.Documents.Select(d => System.Text.Json.JsonDocument.Parse(d.BodyJson.Memory).RootElement.GetProperty("id").GetString()));
        Assert.All(many.Documents, d => Assert.Null(d.Body));

        // A document of the wrong partition, or without an id, in JSON is refused naming the field.
        await RpcAssert.InvalidAsync(
            () => BatchAsync("alice", new BatchOperation { Upsert = new BatchWrite { DocumentJson = Json.Bytes("""{"id":"x","pk":"bob"}""") } }, new BatchOperation { Create = new BatchWrite { DocumentJson = Json.Bytes("""{"pk":"alice"}""") } }),
            "operations[0].upsert.document_json.pk", "operations[1].create.document_json.id");
    }

    [Fact]
    public async Task Create_and_replace_requests_that_do_not_decode_are_invalid_arguments()
    {
        var raw = Marshallers.Create<byte[]>(bytes => bytes, bytes => bytes);
        var create = new Method<byte[], byte[]>(MethodType.Unary, "docstore.v1.DocStoreService", "Create", raw, raw);
        var replace = new Method<byte[], byte[]>(MethodType.Unary, "docstore.v1.DocStoreService", "Replace", raw, raw);
        var invoker = server.Channel.CreateCallInvoker();

        // CreateRequest { collection = 0xFF (not UTF-8), document_json = {} }: decoded by the generated code around the document.
        byte[] badCollection = [0x0A, 1, 0xFF, 0x1A, 2, (byte)'{', (byte)'}'];
        var violations = await RpcAssert.InvalidAsync(() => invoker.AsyncUnaryCall(create, null, new CallOptions(), badCollection).ResponseAsync, "request");
        Assert.Contains("UTF-8", violations.FieldViolations[0].Description, StringComparison.Ordinal);

        // ReplaceRequest { collection = "items", document = {}, document = {} }: a document split in two is refused.
        byte[] twice = [0x0A, 5, (byte)'i', (byte)'t', (byte)'e', (byte)'m', (byte)'s', 0x12, 0, 0x12, 0];
        await RpcAssert.InvalidAsync(() => invoker.AsyncUnaryCall(replace, null, new CallOptions(), twice).ResponseAsync, "request");

        // A Struct nested past 32 levels is named where it goes too deep, as on Upsert.
        var inner = new Google.Protobuf.WellKnownTypes.Struct { Fields = { ["leaf"] = Google.Protobuf.WellKnownTypes.Value.ForNumber(1) } };
        for (var i = 0; i < 40; i++)
        {
            inner = new Google.Protobuf.WellKnownTypes.Struct { Fields = { ["a"] = Google.Protobuf.WellKnownTypes.Value.ForStruct(inner) } };
        }

        inner.Fields["id"] = Google.Protobuf.WellKnownTypes.Value.ForString(NewId());
        inner.Fields["pk"] = Google.Protobuf.WellKnownTypes.Value.ForString("alice");
        await RpcAssert.InvalidAsync(
            () => _client.CreateAsync(new CreateRequest { Collection = "items", Document = inner }).ResponseAsync,
            "document." + string.Join('.', Enumerable.Repeat("a", 32)));
    }

    private static long Lsn(string token) => long.Parse(token[(token.LastIndexOf('#') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
}
