using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DocStore.Server.Storage.Embedded;

/// <summary>
/// Applies partial-update operations to a parsed document with Cosmos DB's semantics: parents are
/// never created, array indexes follow RFC 6901 (<c>-</c> appends), increment creates a missing
/// property, and an integer stays an integer after a whole-number increment.
/// </summary>
internal static class JsonPatcher
{
    /// <summary>Applies <paramref name="operations"/> in order to <paramref name="document"/>.</summary>
    /// <returns><see langword="null"/> on success, else why an operation cannot apply (the document may then be half-changed and must be discarded).</returns>
    public static string? Apply(JsonObject document, IReadOnlyList<DocumentPatchOperation> operations)
    {
        for (var i = 0; i < operations.Count; i++)
        {
            var error = Apply(document, operations[i]);
            if (error is not null)
            {
                return $"operation {i} ({operations[i].Kind.ToString().ToLowerInvariant()} {Quote.Short(operations[i].Path.Text)}): {error}";
            }
        }

        return null;
    }

    private static string? Apply(JsonObject document, DocumentPatchOperation operation) => operation.Kind switch
    {
        PatchOperationKind.Add => Insert(document, operation.Path, operation.Value?.DeepClone(), replaceArrayElement: false),
        PatchOperationKind.Set => Insert(document, operation.Path, operation.Value?.DeepClone(), replaceArrayElement: true),
        PatchOperationKind.Replace => Replace(document, operation.Path, operation.Value?.DeepClone()),
        PatchOperationKind.Remove => Remove(document, operation.Path, out _),
        PatchOperationKind.Increment => Increment(document, operation.Path, operation.Value!),
        PatchOperationKind.Move => Move(document, operation.From!, operation.Path),
        _ => throw new ArgumentOutOfRangeException(nameof(operation), operation.Kind, "Unknown patch operation."),
    };

    private static string? Insert(JsonObject document, JsonPointer path, JsonNode? value, bool replaceArrayElement)
    {
        var error = ResolveParent(document, path, out var parent);
        if (error is not null)
        {
            return error;
        }

        if (parent is JsonObject obj)
        {
            obj[path.Last] = value;
            return null;
        }

        var array = (JsonArray)parent!;
        if (path.Last == "-")
        {
            array.Add(value);
            return null;
        }

        if (!TryParseIndex(path.Last, out var index) || index > array.Count)
        {
            return $"{Quote.Short(path.Last)} is not an index of an array of {array.Count} (use '-' to append)";
        }

        if (replaceArrayElement && index < array.Count)
        {
            array[index] = value;
        }
        else
        {
            array.Insert(index, value);
        }

        return null;
    }

    private static string? Replace(JsonObject document, JsonPointer path, JsonNode? value)
    {
        var error = ResolveParent(document, path, out var parent);
        if (error is not null)
        {
            return error;
        }

        if (parent is JsonObject obj)
        {
            if (!obj.ContainsKey(path.Last))
            {
                return "the property does not exist";
            }

            obj[path.Last] = value;
            return null;
        }

        var array = (JsonArray)parent!;
        if (!TryGetExistingIndex(array, path.Last, out var index, out error))
        {
            return error;
        }

        array[index] = value;
        return null;
    }

    private static string? Remove(JsonObject document, JsonPointer path, out JsonNode? removed)
    {
        removed = null;
        var error = ResolveParent(document, path, out var parent);
        if (error is not null)
        {
            return error;
        }

        if (parent is JsonObject obj)
        {
            return obj.Remove(path.Last, out removed) ? null : "the property does not exist";
        }

        var array = (JsonArray)parent!;
        if (!TryGetExistingIndex(array, path.Last, out var index, out error))
        {
            return error;
        }

        removed = array[index];
        array.RemoveAt(index);
        return null;
    }

    private static string? Increment(JsonObject document, JsonPointer path, JsonNode by)
    {
        var error = ResolveParent(document, path, out var parent);
        if (error is not null)
        {
            return error;
        }

        JsonNode? current;
        if (parent is JsonObject obj)
        {
            if (!obj.TryGetPropertyValue(path.Last, out current))
            {
                obj[path.Last] = by.DeepClone();
                return null;
            }
        }
        else
        {
            if (!TryGetExistingIndex((JsonArray)parent!, path.Last, out var index, out error))
            {
                return error;
            }

            current = parent![index];
        }

        if (current is not JsonValue currentValue || currentValue.GetValueKind() != JsonValueKind.Number)
        {
            return "the value is not a number";
        }

        JsonNode sum;
        var byValue = (JsonValue)by;
        if (currentValue.TryGetValue<long>(out var a) && byValue.TryGetValue<long>(out var b) && IsExactInDouble(a, b))
        {
            sum = JsonValue.Create(a + b);
        }
        else
        {
            var total = ToDouble(currentValue) + ToDouble(byValue);
            if (!double.IsFinite(total))
            {
                return "the result is out of range";
            }

            sum = JsonValue.Create(total);
        }

        current.ReplaceWith(sum);
        return null;
    }

    private static string? Move(JsonObject document, JsonPointer from, JsonPointer path)
    {
        if (from.Equals(path))
        {
            // Still requires the source to exist, as a remove-then-add would.
            return ResolveParent(document, from, out var parent) ?? (Exists(parent!, from.Last) ? null : "the 'from' location does not exist");
        }

        var error = Remove(document, from, out var value);
        if (error is not null)
        {
            return $"'from' {error}";
        }

        return Insert(document, path, value, replaceArrayElement: false);
    }

    private static bool Exists(JsonNode parent, string last) => parent switch
    {
        JsonObject obj => obj.ContainsKey(last),
        JsonArray array => TryParseIndex(last, out var index) && index < array.Count,
        _ => false,
    };

    /// <summary>Finds the object or array that holds the last segment of <paramref name="path"/>.</summary>
    private static string? ResolveParent(JsonObject document, JsonPointer path, out JsonNode? parent)
    {
        JsonNode? node = document;
        var segments = path.Segments;
        for (var i = 0; i < segments.Count - 1; i++)
        {
            var segment = segments[i];
            switch (node)
            {
                case JsonObject obj when obj.TryGetPropertyValue(segment, out var child) && child is not null:
                    node = child;
                    break;
                case JsonArray array when TryParseIndex(segment, out var index) && index < array.Count && array[index] is not null:
                    node = array[index];
                    break;
                default:
                    parent = null;
                    return $"{Quote.Short(Prefix(segments, i + 1))} does not exist (parents are not created)";
            }
        }

        if (node is JsonObject or JsonArray)
        {
            parent = node;
            return null;
        }

        parent = null;
        return $"{Quote.Short(Prefix(segments, segments.Count - 1))} is neither an object nor an array";
    }

    private static bool TryGetExistingIndex(JsonArray array, string segment, out int index, out string? error)
    {
        if (TryParseIndex(segment, out index) && index < array.Count)
        {
            error = null;
            return true;
        }

        error = $"{Quote.Short(segment)} is not an index of an array of {array.Count}";
        return false;
    }

    /// <summary>RFC 6901 array index: "0", or digits without a leading zero.</summary>
    private static bool TryParseIndex(string segment, out int index)
    {
        index = -1;
        if (segment.Length == 0 || segment.Length > 9 || (segment.Length > 1 && segment[0] == '0'))
        {
            return false;
        }

        foreach (var c in segment)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        index = int.Parse(segment, NumberStyles.None, CultureInfo.InvariantCulture);
        return true;
    }

    private static double ToDouble(JsonValue value) =>
        value.TryGetValue<double>(out var d) ? d : value.GetValue<long>();

    /// <summary>
    /// True when <paramref name="a"/> + <paramref name="b"/> is an integer that a double holds exactly
    /// (|sum| ≤ 2^53). Responses carry numbers as doubles, so a larger integer would be stored as one
    /// value and shown as another; such sums are computed as doubles instead.
    /// </summary>
    private static bool IsExactInDouble(long a, long b)
    {
        const long MaxExact = 1L << 53;
        var sum = unchecked(a + b);
        var overflowed = ((a ^ sum) & (b ^ sum)) < 0;
        return !overflowed && sum is >= -MaxExact and <= MaxExact;
    }

    private static string Prefix(IReadOnlyList<string> segments, int count)
    {
        if (count == 0)
        {
            return "";
        }

        var parts = new string[count];
        for (var i = 0; i < count; i++)
        {
            parts[i] = segments[i].Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
        }

        return "/" + string.Join('/', parts);
    }
}
