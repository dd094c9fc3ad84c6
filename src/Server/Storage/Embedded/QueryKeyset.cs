using System.Buffers;
using System.Text;
using System.Text.Json;

namespace DocStore.Server.Storage.Embedded;

/// <summary>
/// The embedded store's page tokens: the keys of a page's last row, so that the next page starts strictly after
/// it in the query's total order (see <see cref="EmbeddedQuerySql.Query"/>).
/// </summary>
internal static class QueryKeyset
{
    /// <summary>The keyset of a page's last row: its sort keys (rank and value per path), partition key and id, as JSON.</summary>
    public static string Write(object[] sortValues, DocumentKey key)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var value in sortValues)
            {
                switch (value)
                {
                    case long whole:
                        writer.WriteNumberValue(whole);
                        break;
                    case double number:
                        writer.WriteNumberValue(number);
                        break;
                    default:
                        writer.WriteStringValue((string)value);
                        break;
                }
            }

            writer.WriteStringValue(key.PartitionKey);
            writer.WriteStringValue(key.Id);
            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Parses a keyset written by <see cref="Write"/>, or returns <see langword="null"/>.</summary>
    public static object[]? Parse(string text, int sortKeys)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array || root.GetArrayLength() != (sortKeys * 2) + 2)
            {
                return null;
            }

            var values = new object[root.GetArrayLength()];
            for (var i = 0; i < values.Length; i++)
            {
                var element = root[i];
                values[i] = element.ValueKind switch
                {
                    JsonValueKind.Number when i < sortKeys * 2 && i % 2 == 0 => element.GetInt64(),
                    JsonValueKind.Number when i < sortKeys * 2 => element.GetDouble(),
                    JsonValueKind.String => element.GetString()!,
                    _ => throw new FormatException(),
                };
                if (i >= sortKeys * 2 && values[i] is not string)
                {
                    return null;
                }
            }

            return values;
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            return null;
        }
    }
}
