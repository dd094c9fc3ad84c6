using System.Text.Encodings.Web;
using System.Text.Json;

namespace DocStore.Server.Storage;

/// <summary>How documents are read and written as JSON, the same in every layer.</summary>
internal static class DocumentJson
{
    /// <summary>
    /// Stored JSON is never embedded in HTML, so only the escapes JSON itself requires are written;
    /// the default encoder's <c>\uXXXX</c> for every non-ASCII character would inflate documents and
    /// skew the 2 MB rule. Writing deeper than <see cref="DocumentLimits.MaxDepth"/> throws.
    /// </summary>
    public static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        MaxDepth = DocumentLimits.MaxDepth,
    };

    /// <summary>Stored documents never exceed the depth limit; reading allows more so that the limit, not the reader, decides.</summary>
    public static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = DocumentLimits.MaxDepth * 2 };

    /// <inheritdoc cref="ReaderOptions"/>
    public static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = DocumentLimits.MaxDepth * 2 };
}
