using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace DocStore.Server.Tests.Infrastructure;

/// <summary>Builds protobuf Structs and Values from JSON text, and compares them as JSON.</summary>
public static class Json
{
    public static Struct Struct(string json) => JsonParser.Default.Parse<Struct>(json);

    /// <summary>JSON text as the UTF-8 bytes of a <c>document_json</c> field.</summary>
    public static ByteString Bytes(string json) => ByteString.CopyFromUtf8(json);

    public static Value Value(string json) => JsonParser.Default.Parse<Value>(json);

    public static JsonNode? Node(IMessage message) => JsonNode.Parse(JsonFormatter.Default.Format(message));

    public static void Equal(string expectedJson, IMessage actual)
    {
        var expected = JsonNode.Parse(expectedJson);
        var got = Node(actual);
        Assert.True(JsonNode.DeepEquals(expected, got), $"Expected {expected?.ToJsonString()}\nbut got  {got?.ToJsonString()}");
    }
}
