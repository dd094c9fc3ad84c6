using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Google.Protobuf.WellKnownTypes;

namespace DocStore.Client.Internal;

/// <summary>Converts between .NET values (through System.Text.Json) and protobuf's <see cref="Struct"/> and <see cref="Value"/>.</summary>
internal static class StructJson
{
    /// <summary>Largest magnitude below which a whole double is written as a JSON integer, so it reads back into integer types.</summary>
    private const double MaxExactInteger = 9_007_199_254_740_992d;

    /// <summary>
    /// Gives options without a resolver the reflection-based one, as <see cref="JsonSerializer"/>'s own methods do on first
    /// use, where reflection is allowed; under native AOT or trimming with reflection off
    /// (<c>JsonSerializerIsReflectionEnabledByDefault=false</c>) the branch is removed, and the options' resolver (a
    /// source-generated context) must know each type: otherwise the call throws <see cref="NotSupportedException"/>
    /// naming the type.
    /// </summary>
    public static JsonSerializerOptions Prepare(JsonSerializerOptions options)
    {
        if (!options.IsReadOnly && options.TypeInfoResolver is null && JsonSerializer.IsReflectionEnabledByDefault)
        {
            // The shared reflection resolver, whose metadata cache every such options instance reuses; a resolver of
            // our own would build each type's metadata again per client.
            options.TypeInfoResolver = ReflectionResolver();
        }

        return options;
    }

    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Only reached when JsonSerializer.IsReflectionEnabledByDefault, a feature switch that trimming and native AOT turn off.")]
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Only reached when JsonSerializer.IsReflectionEnabledByDefault, a feature switch that native AOT turns off.")]
    private static IJsonTypeInfoResolver? ReflectionResolver() => JsonSerializerOptions.Default.TypeInfoResolver;

    /// <summary>The document as a Struct, for <c>document</c>.</summary>
    public static Struct ToStruct(object? document, JsonTypeInfo typeInfo)
    {
        using var json = JsonSerializer.SerializeToDocument(document, typeInfo);
        if (json.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException($"A document must serialize to a JSON object, but {typeInfo.Type} serialized to {json.RootElement.ValueKind}.", nameof(document));
        }

        return ToStruct(json.RootElement);
    }

    /// <summary>A Struct body read back as the type of <paramref name="typeInfo"/>.</summary>
    public static object? FromStruct(Struct? document, JsonTypeInfo typeInfo) => JsonSerializer.Deserialize(ToJsonBytes(document), typeInfo);

    /// <summary>A Struct body read back as <typeparamref name="T"/>.</summary>
    public static T FromStruct<T>(Struct? document, JsonTypeInfo<T> typeInfo) => JsonSerializer.Deserialize(ToJsonBytes(document), typeInfo)!;

    /// <summary>The document as UTF-8 JSON, for <c>document_json</c>: serialized once, sent as it is.</summary>
    public static Google.Protobuf.ByteString ToJson(object? document, JsonTypeInfo typeInfo)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(document, typeInfo);
        if (json.Length == 0 || json[0] != (byte)'{')
        {
            using var parsed = JsonDocument.Parse(json);
            throw new ArgumentException($"A document must serialize to a JSON object, but {typeInfo.Type} serialized to {parsed.RootElement.ValueKind}.", nameof(document));
        }

        return Google.Protobuf.UnsafeByteOperations.UnsafeWrap(json);
    }

    /// <summary>
    /// A patch or filter value as a protobuf Value. Strings, booleans and numbers are converted directly; other types
    /// go through the options' type information (a source-generated context answers for them under native AOT).
    /// </summary>
    public static Value ToValue(object? value, System.Type type, JsonSerializerOptions options)
    {
        switch (value)
        {
            case null:
                return Value.ForNull();
            case string text:
                return Value.ForString(text);
            case bool flag:
                return Value.ForBool(flag);
            case double or float or decimal or int or long or short or byte or sbyte or uint or ulong or ushort:
                var number = Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture);
                return double.IsFinite(number)
                    ? Value.ForNumber(number)
                    : throw new ArgumentException($"JSON has no {number}; a value must be a finite number.", nameof(value));
            default:
                using (var json = JsonSerializer.SerializeToDocument(value, options.GetTypeInfo(type)))
                {
                    return ToValue(json.RootElement);
                }
        }
    }

    private static ReadOnlySpan<byte> ToJsonBytes(Struct? document)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, document ?? new Struct());
        }

        return buffer.WrittenSpan;
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
