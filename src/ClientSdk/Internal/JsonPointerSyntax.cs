namespace DocStore.Client.Internal;

/// <summary>The server's rules for patch paths that do not depend on the collection, checked before a patch is sent.</summary>
internal static class JsonPointerSyntax
{
    private static readonly string[] SystemProperties = ["_rid", "_self", "_etag", "_ts", "_attachments"];

    /// <summary>Why <paramref name="path"/> cannot be a patch path, or null when it can.</summary>
    public static string? Check(string path)
    {
        if (path.Length == 0)
        {
            return "A patch path must not be empty; a JSON Pointer starts with '/'.";
        }

        if (path[0] != '/')
        {
            return $"'{path}' is not a JSON Pointer: it must start with '/'.";
        }

        for (var i = 0; i < path.Length; i++)
        {
            if (path[i] == '~' && (i + 1 == path.Length || path[i + 1] is not ('0' or '1')))
            {
                return $"'{path}' is not a JSON Pointer: '~' must be followed by '0' or '1' (write '~0' for '~' and '~1' for '/').";
            }
        }

        var end = path.IndexOf('/', 1);
        var first = end < 0 ? path[1..] : path[1..end];
        if (first == "id")
        {
            return "'/id' cannot be patched.";
        }

        if (Array.IndexOf(SystemProperties, first) >= 0)
        {
            return $"'{first}' is a system property and cannot be patched.";
        }

        return null;
    }
}
