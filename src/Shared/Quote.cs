using System.Globalization;

namespace DocStore.Shared;

/// <summary>
/// Quotes caller-supplied text in error messages, shortened: an error travels in HTTP/2 trailers,
/// and echoing a 40 KB value would push them past the client's header limit, turning a clear
/// INVALID_ARGUMENT into a transport failure.
/// </summary>
internal static class Quote
{
    private const int MaxCharacters = 64;

    public static string Short(string value) =>
        value.Length <= MaxCharacters
            ? $"'{value}'"
            : string.Create(CultureInfo.InvariantCulture, $"'{value[..MaxCharacters]}…' ({value.Length} characters)");
}
