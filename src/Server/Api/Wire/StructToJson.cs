using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using DocStore.Server.Storage;

namespace DocStore.Server.Api.Wire;

/// <summary>
/// Transcodes a <c>google.protobuf.Struct</c> in protobuf's wire format straight into UTF-8 JSON,
/// checking the document's rules on the way, so that a written document never becomes a Struct
/// DOM. Numbers are written as <see cref="StructJson"/> writes them (whole doubles within 2^53 as
/// integers, <c>-0</c> kept), so both produce the same bytes. Root system properties are dropped.
/// A map key that appears twice is refused, as a duplicate JSON property name is.
/// </summary>
internal static class StructToJson
{
    // Tags of Struct, its map entry, Value and ListValue (field number << 3 | wire type); a Value's tags name its kind.
    internal const uint FieldsTag = 0x0A;
    internal const uint NullTag = 0x08;
    internal const uint NumberTag = 0x11;
    internal const uint StringTag = 0x1A;
    internal const uint BoolTag = 0x20;
    internal const uint StructTag = 0x2A;
    internal const uint ListTag = 0x32;
    private const uint KeyTag = 0x0A;
    private const uint ValueTag = 0x12;
    private const uint ItemTag = 0x0A;

    private const double MaxExactInteger = 9007199254740992d;

    /// <summary>Writes the Struct encoded in <paramref name="structBytes"/> as JSON into <paramref name="output"/>.</summary>
    /// <returns>The JSON (a view of <paramref name="output"/>), the keys, the first problem, and the root entries dropped.</returns>
    public static StructReading Transcode(ReadOnlySpan<byte> structBytes, JsonPointer partitionKeyPath, ArrayBufferWriter<byte> output)
    {
        var state = new State(new DocumentKeys(partitionKeyPath), new DocumentPath(), new Utf8JsonWriter(output, DocumentJson.WriterOptions));
        DocumentProblem? problem = null;
        try
        {
            WriteStruct(structBytes, state, root: true);
            state.Writer.Flush();
        }
        catch (ProblemException e)
        {
            problem = e.Problem;
        }
        catch (MalformedWireException e)
        {
            problem = new DocumentProblem(state.Path.Describe(), "is not a valid google.protobuf.Struct: it " + e.Message);
        }
        finally
        {
            state.Writer.Dispose();
        }

        if (problem is null && output.WrittenCount > DocumentLimits.MaxDocumentBytes)
        {
            problem = new DocumentProblem("", $"is {output.WrittenCount} bytes as UTF-8 JSON; the limit is {DocumentLimits.MaxDocumentBytes} bytes (2 MB)");
        }

        return new StructReading(new DocumentReading(problem is null ? output.WrittenMemory : default, state.Keys, problem), state.Dropped);
    }

    /// <summary>The Struct's bytes without the root entries that <see cref="Transcode"/> dropped.</summary>
    public static ReadOnlyMemory<byte> WithoutDropped(ReadOnlyMemory<byte> structBytes, IReadOnlyList<(int Start, int End)>? dropped)
    {
        if (dropped is null)
        {
            return structBytes;
        }

        var kept = new ArrayBufferWriter<byte>(structBytes.Length);
        var from = 0;
        foreach (var (start, end) in dropped)
        {
            kept.Write(structBytes.Span[from..start]);
            from = end;
        }

        kept.Write(structBytes.Span[from..]);
        return kept.WrittenMemory;
    }

    /// <summary>Reads a Struct's map entry: its key and, when set (the return value), its Value's bytes.</summary>
    internal static bool ReadEntry(ReadOnlySpan<byte> entryBytes, out ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value)
    {
        var entry = new ProtoReader(entryBytes);
        key = default;
        value = default;
        var hasValue = false;
        while (!entry.End)
        {
            var tag = entry.ReadTag();
            if (tag == KeyTag)
            {
                key = entry.ReadLengthDelimited();
            }
            else if (tag == ValueTag)
            {
                value = entry.ReadLengthDelimited();
                hasValue = true;
            }
            else
            {
                entry.Skip(tag);
            }
        }

        return hasValue;
    }

    /// <summary>
    /// Reads a Value: returns the tag of the kind set (0 when none is), with the bits of a null, bool or number in
    /// <paramref name="scalar"/> and the bytes of a string, struct or list in <paramref name="payload"/>.
    /// </summary>
    internal static uint ReadValue(ReadOnlySpan<byte> bytes, out ulong scalar, out ReadOnlySpan<byte> payload)
    {
        // A oneof: when a kind appears more than once, the last one wins, as in protobuf.
        var reader = new ProtoReader(bytes);
        uint kind = 0;
        scalar = 0;
        payload = default;
        while (!reader.End)
        {
            var tag = reader.ReadTag();
            switch (tag)
            {
                case NullTag or BoolTag:
                    scalar = reader.ReadVarint();
                    kind = tag;
                    break;
                case NumberTag:
                    scalar = reader.ReadFixed64();
                    kind = tag;
                    break;
                case StringTag or StructTag or ListTag:
                    payload = reader.ReadLengthDelimited();
                    kind = tag;
                    break;
                default:
                    reader.Skip(tag);
                    break;
            }
        }

        return kind;
    }

    private static void WriteStruct(ReadOnlySpan<byte> bytes, State state, bool root)
    {
        state.Path.Push(isObject: true);
        state.Writer.WriteStartObject();
        var reader = new ProtoReader(bytes);
        while (!reader.End)
        {
            var start = reader.Position;
            var tag = reader.ReadTag();
            if (tag != FieldsTag)
            {
                reader.Skip(tag);
                continue;
            }

            var hasValue = ReadEntry(reader.ReadLengthDelimited(), out var key, out var value);
            if (!Utf8.IsValid(key))
            {
                throw new ProblemException(new DocumentProblem(state.Path.Describe(withCurrentName: false), "has a property name that is not valid UTF-8"));
            }

            if (!state.Path.AddName(key))
            {
                throw state.Problem("is a duplicate property name");
            }

            if (root && SystemProperties.Contains(key))
            {
                (state.Dropped ??= []).Add((start, reader.Position));
                continue;
            }

            var role = state.Keys.OnProperty(state.Path.Level, key);
            state.Writer.WritePropertyName(key);
            if (!hasValue)
            {
                throw state.Problem("has no kind set (null, bool, number, string, struct or list)");
            }

            WriteValue(value, state, role);
        }

        state.Keys.OnEndObject(state.Path.Level);
        state.Path.Pop();
        state.Writer.WriteEndObject();
    }

    private static void WriteList(ReadOnlySpan<byte> bytes, State state)
    {
        state.Path.Push(isObject: false);
        state.Writer.WriteStartArray();
        var reader = new ProtoReader(bytes);
        while (!reader.End)
        {
            var tag = reader.ReadTag();
            if (tag != ItemTag)
            {
                reader.Skip(tag);
                continue;
            }

            state.Path.NextItemIfInArray();
            WriteValue(reader.ReadLengthDelimited(), state, KeyRole.None);
        }

        state.Path.Pop();
        state.Writer.WriteEndArray();
    }

    private static void WriteValue(ReadOnlySpan<byte> bytes, State state, KeyRole role)
    {
        var kind = ReadValue(bytes, out var scalar, out var payload);
        var writer = state.Writer;
        switch (kind)
        {
            case NullTag:
                writer.WriteNullValue();
                OnOther(state, role, ValueKind.Null);
                break;
            case BoolTag:
                writer.WriteBooleanValue(scalar != 0);
                OnOther(state, role, ValueKind.Boolean);
                break;
            case NumberTag:
                var number = BitConverter.UInt64BitsToDouble(scalar);
                if (!double.IsFinite(number))
                {
                    throw state.Problem(DocumentRules.NotFinite);
                }

                if (double.IsInteger(number) && Math.Abs(number) <= MaxExactInteger && !(number == 0 && double.IsNegative(number)))
                {
                    writer.WriteNumberValue((long)number);
                }
                else
                {
                    writer.WriteNumberValue(number);
                }

                OnOther(state, role, ValueKind.Number);
                break;
            case StringTag:
                if (!Utf8.IsValid(payload))
                {
                    throw state.Problem("has a string that is not valid UTF-8");
                }

                writer.WriteStringValue(payload);
                if (role != KeyRole.None)
                {
                    state.Keys.OnString(role, Encoding.UTF8.GetString(payload));
                }

                break;
            case StructTag or ListTag:
                OnOther(state, role, kind == StructTag ? ValueKind.Object : ValueKind.List);
                if (state.Path.Level >= DocumentLimits.MaxDepth)
                {
                    throw state.Problem(DocumentRules.TooDeep);
                }

                if (kind == StructTag)
                {
                    WriteStruct(payload, state, root: false);
                }
                else
                {
                    WriteList(payload, state);
                }

                break;
            default:
                throw state.Problem("has no kind set (null, bool, number, string, struct or list)");
        }
    }

    private static void OnOther(State state, KeyRole role, ValueKind kind)
    {
        if (role != KeyRole.None)
        {
            state.Keys.OnOther(role, kind);
        }
    }

    private sealed class State(DocumentKeys keys, DocumentPath path, Utf8JsonWriter writer)
    {
        public DocumentKeys Keys { get; } = keys;

        public DocumentPath Path { get; } = path;

        public Utf8JsonWriter Writer { get; } = writer;

        public List<(int Start, int End)>? Dropped { get; set; }

        public ProblemException Problem(string reason) => new(new DocumentProblem(Path.Describe(), reason));
    }

    private sealed class ProblemException(DocumentProblem problem) : Exception(problem.Reason)
    {
        public DocumentProblem Problem { get; } = problem;
    }
}

/// <summary>A Struct read as JSON, and the byte ranges of the root entries it dropped (system properties).</summary>
internal sealed record StructReading(DocumentReading Reading, IReadOnlyList<(int Start, int End)>? Dropped);
