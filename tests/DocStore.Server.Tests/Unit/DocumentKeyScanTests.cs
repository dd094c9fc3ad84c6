extern alias server;

using System.Text;
using DocStore.Server.Tests.Infrastructure;
using Google.Protobuf;
using server::DocStore.Server.Api.Wire;
using server::DocStore.Server.Storage;

namespace DocStore.Server.Tests.Unit;

/// <summary>
/// The audit trail's scan for a document's id and partition key, against the full readers that define them: the same
/// keys wherever they sit in the document, in JSON and in a Struct, and nothing for bytes that are not a document.
/// </summary>
public sealed class DocumentKeyScanTests
{
    private static readonly JsonPointer Pk = JsonPointer.Parse("/pk");

    private static readonly JsonPointer CustomerId = JsonPointer.Parse("/customer/id");

    public static TheoryData<string, string, string?, string?> Documents => new()
    {
        { "/pk", """{"id":"a","pk":"p"}""", "a", "p" },
        { "/pk", """{"big":[1,{"id":"inner","pk":"inner"},[[]]],"n":{"pk":"nested","id":"nested"},"pk":"p","id":"a"}""", "a", "p" },
        { "/pk", """{"\u0069d":"escaped-name","pk":"caf\u00e9"}""", "escaped-name", "café" },
        { "/pk", """{"id":7,"pk":"p"}""", null, "p" },
        { "/pk", """{"pk":"p"}""", null, "p" },
        { "/customer/id", """{"customer":{"name":"x","tags":["id"],"id":"c-1"},"id":"o-1"}""", "o-1", "c-1" },
        { "/customer/id", """{"id":"o-2","customer":{"id":{"not":"a string"}}}""", "o-2", null },
        { "/customer/id", """{"id":"o-3","customer":"flat"}""", "o-3", null },
        { "/customer/id", """{"id":"o-4","customer":{"name":"no id"}}""", "o-4", null },
    };

    [Theory]
    [MemberData(nameof(Documents))]
    public void Finds_the_keys_the_full_readers_find_in_JSON_and_in_a_Struct(string path, string json, string? id, string? partitionKey)
    {
        var pointer = JsonPointer.Parse(path);
        var bytes = Encoding.UTF8.GetBytes(json);
        var full = JsonDocumentReader.Read(bytes, pointer).Keys;
        Assert.Equal((id, partitionKey), (full.Id, full.PartitionKey));

        var fromJson = DocumentKeyScan.Find(null, bytes, pointer)!;
        Assert.Equal((id, partitionKey), (fromJson.Id, fromJson.PartitionKey));
        var fromStruct = DocumentKeyScan.Find(Json.Struct(json).ToByteArray(), null, pointer)!;
        Assert.Equal((id, partitionKey), (fromStruct.Id, fromStruct.PartitionKey));
    }

    [Fact]
    public void Generated_documents_give_the_keys_they_were_made_with()
    {
        var generator = new DocumentGenerator(14);
        for (var i = 0; i < 50; i++)
        {
            var text = generator.Document("doc-" + i, "tenant-" + i, targetProperties: 1 + (i % 20));
            var json = Encoding.UTF8.GetBytes(text);
            var fromJson = DocumentKeyScan.Find(null, json, Pk)!;
            Assert.Equal(("doc-" + i, "tenant-" + i), (fromJson.Id, fromJson.PartitionKey));
            var fromStruct = DocumentKeyScan.Find(Json.Struct(text).ToByteArray(), null, Pk)!;
            Assert.Equal(("doc-" + i, "tenant-" + i), (fromStruct.Id, fromStruct.PartitionKey));
        }
    }

    [Fact]
    public void Stops_once_both_keys_are_found_so_what_follows_is_not_read()
    {
        // Everything after the keys is broken: the scan never gets there, while the full reader does.
        var json = Encoding.UTF8.GetBytes("""{"id":"first","customer":{"id":"c-9"},"rest":[1,2,""" + "{{{not json");
        var keys = DocumentKeyScan.Find(null, json, CustomerId)!;
        Assert.Equal(("first", "c-9"), (keys.Id, keys.PartitionKey));
        Assert.NotNull(JsonDocumentReader.Read(json, CustomerId).Problem);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[\"id\",\"pk\"]")]
    [InlineData("{\"x\":[1,2")]
    [InlineData("")]
    public void Bytes_that_are_not_a_JSON_object_give_no_keys(string text)
    {
        var keys = DocumentKeyScan.Find(null, Encoding.UTF8.GetBytes(text), Pk)!;
        Assert.Equal((null, null), (keys.Id, keys.PartitionKey));
    }

    [Fact]
    public void Bytes_that_are_not_a_Struct_give_no_keys_and_no_exception()
    {
        // A length that runs past the end, and a key whose value has no kind.
        var truncated = new byte[] { 0x0A, 0x7F, 0x0A, 0x02, (byte)'i', (byte)'d' };
        Assert.Null(DocumentKeyScan.Find(truncated, null, Pk)!.Id);
        var noKind = new byte[] { 0x0A, 0x06, 0x0A, 0x02, (byte)'i', (byte)'d', 0x12, 0x00 };
        Assert.Null(DocumentKeyScan.Find(noKind, null, Pk)!.Id);
    }

    [Fact]
    public void No_document_or_a_document_in_both_forms_gives_nothing()
    {
        var json = Encoding.UTF8.GetBytes("""{"id":"a","pk":"p"}""");
        Assert.Null(DocumentKeyScan.Find(null, null, Pk));
        Assert.Null(DocumentKeyScan.Find(Json.Struct("""{"id":"a","pk":"p"}""").ToByteArray(), json, Pk));
    }
}
