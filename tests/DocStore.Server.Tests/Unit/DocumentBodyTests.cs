extern alias server;

using System.Text;
using DocStore.Server.Tests.Infrastructure;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;
using server::DocStore.Server;
using server::DocStore.Server.Api;
using server::DocStore.Server.Api.Wire;
using server::DocStore.Server.Storage;
using UpsertRequest = server::DocStore.V1.UpsertRequest;

namespace DocStore.Server.Tests.Unit;

/// <summary>Converting an upsert's document and validating the request are separate steps, and neither changes the request.</summary>
public sealed class DocumentBodyTests
{
    private const string WithSystemProperties = """{"id":"a","pk":"p","_rid":"x","_self":"y","_etag":"z","_ts":1,"_attachments":"a","_mine":{"_ts":2}}""";

    private static readonly CollectionRegistry Collections =
        new(Options.Create(new DocStoreOptions { Collections = { ["items"] = new CollectionOptions { PartitionKeyPath = "/pk" } } }));

    private static CollectionDefinition Items => Collections.TryGet("items", out var items) ? items : throw new InvalidOperationException();

    private static DocumentInput<UpsertRequest> Parse(UpsertRequest request) => DocumentInput<UpsertRequest>.Parse(request.ToByteArray());

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_body_leaves_out_top_level_system_properties_only(bool asJson)
    {
        var request = asJson
            ? new UpsertRequest { Collection = "items", DocumentJson = ByteString.CopyFromUtf8(WithSystemProperties) }
            : new UpsertRequest { Collection = "items", Document = Json.Struct(WithSystemProperties) };

        var body = DocumentBody.Read(Parse(request), Items);

        Assert.Null(body.Problem);
        Assert.Equal(asJson ? "document_json" : "document", body.Field);
        Assert.Equal("""{"id":"a","pk":"p","_mine":{"_ts":2}}""", Encoding.UTF8.GetString(body.Json.Span));
    }

    [Fact]
    public void Converting_and_validating_leave_the_request_as_it_came()
    {
        var request = new UpsertRequest { Collection = "items", Document = Json.Struct(WithSystemProperties) };
        var bytes = request.ToByteArray();
        var input = DocumentInput<UpsertRequest>.Parse(bytes);
        var before = (byte[])bytes.Clone();

        var body = DocumentBody.Read(input, Items);
        var command = CommandBinder.BindUpsert(input.Request, body, Collections);

        Assert.Equal(before, bytes);
        Assert.Equal("items", command.Collection.Name);
        Assert.Equal(("a", "p"), (command.Key.Id, command.Key.PartitionKey));
    }

    [Fact]
    public void A_Struct_body_echoes_its_own_encoding_without_system_properties()
    {
        var body = DocumentBody.Read(Parse(new UpsertRequest { Collection = "items", Document = Json.Struct(WithSystemProperties) }), Items);
        var echoed = Struct.Parser.ParseFrom(body.StructEncoding!.Value.ToArray());
        Assert.Equal(["id", "pk", "_mine"], echoed.Fields.Keys);

        var plain = Json.Struct("""{"id":"a","pk":"p"}""");
        Assert.Equal(plain.ToByteArray(), DocumentBody.Read(Parse(new UpsertRequest { Collection = "items", Document = plain }), Items).StructEncoding!.Value.ToArray());
        Assert.Null(DocumentBody.Read(Parse(new UpsertRequest { Collection = "items", DocumentJson = ByteString.CopyFromUtf8("""{"id":"a","pk":"p"}""") }), Items).StructEncoding);
    }

    [Fact]
    public void A_value_without_a_JSON_form_is_a_problem_of_the_body_with_its_location_not_an_exception()
    {
        var document = Json.Struct("""{"id":"a","pk":"p","a":{"b":1}}""");
        document.Fields["a"].StructValue.Fields["b"] = Value.ForNumber(double.NaN);

        var body = DocumentBody.Read(Parse(new UpsertRequest { Collection = "items", Document = document }), Items);

        Assert.Equal("document.a.b", body.ProblemField);
        Assert.Contains("finite", body.Problem, StringComparison.Ordinal);
        Assert.True(body.Json.IsEmpty);
        Assert.Equal("document", DocumentBody.Read(Parse(new UpsertRequest { Collection = "items" }), Items).ProblemField);
        Assert.Equal("document_json", DocumentBody.Read(Parse(new UpsertRequest { Collection = "items", Document = document, DocumentJson = ByteString.CopyFromUtf8("{}") }), Items).ProblemField);
    }
}
