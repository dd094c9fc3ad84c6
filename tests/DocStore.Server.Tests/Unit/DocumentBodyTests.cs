extern alias server;

using System.Text;
using DocStore.Server.Tests.Infrastructure;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;
using server::DocStore.Server;
using server::DocStore.Server.Api;
using server::DocStore.Server.Storage;
using UpsertRequest = server::DocStore.V1.UpsertRequest;

namespace DocStore.Server.Tests.Unit;

/// <summary>Converting an upsert's document and validating the request are separate steps, and neither changes the request.</summary>
public sealed class DocumentBodyTests
{
    private const string WithSystemProperties = """{"id":"a","pk":"p","_rid":"x","_self":"y","_etag":"z","_ts":1,"_attachments":"a","_mine":{"_ts":2}}""";

    [Fact]
    public void The_body_leaves_out_top_level_system_properties_only()
    {
        var body = DocumentBody.FromStruct(Json.Struct(WithSystemProperties));

        Assert.Null(body.Problem);
        Assert.Equal("""{"id":"a","pk":"p","_mine":{"_ts":2}}""", Encoding.UTF8.GetString(body.Json));
    }

    [Fact]
    public void Converting_and_validating_leave_the_request_as_it_came()
    {
        var request = new UpsertRequest { Collection = "items", Document = Json.Struct(WithSystemProperties) };
        var before = request.Clone();
        var collections = new CollectionRegistry(Options.Create(new DocStoreOptions { Collections = { ["items"] = new CollectionOptions { PartitionKeyPath = "/pk" } } }));

        var body = DocumentBody.FromStruct(request.Document);
        var (collection, key) = RequestValidator.ValidateUpsert(request, body, collections);

        Assert.Equal(before, request);
        Assert.Equal("items", collection.Name);
        Assert.Equal(("a", "p"), (key.Id, key.PartitionKey));
    }

    [Fact]
    public void The_stored_form_is_a_copy_without_system_properties_or_the_document_itself_when_it_has_none()
    {
        var document = Json.Struct(WithSystemProperties);
        var stored = DocumentBody.WithoutSystemProperties(document);

        Assert.Equal(["id", "pk", "_mine"], stored.Fields.Keys);
        Assert.Equal(8, document.Fields.Count);

        var plain = Json.Struct("""{"id":"a","pk":"p"}""");
        Assert.Same(plain, DocumentBody.WithoutSystemProperties(plain));
    }

    [Fact]
    public void A_value_without_a_JSON_form_is_a_problem_of_the_body_with_its_location_not_an_exception()
    {
        var document = Json.Struct("""{"id":"a","pk":"p","a":{"b":1}}""");
        document.Fields["a"].StructValue.Fields["b"] = Value.ForNumber(double.NaN);

        var body = DocumentBody.FromStruct(document);

        Assert.Equal("document.a.b", body.ProblemField);
        Assert.Contains("finite", body.Problem, StringComparison.Ordinal);
        Assert.Empty(body.Json);
        Assert.Equal("document", DocumentBody.FromStruct(null).ProblemField);
    }
}
