extern alias server;

using System.Buffers;
using System.Text;
using DocStore.Server.Tests.Infrastructure;
using server::DocStore.Server.Api;

namespace DocStore.Server.Tests.Unit;

public sealed class StructJsonTests
{
    private static string Write(string json)
    {
        var buffer = new ArrayBufferWriter<byte>();
        StructJsonWriter.WriteDocument(Json.Struct(json), buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Theory]
    [InlineData("""{"n":5}""", """{"n":5}""")]
    [InlineData("""{"n":-5.0}""", """{"n":-5}""")]
    [InlineData("""{"n":2.5}""", """{"n":2.5}""")]
    [InlineData("""{"n":9007199254740992}""", """{"n":9007199254740992}""")]
    [InlineData("""{"n":1e300}""", """{"n":1E+300}""")]
    public void Whole_numbers_are_written_as_integers(string input, string expected) =>
        Assert.Equal(expected, Write(input));

    [Fact]
    public void Strings_are_written_as_UTF_8_with_only_the_escapes_JSON_requires()
    {
        const string json = """{"s":"naïve <b>&amp; 日本 \"q\" \\ \n"}""";
        Assert.Equal(json, Write(json));
    }

    [Fact]
    public void Parsing_returns_what_was_written()
    {
        const string json = """{"a":[1,2.5,"x",true,false,null,{"b":{}}],"c":{"d":[]}}""";
        var buffer = new ArrayBufferWriter<byte>();
        StructJsonWriter.WriteDocument(Json.Struct(json), buffer);
        Json.Equal(json, StructJson.ParseStruct(buffer.WrittenSpan));
    }
}
