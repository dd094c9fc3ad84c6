using System.Text;
using System.Text.Json;

namespace DocStore.Server.Storage.Query;

/// <summary>
/// The value rules every store's filter follows: the kinds of a JSON value and their order for
/// ORDER BY (undefined &lt; null &lt; false &lt; true &lt; numbers &lt; strings &lt; arrays &lt; objects),
/// numbers compared as doubles, strings ordinally by Unicode code point, and deep equality.
/// </summary>
internal static class JsonOrder
{
    /// <summary>The ORDER BY rank of a value's kind; 0 for undefined.</summary>
    public static int Rank(JsonElement? value) => value is not { } element ? 0 : element.ValueKind switch
    {
        JsonValueKind.Null => 1,
        JsonValueKind.False => 2,
        JsonValueKind.True => 3,
        JsonValueKind.Number => 4,
        JsonValueKind.String => 5,
        JsonValueKind.Array => 6,
        JsonValueKind.Object => 7,
        _ => 0,
    };

    /// <summary>Kinds that compare with each other: false and true are both booleans.</summary>
    public static bool SameType(JsonElement a, JsonElement b) => TypeOf(a) == TypeOf(b);

    /// <summary>Deep equality of two values of any kinds: numbers as doubles, strings ordinally, objects regardless of property order.</summary>
    public static bool DeepEquals(JsonElement a, JsonElement b)
    {
        if (a.ValueKind != b.ValueKind)
        {
            return false;
        }

        switch (a.ValueKind)
        {
            case JsonValueKind.Number:
                return a.GetDouble() == b.GetDouble();
            case JsonValueKind.String:
                return a.ValueEquals(b.GetString());
            case JsonValueKind.Array:
                if (a.GetArrayLength() != b.GetArrayLength())
                {
                    return false;
                }

                using (var left = a.EnumerateArray())
                using (var right = b.EnumerateArray())
                {
                    while (left.MoveNext() && right.MoveNext())
                    {
                        if (!DeepEquals(left.Current, right.Current))
                        {
                            return false;
                        }
                    }
                }

                return true;
            case JsonValueKind.Object:
                var count = 0;
                foreach (var property in a.EnumerateObject())
                {
                    count++;
                    if (!b.TryGetProperty(property.Name, out var other) || !DeepEquals(property.Value, other))
                    {
                        return false;
                    }
                }

                return count == b.EnumerateObject().Count();
            default:
                return true; // null, true, false
        }
    }

    /// <summary>
    /// Compares two values of the same type (numbers, strings or booleans), or returns <see langword="null"/>
    /// when a range comparison between them is undefined.
    /// </summary>
    public static int? CompareScalars(JsonElement a, JsonElement b)
    {
        if (!SameType(a, b))
        {
            return null;
        }

        return a.ValueKind switch
        {
            JsonValueKind.Number => a.GetDouble().CompareTo(b.GetDouble()),
            JsonValueKind.String => CompareOrdinal(a.GetString()!, b.GetString()!),
            JsonValueKind.True or JsonValueKind.False => Rank(a).CompareTo(Rank(b)),
            JsonValueKind.Null => 0,
            _ => null,
        };
    }

    /// <summary>
    /// The total order ORDER BY uses: by rank, then numbers and strings by value; arrays and objects
    /// are equal among themselves (the id breaks the tie).
    /// </summary>
    public static int CompareForSort(JsonElement? a, JsonElement? b)
    {
        var byRank = Rank(a).CompareTo(Rank(b));
        if (byRank != 0 || a is not { } x || b is not { } y)
        {
            return byRank;
        }

        return x.ValueKind is JsonValueKind.Number or JsonValueKind.String ? CompareScalars(x, y)!.Value : 0;
    }

    /// <summary>Ordinal comparison by Unicode code point, which is the order of UTF-8 bytes (SQLite's BINARY collation).</summary>
    public static int CompareOrdinal(string a, string b)
    {
        var left = a.EnumerateRunes();
        var right = b.EnumerateRunes();
        while (true)
        {
            var hasLeft = left.MoveNext();
            var hasRight = right.MoveNext();
            if (!hasLeft || !hasRight)
            {
                return hasLeft.CompareTo(hasRight);
            }

            var byRune = left.Current.Value.CompareTo(right.Current.Value);
            if (byRune != 0)
            {
                return byRune;
            }
        }
    }

    /// <summary>Finds the value at <paramref name="path"/>: digit segments index arrays, others name properties.</summary>
    public static JsonElement? Resolve(JsonElement document, JsonPointer path)
    {
        var current = document;
        foreach (var segment in path.Segments)
        {
            if (current.ValueKind == JsonValueKind.Object && !DocumentQuery.IsArrayIndex(segment) && current.TryGetProperty(segment, out var child))
            {
                current = child;
            }
            else if (current.ValueKind == JsonValueKind.Array && DocumentQuery.IsArrayIndex(segment)
                && int.Parse(segment, System.Globalization.CultureInfo.InvariantCulture) is var index && index < current.GetArrayLength())
            {
                current = current[index];
            }
            else
            {
                return null;
            }
        }

        return current;
    }

    /// <summary>Parses UTF-8 JSON into an element that outlives the bytes.</summary>
    public static JsonElement Parse(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, DocumentJson.ReaderOptions);
        return JsonElement.ParseValue(ref reader);
    }

    /// <summary>A JSON node (null for JSON null) as an element.</summary>
    public static JsonElement FromNode(System.Text.Json.Nodes.JsonNode? node)
    {
        if (node is null)
        {
            return Parse("null"u8);
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, DocumentJson.WriterOptions))
        {
            node.WriteTo(writer);
        }

        return Parse(buffer.WrittenSpan);
    }

    /// <summary>Parses JSON text into an element that outlives the text.</summary>
    public static JsonElement Parse(string json) => Parse(Encoding.UTF8.GetBytes(json));

    private static int TypeOf(JsonElement value) => value.ValueKind == JsonValueKind.False ? Rank(value) + 1 : Rank(value);
}
