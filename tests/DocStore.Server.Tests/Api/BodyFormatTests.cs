using System.Text;
using DocStore.Server.Tests.Infrastructure;
using DocStore.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace DocStore.Server.Tests.Api;

/// <summary>
/// Documents as JSON bytes beside Struct, on every store: see <see cref="EmbeddedBodyFormatTests"/>
/// and <see cref="Cosmos.CosmosBodyFormatTests"/>. Both formats must return the same document for
/// the same stored bytes, whichever form it was written in.
/// </summary>
public abstract class BodyFormatTests(IContractServer server)
{
    private readonly DocStoreService.DocStoreServiceClient _client = server.Client;

    /// <summary>True where the store returns the JSON it was given byte for byte (the Cosmos peer re-serializes).</summary>
    protected virtual bool KeepsBytes => true;

    private static string NewId() => "fmt-" + Guid.NewGuid().ToString("N");

    private async Task<(GetResponse Json, GetResponse Struct)> GetBothAsync(string id, string partitionKey)
    {
        var json = await _client.GetAsync(new GetRequest { Collection = "items", Id = id, PartitionKey = partitionKey, BodyFormat = BodyFormat.Json });
        var structured = await _client.GetAsync(new GetRequest { Collection = "items", Id = id, PartitionKey = partitionKey, BodyFormat = BodyFormat.Struct });
        return (json, structured);
    }

    [Fact]
    public virtual async Task Generated_documents_read_the_same_through_both_formats_whichever_form_wrote_them()
    {
        var generator = new DocumentGenerator(seed: 17);
        for (var i = 0; i < 24; i++)
        {
            var id = NewId();
            var text = generator.Document(id, "p", targetProperties: 2 + i);
            var sent = Encoding.UTF8.GetBytes(text);
            var reference = JsonParser.Default.Parse<Struct>(text);
            var asJson = i % 2 == 0;
            var written = asJson
                ? await _client.UpsertAsync(new UpsertRequest { Collection = "items", DocumentJson = ByteString.CopyFrom(sent), BodyFormat = BodyFormat.Json })
                : await _client.UpsertAsync(new UpsertRequest { Collection = "items", Document = reference });

            var (json, structured) = await GetBothAsync(id, "p");

            Assert.Null(json.Document.Body);
            Assert.True(structured.Document.BodyJson.IsEmpty);
            var fromJson = JsonParser.Default.Parse<Struct>(json.Document.BodyJson.ToStringUtf8());
            Assert.Equal(structured.Document.Body, fromJson);
            Assert.Equal(structured.Document.Etag, json.Document.Etag);
            if (KeepsBytes)
            {
                Assert.Equal(reference, structured.Document.Body);
                if (asJson)
                {
                    Assert.Equal(text, json.Document.BodyJson.ToStringUtf8());
                    Assert.Equal(text, written.Document.BodyJson.ToStringUtf8());
                }
                else
                {
                    Assert.Equal(reference, written.Document.Body);
                }
            }
        }
    }

    [Fact]
    public virtual async Task Numbers_at_the_edges_read_the_same_through_both_formats()
    {
        var id = NewId();
        var text = $$"""{"id":"{{id}}","pk":"p","big":9007199254740993,"huge":123456789012345678901234567890,"e":1.5E-7,"E":2e300,"tiny":5e-324,"max":1.7976931348623157e308,"neg":-0,"frac":0.1}""";
        await _client.UpsertAsync(new UpsertRequest { Collection = "items", DocumentJson = ByteString.CopyFromUtf8(text) });

        var (json, structured) = await GetBothAsync(id, "p");

        var fromJson = JsonParser.Default.Parse<Struct>(json.Document.BodyJson.ToStringUtf8());
        foreach (var name in new[] { "big", "huge", "e", "E", "tiny", "max", "neg", "frac" })
        {
            Assert.Equal(
                BitConverter.DoubleToInt64Bits(fromJson.Fields[name].NumberValue),
                BitConverter.DoubleToInt64Bits(structured.Document.Body.Fields[name].NumberValue));
        }

        Assert.Equal(9007199254740992d, structured.Document.Body.Fields["big"].NumberValue);
    }

    [Fact]
    public virtual async Task JSON_system_properties_are_dropped_before_storing()
    {
        var id = NewId();
        var text = $$$"""{"_rid":"x","id":"{{{id}}}","_ts":1,"pk":"p","_etag":"e","keep":{"_rid":"nested"}}""";
        var written = await _client.UpsertAsync(new UpsertRequest { Collection = "items", DocumentJson = ByteString.CopyFromUtf8(text), BodyFormat = BodyFormat.Json });

        var (json, _) = await GetBothAsync(id, "p");

        var expected = $$$"""{"id":"{{{id}}}","pk":"p","keep":{"_rid":"nested"}}""";
        Json.Equal(expected, JsonParser.Default.Parse<Struct>(json.Document.BodyJson.ToStringUtf8()));
        Json.Equal(expected, JsonParser.Default.Parse<Struct>(written.Document.BodyJson.ToStringUtf8()));
        if (KeepsBytes)
        {
            Assert.Equal(expected, await server.ReadStoredJsonAsync("items", id, "p"));
        }
    }

    [Fact]
    public virtual async Task A_patch_returns_JSON_when_asked()
    {
        var id = NewId();
        await _client.UpsertAsync(new UpsertRequest { Collection = "items", DocumentJson = ByteString.CopyFromUtf8($$"""{"id":"{{id}}","pk":"p","n":1}""") });

        var patched = await _client.PatchAsync(new PatchRequest
        {
            Collection = "items",
            Id = id,
            PartitionKey = "p",
            BodyFormat = BodyFormat.Json,
            Operations = { new PatchOperation { Increment = new IncrementOperation { Path = "/n", By = 2 } } },
        });

        Assert.Null(patched.Document.Body);
        Json.Equal($$"""{"id":"{{id}}","pk":"p","n":3}""", JsonParser.Default.Parse<Struct>(patched.Document.BodyJson.ToStringUtf8()));
    }

    [Fact]
    public virtual async Task A_Struct_and_JSON_in_one_upsert_is_an_invalid_argument() =>
        await RpcAssert.InvalidAsync(
            () => _client.UpsertAsync(new UpsertRequest
            {
                Collection = "items",
                Document = Json.Struct("""{"id":"a","pk":"p"}"""),
                DocumentJson = ByteString.CopyFromUtf8("""{"id":"a","pk":"p"}"""),
            }).ResponseAsync,
            "document_json");

    [Theory]
    [InlineData("""{"id":"a","pk":"p","o":{"k":1,"k":2}}""", "document_json.o.k", "duplicate")]
    [InlineData("""{"id":"a","pk":"p","list":["\uD800"]}""", "document_json.list[0]", "surrogate")]
    [InlineData("""{"id":"a","pk":"p","n":}""", "document_json.n", "not valid JSON")]
    [InlineData("""["id","a"]""", "document_json", "must be a JSON object")]
    [InlineData("""{"id":"a/b","pk":"p"}""", "document_json.id", "must not contain '/'")]
    [InlineData("""{"pk":"p"}""", "document_json.id", "is required")]
    public virtual async Task Bad_JSON_documents_are_invalid_arguments_that_name_the_place(string text, string field, string reason)
    {
        var violations = await RpcAssert.InvalidAsync(
            () => _client.UpsertAsync(new UpsertRequest { Collection = "items", DocumentJson = ByteString.CopyFromUtf8(text) }).ResponseAsync,
            field);
        Assert.Contains(reason, violations.FieldViolations[0].Description, StringComparison.Ordinal);
    }

    [Fact]
    public virtual async Task A_nested_partition_key_is_required_in_JSON_too()
    {
        var violations = await RpcAssert.InvalidAsync(
            () => _client.UpsertAsync(new UpsertRequest { Collection = "orders", DocumentJson = ByteString.CopyFromUtf8("""{"id":"a","customer":{"name":"x"}}""") }).ResponseAsync,
            "document_json.customer.id");
        Assert.Equal("is required", violations.FieldViolations[0].Description);
    }

    [Fact]
    public virtual async Task A_document_over_2_MB_as_JSON_is_an_invalid_argument()
    {
        var text = $$"""{"id":"big","pk":"p","s":"{{new string('x', 2 * 1024 * 1024)}}"}""";
        var violations = await RpcAssert.InvalidAsync(
            () => _client.UpsertAsync(new UpsertRequest { Collection = "items", DocumentJson = ByteString.CopyFromUtf8(text) }).ResponseAsync,
            "document_json");
        Assert.Contains("2 MB", violations.FieldViolations[0].Description, StringComparison.Ordinal);
    }
}
