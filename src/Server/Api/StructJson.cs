using System.Text.Json;
using System.Text.Json.Nodes;
using DocStore.Server.Storage;
using Google.Protobuf.WellKnownTypes;

namespace DocStore.Server.Api;

/// <summary>
/// Converts between <c>google.protobuf.Struct</c>/<c>Value</c> trees and JSON, where a tree is what the
/// contract holds: a patch's and a filter's values, and the documents of replies that carry several (ReadMany,
/// ExecuteBatch, Query, the change feed). Single documents travel through the streaming transcoders of
/// <c>Api/Wire</c> instead. Numbers are doubles in protobuf; whole numbers are written without a fraction, so an
/// integer in stays an integer out.
/// </summary>
internal static class StructJson
{
    // Doubles with magnitude below 2^53 that have no fraction are exactly representable as long.
    private const double MaxExactInteger = 9007199254740992d;

    /// <summary>Reads a JSON object into a <see cref="Struct"/>.</summary>
    public static Struct ParseStruct(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, DocumentJson.ReaderOptions);
        reader.Read();
        return ReadStruct(ref reader);
    }

    /// <summary>Converts a patch value into a JSON node.</summary>
    /// <param name="value">The value from the request.</param>
    /// <param name="depth">Nesting depth at which the value will sit in the document.</param>
    /// <exception cref="InvalidJsonValueException">A value cannot be represented in JSON, or nesting is too deep.</exception>
    public static JsonNode? ToJsonNode(Value value, int depth)
    {
        switch (value.KindCase)
        {
            case Value.KindOneofCase.NullValue:
                return null;
            case Value.KindOneofCase.BoolValue:
                return JsonValue.Create(value.BoolValue);
            case Value.KindOneofCase.StringValue:
                return JsonValue.Create(value.StringValue);
            case Value.KindOneofCase.NumberValue:
                return NumberNode(value.NumberValue);
            case Value.KindOneofCase.StructValue:
                CheckDepth(depth);
                var obj = new JsonObject();
                foreach (var (name, child) in value.StructValue.Fields)
                {
                    obj[name] = Nested(() => ToJsonNode(child, depth + 1), name);
                }

                return obj;
            case Value.KindOneofCase.ListValue:
                CheckDepth(depth);
                var array = new JsonArray();
                var values = value.ListValue.Values;
                for (var i = 0; i < values.Count; i++)
                {
                    var item = values[i];
                    array.Add(Nested(() => ToJsonNode(item, depth + 1), i));
                }

                return array;
            default:
                throw new InvalidJsonValueException("", "has no kind set (null, bool, number, string, struct or list)");
        }
    }

    /// <summary>A JSON number node: an integer when the double is a whole number that fits exactly.</summary>
    public static JsonValue NumberNode(double number)
    {
        if (!double.IsFinite(number))
        {
            throw new InvalidJsonValueException("", "is not a finite number (NaN and infinities have no JSON form)");
        }

        return IsExactInteger(number) ? JsonValue.Create((long)number) : JsonValue.Create(number);
    }

    /// <summary>
    /// True for whole numbers that a long holds exactly, except negative zero, which is written as
    /// <c>-0</c> so that what is stored reads back as what was sent.
    /// </summary>
    private static bool IsExactInteger(double number) =>
        double.IsInteger(number) && Math.Abs(number) <= MaxExactInteger && !(number == 0 && double.IsNegative(number));

    private static Struct ReadStruct(ref Utf8JsonReader reader)
    {
        var result = new Struct();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            reader.Read();
            result.Fields[name] = ReadValue(ref reader);
        }

        return result;
    }

    private static Value ReadValue(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                return Value.ForStruct(ReadStruct(ref reader));
            case JsonTokenType.StartArray:
                var list = new ListValue();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    list.Values.Add(ReadValue(ref reader));
                }

                return new Value { ListValue = list };
            case JsonTokenType.String:
                return Value.ForString(reader.GetString()!);
            case JsonTokenType.Number:
                return Value.ForNumber(reader.GetDouble());
            case JsonTokenType.True:
                return Value.ForBool(true);
            case JsonTokenType.False:
                return Value.ForBool(false);
            case JsonTokenType.Null:
                return Value.ForNull();
            default:
                throw new JsonException($"Unexpected JSON token {reader.TokenType} in a stored document.");
        }
    }

    private static JsonNode? Nested(Func<JsonNode?> convert, object segment)
    {
        try
        {
            return convert();
        }
        catch (InvalidJsonValueException e)
        {
            throw segment is int index ? e.Under(index) : e.Under((string)segment);
        }
    }

    private static void CheckDepth(int depth)
    {
        if (depth > DocumentLimits.MaxDepth)
        {
            throw new InvalidJsonValueException("", $"nests objects and arrays deeper than {DocumentLimits.MaxDepth} levels");
        }
    }
}
