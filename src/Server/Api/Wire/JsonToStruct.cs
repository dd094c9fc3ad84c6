using System.Buffers;
using System.Text.Json;
using DocStore.Server.Storage;
using Google.Protobuf;

namespace DocStore.Server.Api.Wire;

/// <summary>
/// Transcodes stored JSON straight into <c>google.protobuf.Struct</c>'s wire format, without a
/// Struct DOM: <see cref="Measure"/> reads the JSON once to size every object and array (protobuf
/// prefixes each submessage with its length), and <see cref="StructLayout.WriteTo"/> reads it again
/// and writes the bytes forward into their final place. The output is byte for byte what
/// Google.Protobuf writes for the Struct its <c>JsonParser</c> makes of the same JSON.
/// </summary>
internal static class JsonToStruct
{
    /// <summary>Sizes the Struct that <paramref name="json"/> (an object) encodes to.</summary>
    public static StructLayout Measure(ReadOnlyMemory<byte> json)
    {
        var sizes = ArrayPool<int>.Shared.Rent(64);
        var count = 0;
        Span<long> content = stackalloc long[DocumentLimits.MaxDepth * 2 + 1];
        Span<int> ordinals = stackalloc int[content.Length];
        Span<int> keyParts = stackalloc int[content.Length];
        Span<bool> isObject = stackalloc bool[content.Length];
        var depth = -1;
        byte[]? scratch = null;
        var reader = new Utf8JsonReader(json.Span, DocumentJson.ReaderOptions);
        try
        {
            while (reader.Read())
            {
                long value;
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        var nameLength = Utf8Length(ref reader, ref scratch);
                        keyParts[depth] = nameLength == 0 ? 0 : 1 + CodedOutputStream.ComputeLengthSize(nameLength) + nameLength;
                        continue;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        depth++;
                        if (count == sizes.Length)
                        {
                            var larger = ArrayPool<int>.Shared.Rent(count * 2);
                            sizes.AsSpan(0, count).CopyTo(larger);
                            ArrayPool<int>.Shared.Return(sizes);
                            sizes = larger;
                        }

                        ordinals[depth] = count++;
                        content[depth] = 0;
                        isObject[depth] = reader.TokenType == JsonTokenType.StartObject;
                        continue;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        var size = checked((int)content[depth]);
                        sizes[ordinals[depth]] = size;
                        depth--;
                        if (depth < 0)
                        {
                            continue;
                        }

                        value = 1 + CodedOutputStream.ComputeLengthSize(size) + size;
                        break;
                    case JsonTokenType.String:
                        var length = Utf8Length(ref reader, ref scratch);
                        value = 1 + CodedOutputStream.ComputeLengthSize(length) + length;
                        break;
                    case JsonTokenType.Number:
                        value = 9;
                        break;
                    default:
                        value = 2; // null and booleans: a one-byte tag and a one-byte varint
                        break;
                }

                // A Value ended: it is a map entry's value inside an object, or an item of a list.
                var item = isObject[depth]
                    ? keyParts[depth] + 1 + CodedOutputStream.ComputeLengthSize((int)value) + value
                    : value;
                content[depth] += 1 + CodedOutputStream.ComputeLengthSize((int)item) + item;
            }
        }
        finally
        {
            if (scratch is not null)
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }
        }

        return new StructLayout(json, sizes);
    }

    /// <summary>The length of the current string or property name as UTF-8, escapes resolved.</summary>
    internal static int Utf8Length(ref Utf8JsonReader reader, ref byte[]? scratch) =>
        reader.ValueIsEscaped ? Unescape(ref reader, ref scratch) : reader.ValueSpan.Length;

    /// <summary>Copies the current (escaped) string or property name into <paramref name="scratch"/> as UTF-8; returns its length.</summary>
    internal static int Unescape(ref Utf8JsonReader reader, ref byte[]? scratch)
    {
        if (scratch is null || scratch.Length < reader.ValueSpan.Length)
        {
            if (scratch is not null)
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }

            scratch = ArrayPool<byte>.Shared.Rent(Math.Max(256, reader.ValueSpan.Length));
        }

        return reader.CopyString(scratch);
    }
}

/// <summary>
/// The sizes of every object and array of a stored JSON document, in the order they open, ready to
/// write its Struct encoding. Holds pooled memory: dispose it once written.
/// </summary>
internal sealed class StructLayout(ReadOnlyMemory<byte> json, int[] sizes) : IDisposable
{
    private int[]? _sizes = sizes;

    /// <summary>The length of the root Struct's encoding.</summary>
    public int Length { get; } = sizes[0];

    /// <summary>Writes the root Struct's encoding (without a tag or length of its own).</summary>
    public void WriteTo(ref ProtoWriter output)
    {
        var sizes = _sizes ?? throw new ObjectDisposedException(nameof(StructLayout));
        var next = 0;
        Span<bool> isObject = stackalloc bool[DocumentLimits.MaxDepth * 2 + 1];
        var depth = -1;
        ReadOnlySpan<byte> key = default;
        byte[]? keyScratch = null;
        byte[]? scratch = null;
        var reader = new Utf8JsonReader(json.Span, DocumentJson.ReaderOptions);
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        key = reader.ValueSpan;
                        if (reader.ValueIsEscaped)
                        {
                            var keyLength = JsonToStruct.Unescape(ref reader, ref keyScratch);
                            key = keyScratch.AsSpan(0, keyLength);
                        }

                        continue;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        var opensObject = reader.TokenType == JsonTokenType.StartObject;
                        var size = sizes[next++];
                        if (depth >= 0)
                        {
                            ItemHeader(ref output, isObject[depth], key, 1 + CodedOutputStream.ComputeLengthSize(size) + size);
                            output.WriteByte(opensObject ? (byte)0x2A : (byte)0x32);
                            output.WriteVarint((uint)size);
                        }

                        isObject[++depth] = opensObject;
                        continue;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        depth--;
                        continue;
                    case JsonTokenType.String:
                        var text = reader.ValueSpan;
                        if (reader.ValueIsEscaped)
                        {
                            var textLength = JsonToStruct.Unescape(ref reader, ref scratch);
                            text = scratch.AsSpan(0, textLength);
                        }

                        ItemHeader(ref output, isObject[depth], key, 1 + CodedOutputStream.ComputeLengthSize(text.Length) + text.Length);
                        output.WriteByte(0x1A);
                        output.WriteVarint((uint)text.Length);
                        output.WriteBytes(text);
                        continue;
                    case JsonTokenType.Number:
                        ItemHeader(ref output, isObject[depth], key, 9);
                        output.WriteByte(0x11);
                        output.WriteDouble(reader.GetDouble());
                        continue;
                    case JsonTokenType.Null:
                        ItemHeader(ref output, isObject[depth], key, 2);
                        output.WriteByte(0x08);
                        output.WriteByte(0);
                        continue;
                    default:
                        ItemHeader(ref output, isObject[depth], key, 2);
                        output.WriteByte(0x20);
                        output.WriteByte(reader.TokenType == JsonTokenType.True ? (byte)1 : (byte)0);
                        continue;
                }
            }
        }
        finally
        {
            foreach (var rented in (ReadOnlySpan<byte[]?>)[keyScratch, scratch])
            {
                if (rented is not null)
                {
                    ArrayPool<byte>.Shared.Return(rented);
                }
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _sizes, null) is { } sizes)
        {
            ArrayPool<int>.Shared.Return(sizes);
        }
    }

    /// <summary>
    /// What precedes a Value of <paramref name="valueSize"/> bytes: inside an object, a map entry's
    /// tag, length and key, then the value's tag and length; inside a list, the item's tag and length.
    /// </summary>
    private static void ItemHeader(ref ProtoWriter output, bool inObject, scoped ReadOnlySpan<byte> key, int valueSize)
    {
        if (inObject)
        {
            var keyPart = key.Length == 0 ? 0 : 1 + CodedOutputStream.ComputeLengthSize(key.Length) + key.Length;
            var entry = keyPart + 1 + CodedOutputStream.ComputeLengthSize(valueSize) + valueSize;
            output.WriteByte(0x0A);
            output.WriteVarint((uint)entry);
            if (key.Length > 0)
            {
                output.WriteByte(0x0A);
                output.WriteVarint((uint)key.Length);
                output.WriteBytes(key);
            }

            output.WriteByte(0x12);
        }
        else
        {
            output.WriteByte(0x0A);
        }

        output.WriteVarint((uint)valueSize);
    }
}
