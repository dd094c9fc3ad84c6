using System.Text;
using DocStore.Server.Storage;

namespace DocStore.Server.Api.Wire;

/// <summary>What a value is, in the words of the error contract.</summary>
internal enum ValueKind
{
    Null,
    Boolean,
    Number,
    String,
    Object,
    List,
}

/// <summary>
/// Finds a document's id and partition key while a transcoder reads it forward: <c>/id</c> at the
/// root, and the collection's partition key path, which may be nested (<c>/customer/id</c>). Both
/// must be strings. Problems are kept with the field they concern, for the caller to report.
/// </summary>
internal sealed class DocumentKeys(JsonPointer partitionKeyPath)
{
    private static readonly byte[] IdName = "id"u8.ToArray();

    private readonly byte[][] _segments = [.. partitionKeyPath.Segments.Select(Encoding.UTF8.GetBytes)];

    // The level of the open object that holds the next partition key segment, or -1 when none does.
    private int _keyLevel = 1;
    private int _matched;
    private bool _idSeen;

    /// <summary>The id, when found and a string.</summary>
    public string? Id { get; private set; }

    /// <summary>Why the id is missing or unusable, when it is.</summary>
    public string? IdProblem { get; private set; }

    /// <summary>The partition key, when found and a string.</summary>
    public string? PartitionKey { get; private set; }

    /// <summary>Why the partition key is missing or unusable, when it is.</summary>
    public string? PartitionKeyProblem { get; private set; }

    /// <summary>The partition key path.</summary>
    public JsonPointer PartitionKeyPath => partitionKeyPath;

    /// <summary>Whether both keys are known, found or found unusable, so that nothing later in the document changes them.</summary>
    public bool Settled => (Id is not null || IdProblem is not null) && (PartitionKey is not null || PartitionKeyProblem is not null);

    /// <summary>What the value of a property just read means for the keys.</summary>
    public KeyRole OnProperty(int level, ReadOnlySpan<byte> name)
    {
        var role = KeyRole.None;
        if (level == 1 && name.SequenceEqual(IdName))
        {
            _idSeen = true;
            role = KeyRole.Id;
        }

        if (level == _keyLevel && name.SequenceEqual(_segments[_matched]))
        {
            role |= _matched == _segments.Length - 1 ? KeyRole.PartitionKey : KeyRole.PartitionKeyParent;
        }

        return role;
    }

    /// <summary>Takes a string value of a property whose role was found by <see cref="OnProperty"/>.</summary>
    public void OnString(KeyRole role, string value)
    {
        if ((role & KeyRole.Id) != 0)
        {
            Id = value;
        }

        if ((role & KeyRole.PartitionKey) != 0)
        {
            PartitionKey = value;
            _keyLevel = -1;
        }

        if ((role & KeyRole.PartitionKeyParent) != 0)
        {
            NotAnObject(ValueKind.String);
        }
    }

    /// <summary>Takes a value that is not a string, of a property whose role was found by <see cref="OnProperty"/>.</summary>
    public void OnOther(KeyRole role, ValueKind kind)
    {
        if ((role & KeyRole.Id) != 0)
        {
            IdProblem = "must be a string, not " + Describe(kind);
        }

        if ((role & KeyRole.PartitionKey) != 0)
        {
            PartitionKeyProblem = "must be a string, not " + Describe(kind);
            _keyLevel = -1;
        }

        if ((role & KeyRole.PartitionKeyParent) != 0)
        {
            if (kind == ValueKind.Object)
            {
                _keyLevel++;
                _matched++;
            }
            else
            {
                NotAnObject(kind);
            }
        }
    }

    /// <summary>Notes the end of an object at <paramref name="level"/>.</summary>
    public void OnEndObject(int level)
    {
        if (level == _keyLevel)
        {
            PartitionKeyProblem = "is required";
            _keyLevel = -1;
        }

        if (level == 1 && !_idSeen)
        {
            IdProblem = "is required";
        }
    }

    /// <summary>"a number", "an object", ...</summary>
    public static string Describe(ValueKind kind) => kind switch
    {
        ValueKind.Null => "null",
        ValueKind.Boolean => "a boolean",
        ValueKind.Number => "a number",
        ValueKind.String => "a string",
        ValueKind.Object => "an object",
        _ => "a list",
    };

    private void NotAnObject(ValueKind kind)
    {
        PartitionKeyProblem = $"is required, but {Quote.Short(PartitionKeyPath.Segments[_matched])} is {Describe(kind)}, not an object";
        _keyLevel = -1;
    }
}

/// <summary>What a property is for the document's keys; the id can also be the partition key.</summary>
[Flags]
internal enum KeyRole
{
    None = 0,
    Id = 1,
    PartitionKey = 2,
    PartitionKeyParent = 4,
}

/// <summary>Rules every document obeys, whichever form it arrives in.</summary>
internal static class DocumentRules
{
    /// <summary>The reason for a document nested too deep.</summary>
    public static readonly string TooDeep = $"nests objects and arrays deeper than {DocumentLimits.MaxDepth} levels";

    /// <summary>The reason for a number that has no JSON (or double) form.</summary>
    public const string NotFinite = "is not a finite number (NaN and infinities have no JSON form)";

    /// <summary>
    /// True when the <c>\u</c> escapes of a JSON string's raw (still escaped) text pair every UTF-16
    /// surrogate: a lone <c>\uD800</c> has no UTF-8 form and no protobuf string can hold it.
    /// </summary>
    public static bool SurrogatesArePaired(ReadOnlySpan<byte> escaped)
    {
        var expectLow = false;
        for (var i = 0; i < escaped.Length; i++)
        {
            if (escaped[i] != (byte)'\\')
            {
                if (expectLow)
                {
                    return false;
                }

                continue;
            }

            var next = escaped[++i];
            if (next != (byte)'u')
            {
                if (expectLow)
                {
                    return false;
                }

                continue;
            }

            var unit = Hex(escaped.Slice(i + 1, 4));
            i += 4;
            var isHigh = unit is >= 0xD800 and <= 0xDBFF;
            var isLow = unit is >= 0xDC00 and <= 0xDFFF;
            if (expectLow != isLow)
            {
                return false;
            }

            expectLow = isHigh;
        }

        return !expectLow;
    }

    private static int Hex(ReadOnlySpan<byte> digits)
    {
        var value = 0;
        foreach (var digit in digits)
        {
            value = (value << 4) | (digit switch
            {
                >= (byte)'0' and <= (byte)'9' => digit - '0',
                >= (byte)'a' and <= (byte)'f' => digit - 'a' + 10,
                _ => digit - 'A' + 10,
            });
        }

        return value;
    }
}
