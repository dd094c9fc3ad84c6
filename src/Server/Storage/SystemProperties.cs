using System.Text;

namespace DocStore.Server.Storage;

/// <summary>Recognises the store's own root properties (<see cref="DocumentLimits.SystemProperties"/>) as UTF-8.</summary>
internal static class SystemProperties
{
    private static readonly byte[][] Names = [.. DocumentLimits.SystemProperties.Select(Encoding.UTF8.GetBytes)];

    /// <summary>True for the UTF-8 name of a property the store owns.</summary>
    public static bool Contains(ReadOnlySpan<byte> name)
    {
        if (name.Length < 3 || name[0] != (byte)'_')
        {
            return false;
        }

        foreach (var system in Names)
        {
            if (name.SequenceEqual(system))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>
/// Cuts root properties out of a JSON object, each with the comma that separates it, so that the
/// rest stays valid JSON and is copied, never rewritten. Fed while a reader goes forward once:
/// <see cref="Name"/> at every root property name, then <see cref="Cut"/> or <see cref="Keep"/>
/// once its value has been read, and <see cref="End"/> at the closing brace.
/// </summary>
internal sealed class RootPropertyCuts
{
    private List<(int Start, int End)>? _cuts;
    private bool _keptBefore;
    private int _previousEnd;
    private int _cutFrom = -1;

    /// <summary>True when at least one property is cut.</summary>
    public bool Any => _cuts is not null || _cutFrom >= 0;

    /// <summary>A root property's name starts at <paramref name="start"/> (its opening quote).</summary>
    public void Name(int start)
    {
        if (_cutFrom >= 0)
        {
            // A cut with no kept property before it runs up to the next property's name, its comma included.
            (_cuts ??= []).Add((_cutFrom, start));
            _cutFrom = -1;
        }
    }

    /// <summary>Cuts the property whose name starts at <paramref name="start"/> and whose value ends before <paramref name="end"/>.</summary>
    public void Cut(int start, int end)
    {
        if (_keptBefore)
        {
            // From the end of the previous value: its comma goes with this property.
            (_cuts ??= []).Add((_previousEnd, end));
        }
        else
        {
            _cutFrom = start;
        }

        _previousEnd = end;
    }

    /// <summary>Keeps the property whose value ends before <paramref name="end"/>.</summary>
    public void Keep(int end)
    {
        _keptBefore = true;
        _previousEnd = end;
    }

    /// <summary>The root object closed.</summary>
    public void End()
    {
        if (_cutFrom >= 0)
        {
            // Only cut properties since the last kept one, and none kept before: up to the last value's end.
            (_cuts ??= []).Add((_cutFrom, _previousEnd));
            _cutFrom = -1;
        }
    }

    /// <summary><paramref name="json"/> without the cut properties; the same memory when nothing was cut.</summary>
    public ReadOnlyMemory<byte> Apply(ReadOnlyMemory<byte> json)
    {
        if (_cuts is null)
        {
            return json;
        }

        var removed = 0;
        foreach (var (start, end) in _cuts)
        {
            removed += end - start;
        }

        var result = new byte[json.Length - removed];
        var written = 0;
        var from = 0;
        foreach (var (start, end) in _cuts)
        {
            json.Span[from..start].CopyTo(result.AsSpan(written));
            written += start - from;
            from = end;
        }

        json.Span[from..].CopyTo(result.AsSpan(written));
        return result;
    }
}
