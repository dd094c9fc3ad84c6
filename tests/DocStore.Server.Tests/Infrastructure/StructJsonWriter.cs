extern alias server;

using System.Buffers;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using server::DocStore.Server.Api;
using server::DocStore.Server.Storage;

namespace DocStore.Server.Tests.Infrastructure;

/// <summary>
/// A <c>Struct</c> tree written as JSON the slow, obvious way: the reference the streaming transcoders of
/// <c>Api/Wire</c> are compared with. Numbers follow the server's own rule (<see cref="StructJson.NumberNode"/>).
/// </summary>
internal static class StructJsonWriter
{
    /// <summary>Writes <paramref name="document"/> as JSON.</summary>
    /// <exception cref="InvalidJsonValueException">A value cannot be represented in JSON, or nesting is too deep.</exception>
    public static void WriteDocument(Struct document, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, DocumentJson.WriterOptions);
        WriteStruct(writer, document, depth: 1);
    }

    private static void WriteStruct(Utf8JsonWriter writer, Struct value, int depth)
    {
        CheckDepth(depth);
        writer.WriteStartObject();
        foreach (var (name, child) in value.Fields)
        {
            writer.WritePropertyName(name);
            try
            {
                WriteValue(writer, child, depth);
            }
            catch (InvalidJsonValueException e)
            {
                throw e.Under(name);
            }
        }

        writer.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter writer, Value value, int depth)
    {
        switch (value.KindCase)
        {
            case Value.KindOneofCase.NullValue:
                writer.WriteNullValue();
                break;
            case Value.KindOneofCase.BoolValue:
                writer.WriteBooleanValue(value.BoolValue);
                break;
            case Value.KindOneofCase.StringValue:
                writer.WriteStringValue(value.StringValue);
                break;
            case Value.KindOneofCase.NumberValue:
                StructJson.NumberNode(value.NumberValue).WriteTo(writer);
                break;
            case Value.KindOneofCase.StructValue:
                WriteStruct(writer, value.StructValue, depth + 1);
                break;
            case Value.KindOneofCase.ListValue:
                CheckDepth(depth + 1);
                writer.WriteStartArray();
                var values = value.ListValue.Values;
                for (var i = 0; i < values.Count; i++)
                {
                    try
                    {
                        WriteValue(writer, values[i], depth + 1);
                    }
                    catch (InvalidJsonValueException e)
                    {
                        throw e.Under(i);
                    }
                }

                writer.WriteEndArray();
                break;
            default:
                throw new InvalidJsonValueException("", "has no kind set (null, bool, number, string, struct or list)");
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
