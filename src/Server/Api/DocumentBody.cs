using System.Buffers;
using DocStore.Server.Storage;
using Google.Protobuf.WellKnownTypes;

namespace DocStore.Server.Api;

/// <summary>
/// A request's document converted to the form stores keep: UTF-8 JSON without system properties.
/// Conversion is a step of its own, before validation, which reports <see cref="Problem"/> with the
/// request's other problems. Neither step changes the request.
/// </summary>
internal sealed class DocumentBody
{
    private DocumentBody(byte[] json, string? problemField, string? problem)
    {
        Json = json;
        ProblemField = problemField;
        Problem = problem;
    }

    /// <summary>The document as UTF-8 JSON, system properties left out; empty when there is a <see cref="Problem"/>.</summary>
    public byte[] Json { get; }

    /// <summary>The request field that cannot be converted (<c>document</c> or below it), when there is a <see cref="Problem"/>.</summary>
    public string? ProblemField { get; }

    /// <summary>Why the document has no JSON form (a missing document, a value without one, nesting too deep), or <see langword="null"/>.</summary>
    public string? Problem { get; }

    /// <summary>Converts <paramref name="document"/>; a document that cannot be converted gives a <see cref="Problem"/>, not an exception.</summary>
    public static DocumentBody FromStruct(Struct? document)
    {
        if (document is null)
        {
            return new DocumentBody([], "document", "is required");
        }

        try
        {
            var buffer = new ArrayBufferWriter<byte>(Math.Max(256, document.CalculateSize()));
            StructJson.WriteDocument(document, buffer, DocumentLimits.SystemProperties);
            return new DocumentBody(buffer.WrittenSpan.ToArray(), null, null);
        }
        catch (InvalidJsonValueException e)
        {
            return new DocumentBody([], e.Path.Length == 0 ? "document" : "document." + e.Path, e.Reason);
        }
    }

    /// <summary>
    /// <paramref name="document"/> as stored: itself when it has no system property, else a copy without
    /// them. The request's message is never changed.
    /// </summary>
    public static Struct WithoutSystemProperties(Struct document)
    {
        if (!document.Fields.Keys.Any(DocumentLimits.SystemProperties.Contains))
        {
            return document;
        }

        var copy = document.Clone();
        foreach (var name in DocumentLimits.SystemProperties)
        {
            copy.Fields.Remove(name);
        }

        return copy;
    }
}
