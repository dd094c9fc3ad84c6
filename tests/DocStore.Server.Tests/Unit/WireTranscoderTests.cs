extern alias server;

using System.Buffers;
using System.Text;
using DocStore.Server.Tests.Infrastructure;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using server::DocStore.Server.Api;
using server::DocStore.Server.Api.Wire;
using server::DocStore.Server.Storage;

namespace DocStore.Server.Tests.Unit;

/// <summary>
/// The DOM-free transcoders against Google.Protobuf's own JSON parser and the Struct DOM, which
/// define what each form of a document means: over generated documents, and at every rule's edge.
/// </summary>
public sealed class WireTranscoderTests
{
    private static readonly JsonPointer Pk = JsonPointer.Parse("/pk");

    private static readonly JsonPointer CustomerId = JsonPointer.Parse("/customer/id");

    public static TheoryData<int> Seeds() => [.. Enumerable.Range(1, 40)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Generated_documents_mean_the_same_in_every_form(int seed)
    {
        var generator = new DocumentGenerator(seed);
        for (var i = 0; i < 25; i++)
        {
            var text = generator.Document("doc-" + i, "p", targetProperties: 1 + (i % 20));
            var json = Encoding.UTF8.GetBytes(text);

            // JSON in: accepted as it is, keys found.
            var reading = JsonDocumentReader.Read(json, Pk);
            Assert.Null(reading.Problem);
            Assert.Equal(json, reading.Body.ToArray());
            Assert.Equal("doc-" + i, reading.Keys.Id);
            Assert.Equal("p", reading.Keys.PartitionKey);

            // Stored JSON to Struct bytes: what Google.Protobuf writes for its own parse of the JSON.
            var reference = JsonParser.Default.Parse<Struct>(text);
            var structBytes = ToStructBytes(json);
            Assert.Equal(reference.ToByteArray(), structBytes);

            // Struct bytes to JSON: what the Struct DOM path writes, and the same Struct once more.
            var written = StructToJsonBytes(structBytes, Pk);
            var dom = new ArrayBufferWriter<byte>();
            StructJsonWriter.WriteDocument(Struct.Parser.ParseFrom(structBytes), dom);
            Assert.Equal(Encoding.UTF8.GetString(dom.WrittenSpan), Encoding.UTF8.GetString(written));
            Assert.Equal(structBytes, ToStructBytes(written));
            Assert.Equal(reference, JsonParser.Default.Parse<Struct>(Encoding.UTF8.GetString(written)));
        }
    }

    [Theory]
    [InlineData("""{"id":"a","pk":"p","n":9007199254740993}""")]
    [InlineData("""{"id":"a","pk":"p","n":-0}""")]
    [InlineData("""{"id":"a","pk":"p","n":-0.0}""")]
    [InlineData("""{"id":"a","pk":"p","n":1E+300}""")]
    [InlineData("""{"id":"a","pk":"p","n":123456789012345678901234567890}""")]
    [InlineData("""{"id":"a","pk":"p","n":5e-324}""")]
    public void Numbers_become_the_double_Google_Protobuf_parses(string text)
    {
        var structBytes = ToStructBytes(Encoding.UTF8.GetBytes(text));
        var parsed = Struct.Parser.ParseFrom(structBytes).Fields["n"].NumberValue;
        var reference = JsonParser.Default.Parse<Struct>(text).Fields["n"].NumberValue;
        Assert.Equal(BitConverter.DoubleToInt64Bits(reference), BitConverter.DoubleToInt64Bits(parsed));
    }

    [Fact]
    public void Negative_zero_stays_negative_through_Struct_to_JSON()
    {
        var document = new Struct { Fields = { ["id"] = Value.ForString("a"), ["pk"] = Value.ForString("p"), ["z"] = Value.ForNumber(-0.0) } };
        Assert.Equal("""{"id":"a","pk":"p","z":-0}""", Encoding.UTF8.GetString(StructToJsonBytes(document.ToByteArray(), Pk)));
    }

    [Theory]
    [InlineData("""{"id":"a","pk":"p","_rid":"r","x":1}""", """{"id":"a","pk":"p","x":1}""")]
    [InlineData("""{"_rid":"r","id":"a","pk":"p"}""", """{"id":"a","pk":"p"}""")]
    [InlineData("""{ "_rid" : "r" , "_ts":1,"id":"a","pk":"p"}""", """{ "id":"a","pk":"p"}""")]
    [InlineData("""{"id":"a","pk":"p","_etag":"e","_self":{"x":[1,{"_ts":2}]},"_attachments":"x"}""", """{"id":"a","pk":"p"}""")]
    [InlineData("""{"id":"a","_ts":5,"pk":"p","n":{"_rid":1}}""", """{"id":"a","pk":"p","n":{"_rid":1}}""")]
    public void JSON_system_properties_are_cut_out_at_the_root_only(string input, string expected)
    {
        var reading = JsonDocumentReader.Read(Encoding.UTF8.GetBytes(input), Pk);
        Assert.Null(reading.Problem);
        Assert.Equal(expected, Encoding.UTF8.GetString(reading.Body.Span));
    }

    [Fact]
    public void A_document_of_only_system_properties_is_an_empty_object_without_keys()
    {
        var reading = JsonDocumentReader.Read("""{"_rid":"r","_ts":1}"""u8.ToArray(), Pk);
        Assert.Equal("{}", Encoding.UTF8.GetString(reading.Body.Span));
        Assert.Equal("is required", reading.Keys.IdProblem);
        Assert.Equal("is required", reading.Keys.PartitionKeyProblem);
    }

    [Fact]
    public void Struct_system_properties_are_dropped_from_the_JSON_and_from_the_echoed_bytes()
    {
        var document = JsonParser.Default.Parse<Struct>("""{"_rid":"r","id":"a","pk":"p","_ts":1,"n":{"_rid":1}}""");
        var bytes = document.ToByteArray();
        var reading = StructToJson.Transcode(bytes, Pk, new ArrayBufferWriter<byte>());
        Assert.Equal("""{"id":"a","pk":"p","n":{"_rid":1}}""", Encoding.UTF8.GetString(reading.Reading.Body.Span));
        var echoed = Struct.Parser.ParseFrom(StructToJson.WithoutDropped(bytes, reading.Dropped).ToArray());
        Assert.Equal(JsonParser.Default.Parse<Struct>("""{"id":"a","pk":"p","n":{"_rid":1}}"""), echoed);
    }

    [Theory]
    [InlineData("""{"id":"a","pk":"p","a":1,"a":2}""", "a", "is a duplicate property name")]
    [InlineData("""{"id":"a","pk":"p","a":1,"\u0061":2}""", "a", "is a duplicate property name")]
    [InlineData("""{"id":"a","pk":"p","o":{"x":[{"k":1,"k":1}]}}""", "o.x[0].k", "is a duplicate property name")]
    [InlineData("""{"id":"a","pk":"p","s":"\uD800"}""", "s", "lone UTF-16 surrogate")]
    [InlineData("""{"id":"a","pk":"p","s":"\uDC00\uD800"}""", "s", "lone UTF-16 surrogate")]
    [InlineData("""{"id":"a","pk":"p","s":["ok","x\uD83Dy"]}""", "s[1]", "lone UTF-16 surrogate")]
    [InlineData("""{"id":"a","pk":"p","\uDFFF":1}""", "", "lone UTF-16 surrogate")]
    [InlineData("""{"id":"a","pk":"p","s":"\uD83D\uDE00 fine","t":"\uD83D\n"}""", "t", "lone UTF-16 surrogate")]
    [InlineData("""{"id":"a","pk":"p","n":1e400}""", "n", "finite")]
    [InlineData("""{"id":"a","pk":"p","n":-1E309}""", "n", "finite")]
    [InlineData("""{"id":"a","pk":"p","n":[1,2,}""", "n[1]", "not valid JSON")]
    [InlineData("""{"id":"a","pk":"p"} x""", "", "not valid JSON")]
    [InlineData("""{"id":"a","pk":"p",}""", "pk", "not valid JSON")]
    [InlineData("""{"id":"a","pk":"p" /* c */}""", "pk", "not valid JSON")]
    [InlineData("""[{"id":"a","pk":"p"}]""", "", "must be a JSON object, not a list")]
    [InlineData("\"text\"", "", "must be a JSON object, not a string")]
    [InlineData("", "", "not valid JSON")]
    public void JSON_that_breaks_a_rule_is_refused_with_where(string input, string path, string reason)
    {
        var problem = JsonDocumentReader.Read(Encoding.UTF8.GetBytes(input), Pk).Problem;
        Assert.NotNull(problem);
        Assert.Equal(path, problem.Path);
        Assert.Contains(reason, problem.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_UTF_8_is_refused_in_values_and_names()
    {
        byte[] value = [.. """{"id":"a","pk":"p","s":"x"""u8, 0xC3, .. "\"}"u8];
        Assert.Equal(("s", "has a string that is not valid UTF-8"), Problem(value));
        byte[] name = [.. """{"id":"a","pk":"p","x"""u8, 0xFF, .. "\":1}"u8];
        Assert.Contains("property name that is not valid UTF-8", JsonDocumentReader.Read(name, Pk).Problem!.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Nesting_to_32_levels_is_accepted_and_33_refused_in_both_forms()
    {
        var ok = Nested(32);
        Assert.Null(JsonDocumentReader.Read(Encoding.UTF8.GetBytes(ok), Pk).Problem);
        Assert.Null(StructToJson.Transcode(JsonParser.Default.Parse<Struct>(ok).ToByteArray(), Pk, new ArrayBufferWriter<byte>()).Reading.Problem);

        var deep = Nested(33);
        var expectedPath = "a" + string.Concat(Enumerable.Repeat("[0].a", 15)) + "[0]";
        var json = JsonDocumentReader.Read(Encoding.UTF8.GetBytes(deep), Pk).Problem!;
        Assert.Equal((expectedPath, DocumentRules.TooDeep), (json.Path, json.Reason));

        // The Struct path names the same place; the DOM converter refused the same documents.
        var deepStruct = JsonParser.Default.Parse<Struct>(Nested(31));
        var protoProblem = StructToJson.Transcode(AddLevels(deepStruct, 2).ToByteArray(), Pk, new ArrayBufferWriter<byte>()).Reading.Problem!;
        Assert.Equal(DocumentRules.TooDeep, protoProblem.Reason);
        Assert.Throws<InvalidJsonValueException>(() => StructJsonWriter.WriteDocument(AddLevels(deepStruct, 2), new ArrayBufferWriter<byte>()));
    }

    [Theory]
    [InlineData("""{"pk":"p"}""", "is required", null)]
    [InlineData("""{"id":5,"pk":"p"}""", "must be a string, not a number", null)]
    [InlineData("""{"id":"a"}""", null, "is required")]
    [InlineData("""{"id":"a","pk":["p"]}""", null, "must be a string, not a list")]
    [InlineData("""{"id":"a","other":{"pk":"x"}}""", null, "is required")]
    public void Missing_or_mistyped_keys_are_named(string input, string? idProblem, string? keyProblem)
    {
        foreach (var keys in BothForms(input, Pk))
        {
            Assert.Equal(idProblem, keys.IdProblem);
            Assert.Equal(keyProblem, keys.PartitionKeyProblem);
        }
    }

    [Theory]
    [InlineData("""{"id":"a","customer":{"name":"n","id":"c-1"}}""", "c-1", null)]
    [InlineData("""{"id":"a","x":{"customer":{"id":"no"}},"customer":{"id":"c-2"}}""", "c-2", null)]
    [InlineData("""{"id":"a","customer":{"name":"n"}}""", null, "is required")]
    [InlineData("""{"id":"a","customer":"c"}""", null, "is required, but 'customer' is a string, not an object")]
    [InlineData("""{"id":"a","customer":{"id":{"v":1}}}""", null, "must be a string, not an object")]
    [InlineData("""{"id":"a"}""", null, "is required")]
    public void A_nested_partition_key_is_found_where_its_path_says(string input, string? key, string? problem)
    {
        foreach (var keys in BothForms(input, CustomerId))
        {
            Assert.Equal(key, keys.PartitionKey);
            Assert.Equal(problem, keys.PartitionKeyProblem);
            Assert.Equal("a", keys.Id);
        }
    }

    [Fact]
    public void A_Struct_that_breaks_a_rule_is_refused_with_where()
    {
        var nan = JsonParser.Default.Parse<Struct>("""{"id":"a","pk":"p","list":[1,{"x":2}]}""");
        nan.Fields["list"].ListValue.Values[1].StructValue.Fields["x"] = Value.ForNumber(double.NaN);
        Assert.Equal(("list[1].x", DocumentRules.NotFinite), StructProblem(nan.ToByteArray()));

        var unset = JsonParser.Default.Parse<Struct>("""{"id":"a","pk":"p"}""");
        unset.Fields["u"] = new Value();
        Assert.Equal("u", StructProblem(unset.ToByteArray()).Path);

        // A map key twice on the wire (no protobuf serializer writes this; the DOM would keep the last).
        var once = JsonParser.Default.Parse<Struct>("""{"id":"a","pk":"p","k":1}""").ToByteArray();
        var entry = JsonParser.Default.Parse<Struct>("""{"k":2}""").ToByteArray();
        Assert.Equal(("k", "is a duplicate property name"), StructProblem([.. once, .. entry]));

        Assert.Contains("not a valid google.protobuf.Struct", StructProblem([0x0A, 0x05, 0x0A]).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_document_over_2_MB_is_refused_in_both_forms()
    {
        var big = $$"""{"id":"a","pk":"p","s":"{{new string('x', DocumentLimits.MaxDocumentBytes)}}"}""";
        Assert.Contains("the limit is 2097152 bytes", JsonDocumentReader.Read(Encoding.UTF8.GetBytes(big), Pk).Problem!.Reason, StringComparison.Ordinal);
        Assert.Contains("the limit is 2097152 bytes", StructProblem(JsonParser.Default.Parse<Struct>(big).ToByteArray()).Reason, StringComparison.Ordinal);

        // Exactly at the limit after the system properties are cut out.
        var padding = DocumentLimits.MaxDocumentBytes - """{"id":"a","pk":"p","s":""}""".Length;
        var atLimit = $$"""{"id":"a","_rid":"r","pk":"p","s":"{{new string('x', padding)}}"}""";
        var reading = JsonDocumentReader.Read(Encoding.UTF8.GetBytes(atLimit), Pk);
        Assert.Null(reading.Problem);
        Assert.Equal(DocumentLimits.MaxDocumentBytes, reading.Body.Length);
    }

    [Fact]
    public void Objects_with_many_properties_still_find_duplicates()
    {
        var names = string.Join(",", Enumerable.Range(0, 40).Select(i => $"\"n{i}\":{i}"));
        Assert.Null(JsonDocumentReader.Read(Encoding.UTF8.GetBytes($$"""{"id":"a","pk":"p",{{names}}}"""), Pk).Problem);
        var problem = JsonDocumentReader.Read(Encoding.UTF8.GetBytes("""{"id":"a","pk":"p","o":{""" + names + ""","n3":1}}"""), Pk).Problem!;
        Assert.Equal(("o.n3", "is a duplicate property name"), (problem.Path, problem.Reason));
    }

    private static (string Path, string Reason) Problem(byte[] json) =>
        JsonDocumentReader.Read(json, Pk).Problem is { } p ? (p.Path, p.Reason) : ("", "");

    private static (string Path, string Reason) StructProblem(byte[] structBytes) =>
        StructToJson.Transcode(structBytes, Pk, new ArrayBufferWriter<byte>()).Reading.Problem is { } p ? (p.Path, p.Reason) : ("", "");

    private static IEnumerable<DocumentKeys> BothForms(string json, JsonPointer partitionKeyPath)
    {
        yield return JsonDocumentReader.Read(Encoding.UTF8.GetBytes(json), partitionKeyPath).Keys;
        yield return StructToJson.Transcode(JsonParser.Default.Parse<Struct>(json).ToByteArray(), partitionKeyPath, new ArrayBufferWriter<byte>()).Reading.Keys;
    }

    internal static byte[] ToStructBytes(byte[] json)
    {
        using var layout = JsonToStruct.Measure(json);
        var bytes = new byte[layout.Length];
        var writer = new ProtoWriter(bytes);
        layout.WriteTo(ref writer);
        Assert.Equal(bytes.Length, writer.Position);
        return bytes;
    }

    private static byte[] StructToJsonBytes(byte[] structBytes, JsonPointer partitionKeyPath)
    {
        var reading = StructToJson.Transcode(structBytes, partitionKeyPath, new ArrayBufferWriter<byte>());
        Assert.Null(reading.Reading.Problem);
        return reading.Reading.Body.ToArray();
    }

    /// <summary>A document whose property "a" holds objects and lists alternating, <paramref name="levels"/> levels in all.</summary>
    private static string Nested(int levels)
    {
        var json = new StringBuilder("""{"id":"a","pk":"p","a":""");
        for (var level = 2; level <= levels; level++)
        {
            json.Append(level % 2 == 0 ? "[" : "{\"a\":");
        }

        json.Append('1');
        for (var level = levels; level >= 2; level--)
        {
            json.Append(level % 2 == 0 ? "]" : "}");
        }

        return json.Append('}').ToString();
    }

    private static Struct AddLevels(Struct document, int levels)
    {
        var value = document.Fields["a"];
        for (var i = 0; i < levels; i++)
        {
            value = Value.ForList(value);
        }

        var result = document.Clone();
        result.Fields["a"] = value;
        return result;
    }
}
