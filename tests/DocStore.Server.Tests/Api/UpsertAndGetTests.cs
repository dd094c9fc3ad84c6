using System.Text;
using DocStore.Server.Tests.Infrastructure;
using DocStore.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace DocStore.Server.Tests.Api;

/// <summary>
/// Upsert and Get through the real gRPC stack, the same cases on every store: see
/// <see cref="EmbeddedUpsertAndGetTests"/> and <see cref="Cosmos.CosmosUpsertAndGetTests"/>.
/// </summary>
public abstract class UpsertAndGetTests(IContractServer server)
{
    private const int TwoMegabytes = 2 * 1024 * 1024;

    private readonly DocStoreService.DocStoreServiceClient _client = server.Client;

    private static string NewId() => "doc-" + Guid.NewGuid().ToString("N");

    private Task<UpsertResponse> UpsertAsync(string json, string collection = "items", string ifMatch = "") =>
        _client.UpsertAsync(new UpsertRequest { Collection = collection, Document = Json.Struct(json), IfMatch = ifMatch }).ResponseAsync;

    private Task<GetResponse> GetAsync(string id, string partitionKey, string collection = "items", string sessionToken = "") =>
        _client.GetAsync(new GetRequest { Collection = collection, Id = id, PartitionKey = partitionKey, SessionToken = sessionToken }).ResponseAsync;

    [Fact]
    public virtual async Task Get_after_upsert_returns_the_document_with_its_metadata()
    {
        var id = NewId();
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var written = await UpsertAsync($$"""{"id":"{{id}}","pk":"alice","items":["apple",{"qty":2}],"total":3.5,"paid":false,"note":null}""");

        var read = await GetAsync(id, "alice");

        Json.Equal($$"""{"id":"{{id}}","pk":"alice","items":["apple",{"qty":2}],"total":3.5,"paid":false,"note":null}""", read.Document.Body);
        Assert.Equal(id, read.Document.Id);
        Assert.Equal("alice", read.Document.PartitionKey);
        Assert.Equal(written.Document.Etag, read.Document.Etag);
        Assert.Equal(written.Document.UpdateTime, read.Document.UpdateTime);
        Assert.InRange(read.Document.UpdateTime.ToDateTimeOffset(), before, DateTimeOffset.UtcNow.AddSeconds(1));
        AssertSessionToken(written.Info.SessionToken);
        AssertSessionToken(read.Info.SessionToken);
        Assert.True(read.Info.RequestCharge > 0);
        Assert.True(written.Info.RequestCharge > 0);
        if (server.Store == "Embedded")
        {
            // The embedded store's estimate: 1 RU to read a small document, 5 RU to write one.
            Assert.Equal(1.0, read.Info.RequestCharge);
            Assert.Equal(5.0, written.Info.RequestCharge);
        }
        Json.Equal($$"""{"id":"{{id}}","pk":"alice","items":["apple",{"qty":2}],"total":3.5,"paid":false,"note":null}""", written.Document.Body);
    }

    [Fact]
    public virtual async Task Every_write_gets_a_new_etag_and_a_higher_session_token()
    {
        var id = NewId();
        var first = await UpsertAsync($$"""{"id":"{{id}}","pk":"p","v":1}""");
        var second = await UpsertAsync($$"""{"id":"{{id}}","pk":"p","v":2}""");

        Assert.NotEqual(first.Document.Etag, second.Document.Etag);
        Assert.Equal(Lsn(first.Info.SessionToken) + 1, Lsn(second.Info.SessionToken));
        var read = await GetAsync(id, "p");
        Json.Equal($$"""{"id":"{{id}}","pk":"p","v":2}""", read.Document.Body);

        // A read names the state it saw: the collection's latest write.
        Assert.Equal(second.Info.SessionToken, read.Info.SessionToken);
    }

    [Fact]
    public virtual async Task Upsert_replaces_the_whole_document()
    {
        var id = NewId();
        await UpsertAsync($$"""{"id":"{{id}}","pk":"p","old":true,"keep":1}""");
        await UpsertAsync($$"""{"id":"{{id}}","pk":"p","new":true}""");

        Json.Equal($$"""{"id":"{{id}}","pk":"p","new":true}""", (await GetAsync(id, "p")).Document.Body);
    }

    [Fact]
    public virtual async Task System_properties_in_an_upsert_are_neither_stored_nor_returned()
    {
        var id = NewId();
        var written = await UpsertAsync($$"""{"id":"{{id}}","pk":"p","_rid":"x","_self":"y","_etag":"z","_ts":1,"_attachments":"a","_mine":1}""");

        Json.Equal($$"""{"id":"{{id}}","pk":"p","_mine":1}""", written.Document.Body);
        Json.Equal($$"""{"id":"{{id}}","pk":"p","_mine":1}""", (await GetAsync(id, "p")).Document.Body);
    }

    [Fact]
    public virtual async Task The_same_id_in_two_partitions_is_two_documents()
    {
        var id = NewId();
        await UpsertAsync($$"""{"id":"{{id}}","pk":"a","who":"a"}""");
        await UpsertAsync($$"""{"id":"{{id}}","pk":"b","who":"b"}""");

        Assert.Equal("a", (await GetAsync(id, "a")).Document.Body.Fields["who"].StringValue);
        Assert.Equal("b", (await GetAsync(id, "b")).Document.Body.Fields["who"].StringValue);
    }

    [Fact]
    public virtual async Task Ids_are_case_sensitive()
    {
        var id = NewId();
        await UpsertAsync($$"""{"id":"{{id}}","pk":"p"}""");

        await RpcAssert.FailsAsync(StatusCode.NotFound, "DOCUMENT_NOT_FOUND", () => GetAsync(id.ToUpperInvariant(), "p"));
    }

    [Fact]
    public virtual async Task Unicode_ids_and_partition_keys_round_trip()
    {
        var id = "grüße-日本語-🙂-" + Guid.NewGuid().ToString("N")[..6];
        await UpsertAsync($$"""{"id":"{{id}}","pk":"ключ","text":"naïve ☕"}""");

        var read = await GetAsync(id, "ключ");
        Assert.Equal(id, read.Document.Id);
        Assert.Equal("naïve ☕", read.Document.Body.Fields["text"].StringValue);
    }

    [Fact]
    public virtual async Task An_id_of_1023_bytes_is_accepted_and_1024_is_not()
    {
        // 'é' is two UTF-8 bytes, so the limit is measured in bytes, not characters.
        var at1023 = new string('é', 511) + "x";
        var at1024 = new string('é', 512);
        Assert.Equal(1023, Encoding.UTF8.GetByteCount(at1023));

        await UpsertAsync($$"""{"id":"{{at1023}}","pk":"p"}""");
        Assert.Equal(at1023, (await GetAsync(at1023, "p")).Document.Id);

        await RpcAssert.InvalidAsync(() => UpsertAsync($$"""{"id":"{{at1024}}","pk":"p"}"""), "document.id");
        await RpcAssert.InvalidAsync(() => GetAsync(at1024, "p"), "id");
    }

    [Fact]
    public virtual async Task A_partition_key_of_2048_bytes_is_accepted_and_2049_is_not()
    {
        var id = NewId();
        var at2048 = new string('k', 2048);
        await UpsertAsync($$"""{"id":"{{id}}","pk":"{{at2048}}"}""");
        Assert.Equal(at2048, (await GetAsync(id, at2048)).Document.PartitionKey);

        await RpcAssert.InvalidAsync(() => UpsertAsync($$"""{"id":"{{id}}","pk":"{{at2048}}k"}"""), "document.pk");
        await RpcAssert.InvalidAsync(() => GetAsync(id, at2048 + "k"), "partition_key");
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("a\\\\b")]
    [InlineData("a?b")]
    [InlineData("a#b")]
    public virtual async Task Ids_with_forbidden_characters_are_rejected(string jsonId)
    {
        var id = Json.Value($"\"{jsonId}\"").StringValue;
        await RpcAssert.InvalidAsync(() => UpsertAsync($$"""{"id":"{{jsonId}}","pk":"p"}"""), "document.id");
        await RpcAssert.InvalidAsync(() => GetAsync(id, "p"), "id");
    }

    [Fact]
    public virtual async Task A_document_of_exactly_2_MB_is_stored_and_one_byte_more_is_rejected()
    {
        var id = NewId();
        var exact = DocumentOfSize(id, TwoMegabytes);
        var over = DocumentOfSize(id, TwoMegabytes + 1);

        var written = await _client.UpsertAsync(new UpsertRequest { Collection = "items", Document = exact });
        var read = await GetAsync(id, "p");
        Assert.Equal(exact.Fields["data"].StringValue.Length, read.Document.Body.Fields["data"].StringValue.Length);
        Assert.Equal(written.Document.Etag, read.Document.Etag);

        if (server.Store == "Embedded")
        {
            // The estimate: reads 1 RU per KB, writes 5 RU for the first KB and 1 RU for each further KB.
            Assert.Equal(2048, read.Info.RequestCharge);
            Assert.Equal(2052, written.Info.RequestCharge);
        }

        var violations = await RpcAssert.InvalidAsync(() => _client.UpsertAsync(new UpsertRequest { Collection = "items", Document = over }).ResponseAsync, "document");
        Assert.Contains((TwoMegabytes + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), violations.FieldViolations[0].Description, StringComparison.Ordinal);
        Assert.Equal(written.Document.Etag, (await GetAsync(id, "p")).Document.Etag);
    }

    [Fact]
    public virtual async Task A_nested_partition_key_path_is_read_from_the_document()
    {
        var id = NewId();
        await UpsertAsync($$$"""{"id":"{{{id}}}","customer":{"id":"c-7","name":"Ann"}}""", collection: "orders");

        var read = await GetAsync(id, "c-7", collection: "orders");
        Assert.Equal("c-7", read.Document.PartitionKey);
        await RpcAssert.FailsAsync(StatusCode.NotFound, "DOCUMENT_NOT_FOUND", () => GetAsync(id, "c-7", collection: "items"));
    }

    [Theory]
    [InlineData("""{"pk":"p"}""", "document.id")]
    [InlineData("""{"id":5,"pk":"p"}""", "document.id")]
    [InlineData("""{"id":"","pk":"p"}""", "document.id")]
    [InlineData("""{"id":"x"}""", "document.pk")]
    [InlineData("""{"id":"x","pk":7}""", "document.pk")]
    [InlineData("""{"id":"x","pk":null}""", "document.pk")]
    [InlineData("""{"id":"x","pk":""}""", "document.pk")]
    [InlineData("""{"id":null}""", "document.id", "document.pk")]
    public virtual async Task Upserts_without_a_valid_id_or_partition_key_are_rejected(string json, params string[] fields) =>
        await RpcAssert.InvalidAsync(() => UpsertAsync(json), fields);

    [Theory]
    [InlineData("""{"id":"x"}""")]
    [InlineData("""{"id":"x","customer":"c-7"}""")]
    [InlineData("""{"id":"x","customer":{"id":7}}""")]
    public virtual async Task Upserts_without_the_nested_partition_key_are_rejected(string json) =>
        await RpcAssert.InvalidAsync(() => UpsertAsync(json, collection: "orders"), "document.customer.id");

    [Fact]
    public virtual async Task An_upsert_without_a_document_is_rejected() =>
        await RpcAssert.InvalidAsync(() => _client.UpsertAsync(new UpsertRequest { Collection = "items" }).ResponseAsync, "document");

    [Fact]
    public virtual async Task Numbers_without_a_JSON_form_are_rejected_with_their_location()
    {
        var document = Json.Struct("""{"id":"nan","pk":"p","a":{"list":[1,2]}}""");
        document.Fields["a"].StructValue.Fields["list"].ListValue.Values.Add(Value.ForNumber(double.NaN));
        document.Fields["inf"] = Value.ForNumber(double.PositiveInfinity);

        var violations = await RpcAssert.InvalidAsync(
            () => _client.UpsertAsync(new UpsertRequest { Collection = "items", Document = document }).ResponseAsync,
            "document.a.list[2]");
        Assert.Contains("finite", violations.FieldViolations[0].Description, StringComparison.Ordinal);
        await AssertAbsentAsync("nan", "p");
    }

    [Fact]
    public virtual async Task A_value_without_a_kind_is_rejected()
    {
        var document = Json.Struct("""{"id":"kindless","pk":"p"}""");
        document.Fields["empty"] = new Value();

        await RpcAssert.InvalidAsync(() => _client.UpsertAsync(new UpsertRequest { Collection = "items", Document = document }).ResponseAsync, "document.empty");
    }

    [Fact]
    public virtual async Task Documents_nested_deeper_than_32_levels_are_rejected()
    {
        var id = NewId();
        await UpsertAsync($$"""{"id":"{{id}}","pk":"p","n":{{Nested(31)}}}""");
        await RpcAssert.InvalidAsync(() => UpsertAsync($$"""{"id":"{{id}}","pk":"p","n":{{Nested(32)}}}"""), "document.n" + string.Concat(Enumerable.Repeat(".a", 31)));
    }

    [Fact]
    public virtual async Task Upsert_with_the_current_etag_succeeds_and_with_another_is_aborted()
    {
        var id = NewId();
        var first = await UpsertAsync($$"""{"id":"{{id}}","pk":"p","v":1}""");
        var second = await UpsertAsync($$"""{"id":"{{id}}","pk":"p","v":2}""", ifMatch: first.Document.Etag);

        await RpcAssert.FailsAsync(StatusCode.Aborted, "ETAG_MISMATCH", () => UpsertAsync($$"""{"id":"{{id}}","pk":"p","v":3}""", ifMatch: first.Document.Etag));

        var read = await GetAsync(id, "p");
        Assert.Equal(2, read.Document.Body.Fields["v"].NumberValue);
        Assert.Equal(second.Document.Etag, read.Document.Etag);
    }

    [Fact]
    public virtual async Task Upsert_with_an_etag_for_an_absent_document_is_aborted_and_creates_nothing()
    {
        var id = NewId();
        await RpcAssert.FailsAsync(StatusCode.Aborted, "ETAG_MISMATCH", () => UpsertAsync($$"""{"id":"{{id}}","pk":"p"}""", ifMatch: "\"nope\""));
        await AssertAbsentAsync(id, "p");
    }

    [Fact]
    public virtual async Task Get_of_an_absent_document_is_not_found() =>
        await RpcAssert.FailsAsync(StatusCode.NotFound, "DOCUMENT_NOT_FOUND", () => GetAsync(NewId(), "p"));

    [Fact]
    public virtual async Task Unknown_collections_are_not_found_and_empty_ones_are_invalid()
    {
        await RpcAssert.FailsAsync(StatusCode.NotFound, "COLLECTION_NOT_FOUND", () => GetAsync("x", "p", collection: "nope"));
        await RpcAssert.FailsAsync(StatusCode.NotFound, "COLLECTION_NOT_FOUND", () => UpsertAsync("""{"id":"x","pk":"p"}""", collection: "Items"));
        await RpcAssert.InvalidAsync(() => GetAsync("x", "p", collection: ""), "collection");
    }

    [Fact]
    public virtual async Task Get_reports_every_bad_field_at_once()
    {
        var violations = await RpcAssert.InvalidAsync(() => GetAsync("", "", sessionToken: "garbage"), "id", "partition_key", "session_token");
        Assert.Contains("garbage", violations.FieldViolations.Single(v => v.Field == "session_token").Description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0:-1#12")]
    [InlineData("0:-1#12#1=5#2=7,1:3#99")]
    public virtual async Task Get_accepts_a_session_token_from_an_earlier_response(string token)
    {
        // Twelve writes at least, so that the token names a write the store has seen: one beyond its
        // newest is refused (READ_SESSION_NOT_AVAILABLE, Reliability/StoreFileTests).
        var id = NewId();
        for (var i = 0; i < 12; i++)
        {
            await UpsertAsync($$"""{"id":"{{id}}","pk":"p","n":{{i}}}""");
        }

        Assert.Equal(id, (await GetAsync(id, "p", sessionToken: token)).Document.Id);
    }

    [Theory]
    [InlineData("12")]
    [InlineData("0:-1")]
    [InlineData("0:x#1")]
    [InlineData("0:-1#1,0:-1#2")]
    [InlineData("0:-1#1#r=3")]
    public virtual async Task Get_rejects_a_malformed_session_token(string token) =>
        await RpcAssert.InvalidAsync(() => GetAsync("x", "p", sessionToken: token), "session_token");

    /// <summary>Checks that nothing is stored under <paramref name="id"/>: a Get is NOT_FOUND.</summary>
    protected virtual Task AssertAbsentAsync(string id, string partitionKey) =>
        RpcAssert.FailsAsync(StatusCode.NotFound, "DOCUMENT_NOT_FOUND", () => GetAsync(id, partitionKey));

    /// <summary>Whether the store under test returns session tokens; the Cosmos DB peer sends none.</summary>
    protected virtual bool ReturnsSessionTokens => true;

    private void AssertSessionToken(string token)
    {
        if (ReturnsSessionTokens)
        {
            Assert.Matches("^[0-9]+:-?[0-9]+#[0-9]+(#[0-9]+=[0-9]+)*(,[0-9]+:-?[0-9]+#[0-9]+(#[0-9]+=[0-9]+)*)*$", token);
        }
    }

    private static long Lsn(string token) => long.Parse(token[(token.LastIndexOf('#') + 1)..], System.Globalization.CultureInfo.InvariantCulture);

    private static string Nested(int levels) => string.Concat(Enumerable.Repeat("{\"a\":", levels)) + "1" + new string('}', levels);

    /// <summary>A document whose JSON form, as the server writes it, is exactly <paramref name="bytes"/> long.</summary>
    private static Struct DocumentOfSize(string id, int bytes)
    {
        var overhead = Encoding.UTF8.GetByteCount($$"""{"id":"{{id}}","pk":"p","data":""}""");
        return new Struct
        {
            Fields =
            {
                ["id"] = Value.ForString(id),
                ["pk"] = Value.ForString("p"),
                ["data"] = Value.ForString(new string('x', bytes - overhead)),
            },
        };
    }
}
