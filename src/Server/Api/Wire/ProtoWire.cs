using System.Buffers.Binary;

namespace DocStore.Server.Api.Wire;

/// <summary>
/// Reads protobuf's wire format from a span without allocating: tags, varints, fixed64 and
/// length-delimited fields as slices of the input. Google.Protobuf's <c>CodedInputStream</c> has no
/// public way to take a string or a submessage as a slice (its limits and raw reads are internal),
/// and the transcoders must not allocate per value.
/// </summary>
internal ref struct ProtoReader(ReadOnlySpan<byte> buffer)
{
    private readonly ReadOnlySpan<byte> _buffer = buffer;

    /// <summary>Offset of the next unread byte.</summary>
    public int Position { get; private set; }

    /// <summary>True when every byte has been read.</summary>
    public readonly bool End => Position >= _buffer.Length;

    /// <summary>Reads a field tag; zero is not a valid tag.</summary>
    public uint ReadTag()
    {
        var tag = ReadVarint();
        if (tag is 0 or > uint.MaxValue)
        {
            throw new MalformedWireException("has an invalid field tag");
        }

        return (uint)tag;
    }

    /// <summary>Reads a base-128 varint of at most 10 bytes.</summary>
    public ulong ReadVarint()
    {
        ulong result = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            if (Position >= _buffer.Length)
            {
                throw new MalformedWireException("ends in the middle of a field");
            }

            var b = _buffer[Position++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        throw new MalformedWireException("has a malformed varint");
    }

    /// <summary>Reads a little-endian fixed 64-bit value.</summary>
    public ulong ReadFixed64()
    {
        if (_buffer.Length - Position < 8)
        {
            throw new MalformedWireException("ends in the middle of a field");
        }

        var value = BinaryPrimitives.ReadUInt64LittleEndian(_buffer[Position..]);
        Position += 8;
        return value;
    }

    /// <summary>Reads a length-delimited field's payload as a slice of the input.</summary>
    public ReadOnlySpan<byte> ReadLengthDelimited()
    {
        var length = ReadVarint();
        if (length > (ulong)(_buffer.Length - Position))
        {
            throw new MalformedWireException("ends in the middle of a field");
        }

        var slice = _buffer.Slice(Position, (int)length);
        Position += (int)length;
        return slice;
    }

    /// <summary>Skips the value of a field whose tag was just read.</summary>
    public void Skip(uint tag)
    {
        switch (tag & 7)
        {
            case 0:
                ReadVarint();
                break;
            case 1:
                ReadFixed64();
                break;
            case 2:
                ReadLengthDelimited();
                break;
            case 5:
                if (_buffer.Length - Position < 4)
                {
                    throw new MalformedWireException("ends in the middle of a field");
                }

                Position += 4;
                break;
            default:
                throw new MalformedWireException($"uses wire type {tag & 7}, which DocStore's messages never contain");
        }
    }
}

/// <summary>Writes protobuf's wire format forward into a span whose size was computed beforehand.</summary>
internal ref struct ProtoWriter(Span<byte> buffer)
{
    private readonly Span<byte> _buffer = buffer;

    /// <summary>Bytes written so far.</summary>
    public int Position { get; private set; }

    /// <summary>Writes one byte (a one-byte tag, a bool, the null enum).</summary>
    public void WriteByte(byte value) => _buffer[Position++] = value;

    /// <summary>Writes a base-128 varint.</summary>
    public void WriteVarint(uint value)
    {
        while (value >= 0x80)
        {
            _buffer[Position++] = (byte)(value | 0x80);
            value >>= 7;
        }

        _buffer[Position++] = (byte)value;
    }

    /// <summary>Writes a double as fixed64.</summary>
    public void WriteDouble(double value)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(_buffer[Position..], value);
        Position += 8;
    }

    /// <summary>Copies raw bytes.</summary>
    public void WriteBytes(scoped ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_buffer[Position..]);
        Position += bytes.Length;
    }

    /// <summary>The space after what has been written, for a caller that writes into it directly.</summary>
    public readonly Span<byte> Remaining => _buffer[Position..];

    /// <summary>Moves past bytes written into <see cref="Remaining"/>.</summary>
    public void Advance(int count) => Position += count;
}

/// <summary>The bytes of a message are not protobuf's wire format for the expected message.</summary>
internal sealed class MalformedWireException(string reason) : Exception(reason);
