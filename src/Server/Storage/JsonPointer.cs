using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace DocStore.Server.Storage;

/// <summary>
/// A parsed JSON Pointer (RFC 6901) that names a location inside a document: <c>/a/b/0</c>,
/// with <c>~1</c> for '/' and <c>~0</c> for '~' inside a segment. The root pointer (the empty
/// string) is not accepted: nothing in DocStore may target a whole document.
/// </summary>
internal sealed class JsonPointer : IEquatable<JsonPointer>
{
    private readonly string[] _segments;

    private JsonPointer(string text, string[] segments)
    {
        Text = text;
        _segments = segments;
    }

    /// <summary>The pointer as written, escapes included.</summary>
    public string Text { get; }

    /// <summary>The unescaped reference tokens, outermost first; never empty.</summary>
    public IReadOnlyList<string> Segments => _segments;

    /// <summary>The last reference token.</summary>
    public string Last => _segments[^1];

    /// <summary>Parses <paramref name="text"/>, or explains in <paramref name="error"/> why it is not a pointer.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out JsonPointer? pointer, [NotNullWhen(false)] out string? error)
    {
        pointer = null;
        if (text.Length == 0)
        {
            error = "must not be empty; a JSON Pointer starts with '/'";
            return false;
        }

        if (text[0] != '/')
        {
            error = $"{Quote.Short(text)} is not a JSON Pointer: it must start with '/'";
            return false;
        }

        var segments = new List<string>();
        var segment = new StringBuilder();
        for (var i = 1; i <= text.Length; i++)
        {
            if (i == text.Length || text[i] == '/')
            {
                segments.Add(segment.ToString());
                segment.Clear();
                continue;
            }

            var c = text[i];
            if (c != '~')
            {
                segment.Append(c);
                continue;
            }

            var next = i + 1 < text.Length ? text[i + 1] : '\0';
            if (next is not ('0' or '1'))
            {
                error = $"{Quote.Short(text)} is not a JSON Pointer: '~' must be followed by '0' or '1' (write '~0' for '~' and '~1' for '/')";
                return false;
            }

            segment.Append(next == '0' ? '~' : '/');
            i++;
        }

        pointer = new JsonPointer(text, [.. segments]);
        error = null;
        return true;
    }

    /// <summary>Parses a pointer that is known to be valid, such as one from validated configuration.</summary>
    public static JsonPointer Parse(string text) =>
        TryParse(text, out var pointer, out var error) ? pointer : throw new FormatException(error);

    /// <summary>True when this pointer names <paramref name="other"/> or one of its ancestors.</summary>
    public bool IsSelfOrAncestorOf(JsonPointer other)
    {
        if (_segments.Length > other._segments.Length)
        {
            return false;
        }

        for (var i = 0; i < _segments.Length; i++)
        {
            if (!string.Equals(_segments[i], other._segments[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when this pointer names a strict descendant of <paramref name="other"/>.</summary>
    public bool IsDescendantOf(JsonPointer other) =>
        _segments.Length > other._segments.Length && other.IsSelfOrAncestorOf(this);

    public bool Equals(JsonPointer? other) =>
        other is not null && _segments.AsSpan().SequenceEqual(other._segments);

    public override bool Equals(object? obj) => Equals(obj as JsonPointer);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var segment in _segments)
        {
            hash.Add(segment, StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }

    public override string ToString() => Text;
}
