using System.Text;

namespace DocStore.Server.Api.Wire;

/// <summary>
/// The open objects and arrays of a document being read forward, outermost first: the property
/// names seen in each open object (to reject duplicates) and the index reached in each open array
/// (to name where a problem is). Names are kept as UTF-8 in one arena that shrinks as objects close,
/// so a document of thousands of small objects allocates nothing per object.
/// </summary>
internal sealed class DocumentPath
{
    // Objects with more properties than this check duplicates through a hash set.
    private const int LinearScanLimit = 16;

    private byte[] _arena = new byte[256];
    private int _arenaLength;
    private (int Start, int Length)[] _names = new (int, int)[32];
    private int _nameCount;
    private Frame[] _frames = new Frame[8];

    /// <summary>Open objects and arrays; the root object is level 1.</summary>
    public int Level { get; private set; }

    /// <summary>Opens an object or an array.</summary>
    public void Push(bool isObject)
    {
        if (Level == _frames.Length)
        {
            Array.Resize(ref _frames, Level * 2);
        }

        _frames[Level++] = new Frame(isObject, _nameCount, _arenaLength, -1, null);
    }

    /// <summary>Closes the innermost object or array.</summary>
    public void Pop()
    {
        var frame = _frames[--Level];
        _nameCount = frame.FirstName;
        _arenaLength = frame.ArenaStart;
        _frames[Level] = default;
    }

    /// <summary>Counts the next item when the innermost open container is an array.</summary>
    public void NextItemIfInArray()
    {
        if (Level > 0 && !_frames[Level - 1].IsObject)
        {
            _frames[Level - 1].Index++;
        }
    }

    /// <summary>Adds a property name to the innermost object; false when the object already has it.</summary>
    /// <remarks>Until the next name, <see cref="Describe"/> ends with this one.</remarks>
    public bool AddName(ReadOnlySpan<byte> name)
    {
        ref var frame = ref _frames[Level - 1];
        var count = _nameCount - frame.FirstName;
        var duplicate = false;
        if (frame.Large is { } large)
        {
            duplicate = !large.Add(Encoding.UTF8.GetString(name));
        }
        else
        {
            for (var i = frame.FirstName; i < _nameCount; i++)
            {
                if (_arena.AsSpan(_names[i].Start, _names[i].Length).SequenceEqual(name))
                {
                    duplicate = true;
                    break;
                }
            }

            if (count == LinearScanLimit && !duplicate)
            {
                large = new HashSet<string>(StringComparer.Ordinal);
                for (var i = frame.FirstName; i < _nameCount; i++)
                {
                    large.Add(Encoding.UTF8.GetString(_arena, _names[i].Start, _names[i].Length));
                }

                large.Add(Encoding.UTF8.GetString(name));
                frame.Large = large;
            }
        }

        // Only the latest name of an object is needed once it has a hash set: for the path.
        if (frame.Large is not null && count > LinearScanLimit)
        {
            _nameCount--;
            _arenaLength = _names[_nameCount].Start;
        }

        if (_arenaLength + name.Length > _arena.Length)
        {
            Array.Resize(ref _arena, Math.Max(_arena.Length * 2, _arenaLength + name.Length));
        }

        if (_nameCount == _names.Length)
        {
            Array.Resize(ref _names, _names.Length * 2);
        }

        name.CopyTo(_arena.AsSpan(_arenaLength));
        _names[_nameCount++] = (_arenaLength, name.Length);
        _arenaLength += name.Length;

        // A duplicate is kept too, as the name the path ends with; the caller stops reading.
        return !duplicate;
    }

    /// <summary>
    /// Where the reader is, as the error contract names fields inside a document:
    /// <c>items[3].name</c>; empty at the root.
    /// </summary>
    /// <param name="withCurrentName">False to name the innermost object itself, not its latest property.</param>
    public string Describe(bool withCurrentName = true)
    {
        var path = new StringBuilder();
        for (var level = 0; level < Level; level++)
        {
            var frame = _frames[level];
            var end = level + 1 < Level ? _frames[level + 1].FirstName : _nameCount;
            if (frame.IsObject && end > frame.FirstName && (withCurrentName || level + 1 < Level))
            {
                var (start, length) = _names[end - 1];
                if (path.Length > 0)
                {
                    path.Append('.');
                }

                path.Append(Encoding.UTF8.GetString(_arena, start, length));
            }
            else if (!frame.IsObject && frame.Index >= 0)
            {
                path.Append('[').Append(frame.Index).Append(']');
            }
        }

        return path.ToString();
    }

    private record struct Frame(bool IsObject, int FirstName, int ArenaStart, int Index, HashSet<string>? Large);
}
