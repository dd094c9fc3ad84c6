using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;
using DocStore.Server.Storage;

namespace DocStore.Server.Api.Wire;

/// <summary>
/// Validates a document that arrives as UTF-8 JSON, in one forward pass of <see cref="Utf8JsonReader"/>
/// and without building a DOM: a JSON object, with <c>id</c> and the partition key as strings, no
/// duplicate property names, no lone surrogates, no invalid UTF-8, finite numbers, nesting within
/// <see cref="DocumentLimits.MaxDepth"/>, and at most <see cref="DocumentLimits.MaxDocumentBytes"/>
/// once system properties are dropped. The result is the caller's bytes as they are, or, when they
/// held system properties, a copy with those properties cut out; nothing else is rewritten.
/// </summary>
internal static class JsonDocumentReader
{
    /// <summary>Lets the reader nest past <see cref="DocumentLimits.MaxDepth"/>, so that the walk reports that limit itself, with a path.</summary>
    internal static readonly JsonReaderOptions Options = new() { MaxDepth = DocumentLimits.MaxDepth * 2 };

    /// <summary>Reads <paramref name="json"/> and reports what it finds.</summary>
    public static DocumentReading Read(ReadOnlyMemory<byte> json, JsonPointer partitionKeyPath)
    {
        var keys = new DocumentKeys(partitionKeyPath);
        var path = new DocumentPath();
        var cuts = new RootPropertyCuts();
        DocumentProblem? problem = null;
        var reader = new Utf8JsonReader(json.Span, Options);
        try
        {
            problem = Walk(ref reader, keys, path, cuts);
        }
        catch (JsonException)
        {
            problem = new DocumentProblem(path.Describe(), $"is not valid JSON (at byte {reader.BytesConsumed})");
        }

        if (problem is not null)
        {
            return new DocumentReading(default, keys, problem);
        }

        var body = cuts.Apply(json);
        if (body.Length > DocumentLimits.MaxDocumentBytes)
        {
            problem = new DocumentProblem("", $"is {body.Length} bytes as UTF-8 JSON; the limit is {DocumentLimits.MaxDocumentBytes} bytes (2 MB)");
        }

        return new DocumentReading(body, keys, problem);
    }

    private static DocumentProblem? Walk(ref Utf8JsonReader reader, DocumentKeys keys, DocumentPath path, RootPropertyCuts cuts)
    {
        if (!reader.Read())
        {
            return new DocumentProblem("", "is empty; a document is a JSON object");
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return new DocumentProblem("", $"must be a JSON object, not {DocumentKeys.Describe(Kind(reader.TokenType))}");
        }

        path.Push(isObject: true);
        var role = KeyRole.None;
        byte[]? scratch = null;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        if (path.Level == 1)
                        {
                            cuts.Name((int)reader.TokenStartIndex);
                        }

                        if (!TryName(ref reader, ref scratch, out var name, out var nameProblem))
                        {
                            return new DocumentProblem(path.Describe(withCurrentName: false), nameProblem);
                        }

                        if (!path.AddName(name))
                        {
                            return new DocumentProblem(path.Describe(), "is a duplicate property name");
                        }

                        if (path.Level == 1 && SystemProperties.Contains(name))
                        {
                            var start = (int)reader.TokenStartIndex;
                            reader.Skip();
                            cuts.Cut(start, (int)reader.BytesConsumed);
                            continue;
                        }

                        role = keys.OnProperty(path.Level, name);
                        break;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        path.NextItemIfInArray();
                        var isObject = reader.TokenType == JsonTokenType.StartObject;
                        if (role != KeyRole.None)
                        {
                            keys.OnOther(role, isObject ? ValueKind.Object : ValueKind.List);
                            role = KeyRole.None;
                        }

                        if (path.Level >= DocumentLimits.MaxDepth)
                        {
                            return new DocumentProblem(path.Describe(), DocumentRules.TooDeep);
                        }

                        path.Push(isObject);
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        if (reader.TokenType == JsonTokenType.EndObject)
                        {
                            keys.OnEndObject(path.Level);
                        }

                        path.Pop();
                        if (path.Level == 0)
                        {
                            cuts.End();
                        }

                        break;
                    case JsonTokenType.String:
                        path.NextItemIfInArray();
                        if (!TryString(ref reader, ref scratch, out var text, out var stringProblem))
                        {
                            return new DocumentProblem(path.Describe(), stringProblem);
                        }

                        if (role != KeyRole.None)
                        {
                            keys.OnString(role, reader.GetString()!);
                            role = KeyRole.None;
                        }

                        break;
                    case JsonTokenType.Number:
                        path.NextItemIfInArray();
                        if (!IsFinite(ref reader))
                        {
                            return new DocumentProblem(path.Describe(), DocumentRules.NotFinite);
                        }

                        goto default;
                    default:
                        if (reader.TokenType is not JsonTokenType.Number)
                        {
                            path.NextItemIfInArray();
                        }

                        if (role != KeyRole.None)
                        {
                            keys.OnOther(role, Kind(reader.TokenType));
                            role = KeyRole.None;
                        }

                        break;
                }

                if (path.Level == 1 && reader.TokenType != JsonTokenType.PropertyName)
                {
                    // A root property's value has ended (a nested value ends at its closing token, at level 1).
                    cuts.Keep((int)reader.BytesConsumed);
                }
            }
        }
        finally
        {
            if (scratch is not null)
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }
        }

        return null;
    }

    /// <summary>A property name as UTF-8 without escapes, checked for lone surrogates and invalid UTF-8.</summary>
    private static bool TryName(ref Utf8JsonReader reader, ref byte[]? scratch, out ReadOnlySpan<byte> name, out string problem) =>
        TryString(ref reader, ref scratch, out name, out problem, "property name");

    private static bool TryString(ref Utf8JsonReader reader, ref byte[]? scratch, out ReadOnlySpan<byte> text, out string problem, string what = "string")
    {
        var raw = reader.ValueSpan;
        problem = "";
        if (!reader.ValueIsEscaped)
        {
            text = raw;
        }
        else if (!DocumentRules.SurrogatesArePaired(raw))
        {
            text = default;
            problem = $"has a {what} with a lone UTF-16 surrogate escape (\\uD800-\\uDFFF), which has no UTF-8 form";
            return false;
        }
        else
        {
            if (scratch is null || raw.Length > scratch.Length)
            {
                if (scratch is not null)
                {
                    ArrayPool<byte>.Shared.Return(scratch);
                }

                scratch = ArrayPool<byte>.Shared.Rent(Math.Max(256, raw.Length));
            }

            text = scratch.AsSpan(0, reader.CopyString(scratch));
        }

        if (!Utf8.IsValid(text))
        {
            problem = $"has a {what} that is not valid UTF-8";
            return false;
        }

        return true;
    }

    private static bool IsFinite(ref Utf8JsonReader reader)
    {
        var raw = reader.ValueSpan;

        // Without an exponent, a number has to be over 308 digits long to leave double's range.
        if (raw.IndexOfAny((byte)'e', (byte)'E') < 0 && raw.Length < 300)
        {
            return true;
        }

        return reader.TryGetDouble(out var value) && double.IsFinite(value);
    }

    /// <summary>What the value that starts with <paramref name="token"/> is.</summary>
    internal static ValueKind Kind(JsonTokenType token) => token switch
    {
        JsonTokenType.Null => ValueKind.Null,
        JsonTokenType.True or JsonTokenType.False => ValueKind.Boolean,
        JsonTokenType.Number => ValueKind.Number,
        JsonTokenType.String => ValueKind.String,
        JsonTokenType.StartObject => ValueKind.Object,
        _ => ValueKind.List,
    };
}

/// <summary>Where a document breaks a rule: a path inside it (<c>items[3].name</c>, empty for the whole document) and why.</summary>
internal sealed record DocumentProblem(string Path, string Reason);

/// <summary>The outcome of reading a document: its JSON (when it has no <see cref="Problem"/>), its keys, and the first problem found.</summary>
internal sealed record DocumentReading(ReadOnlyMemory<byte> Body, DocumentKeys Keys, DocumentProblem? Problem);
