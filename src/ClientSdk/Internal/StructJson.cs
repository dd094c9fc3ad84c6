using System.Buffers;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;

namespace DocStore.Client.Internal;

/// <summary>Converts between .NET values (through System.Text.Json) and protobuf's <see cref="Struct"/> and <see cref="Value"/>.</summary>
internal static class StructJson
{
    /// <summary>Largest magnitude below which a whole double is written as a JSON integer, so it reads back into integer types.</summary>
    private const double MaxExactInteger = 9_007_199_254_740_992d;

    public static Struct ToStruct<T>(T document, JsonSerializerOptions options)
    {
        using var json = JsonSerializer.SerializeToDocument(document, options);
        if (json.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException($"A document must serialize to a JSON object, but {typeof(T)} serialized to {json.RootElement.ValueKind}.", nameof(document));
        }

        return ToStruct(json.RootElement);
    }

    public static Struct ToStruct(object document, System.Type type, JsonSerializerOptions options)
    {
        using var json = JsonSerializer.SerializeToDocument(document, type, options);
        if (json.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException($"A document must serialize to a JSON object, but {type} serialized to {json.RootElement.ValueKind}.", nameof(document));
        }

        return ToStruct(json.RootElement);
    }

    public static object? FromStruct(Struct? document, System.Type type, JsonSerializerOptions options)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, document ?? new Struct());
        }

        return JsonSerializer.Deserialize(buffer.WrittenSpan, type, options);
    }

    /// <summary>The document as UTF-8 JSON, for <c>document_json</c>: serialized once, sent as it is.</summary>
    public static Google.Protobuf.ByteString ToJson<T>(T document, JsonSerializerOptions options) =>
        ToJson(document, typeof(T), options);

    /// <summary>The document of type <paramref name="type"/> as UTF-8 JSON, for <c>document_json</c>.</summary>
    public static Google.Protobuf.ByteString ToJson(object? document, System.Type type, JsonSerializerOptions options)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(document, type, options);
        if (json.Length == 0 || json[0] != (byte)'{')
        {
            using var parsed = JsonDocument.Parse(json);
            throw new ArgumentException($"A document must serialize to a JSON object, but {type} serialized to {parsed.RootElement.ValueKind}.", nameof(document));
        }

        return Google.Protobuf.UnsafeByteOperations.UnsafeWrap(json);
    }

    public static Value ToValue(object? value, System.Type type, JsonSerializerOptions options)
    {
        using var json = JsonSerializer.SerializeToDocument(value, type, options);
        return ToValue(json.RootElement);
    }

    public static T FromStruct<T>(Struct? document, JsonSerializerOptions options)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, document ?? new Struct());
        }

        return JsonSerializer.Deserialize<T>(buffer.WrittenSpan, options)!;
    }

    private static Struct ToStruct(JsonElement element)
    {
        var result = new Struct();
        foreach (var property in element.EnumerateObject())
        {
            result.Fields[property.Name] = ToValue(property.Value);
        }

        return result;
    }

    private static Value ToValue(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => Value.ForStruct(ToStruct(element)),
        JsonValueKind.Array => Value.ForList([.. element.EnumerateArray().Select(ToValue)]),
        JsonValueKind.String => Value.ForString(element.GetString()!),
        JsonValueKind.Number => Value.ForNumber(element.GetDouble()),
        JsonValueKind.True => Value.ForBool(true),
        JsonValueKind.False => Value.ForBool(false),
        _ => Value.ForNull(),
    };

    private static void Write(Utf8JsonWriter writer, Struct document)
    {
        writer.WriteStartObject();
        foreach (var (name, value) in document.Fields)
        {
            writer.WritePropertyName(name);
            Write(writer, value);
        }

        writer.WriteEndObject();
    }

    private static void Write(Utf8JsonWriter writer, Value value)
    {
        switch (value.KindCase)
        {
            case Value.KindOneofCase.StructValue:
                Write(writer, value.StructValue);
                break;
            case Value.KindOneofCase.ListValue:
                writer.WriteStartArray();
                foreach (var item in value.ListValue.Values)
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            case Value.KindOneofCase.StringValue:
                writer.WriteStringValue(value.StringValue);
                break;
            case Value.KindOneofCase.NumberValue:
                var number = value.NumberValue;
                if (Math.Abs(number) <= MaxExactInteger && Math.Floor(number) == number)
                {
                    writer.WriteNumberValue((long)number);
                }
                else
                {
                    writer.WriteNumberValue(number);
                }

                break;
            case Value.KindOneofCase.BoolValue:
                writer.WriteBooleanValue(value.BoolValue);
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }
}
