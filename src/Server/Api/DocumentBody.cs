using System.Buffers;
using DocStore.Server.Api.Wire;
using DocStore.Server.Storage;

namespace DocStore.Server.Api;

/// <summary>
/// An upsert's document converted to the form stores keep: UTF-8 JSON without system properties.
/// Conversion is a step of its own, before validation, which reports <see cref="Problem"/> with the
/// request's other problems; neither step changes the request. The document is read once, by a
/// transcoder of <c>Api/Wire</c>, from the request's bytes: a Struct (<c>document</c>) is transcoded
/// to JSON, JSON (<c>document_json</c>) is checked and kept as it is. Neither becomes a DOM. The id and
/// partition key are found on the way (<see cref="Keys"/>), for the validator to check.
/// </summary>
internal sealed class DocumentBody
{
    private DocumentBody(string field, ReadOnlyMemory<byte> json, ReadOnlyMemory<byte>? structEncoding, DocumentKeys? keys, string? problemField, string? problem)
    {
        Field = field;
        Json = json;
        StructEncoding = structEncoding;
        Keys = keys;
        ProblemField = problemField;
        Problem = problem;
    }

    /// <summary>The request field the document came in: <c>document</c> or <c>document_json</c>.</summary>
    public string Field { get; }

    /// <summary>The document as UTF-8 JSON, system properties left out; empty when there is a <see cref="Problem"/>.</summary>
    public ReadOnlyMemory<byte> Json { get; }

    /// <summary>For a Struct document, its encoding without system properties: what an Upsert's Struct reply echoes.</summary>
    public ReadOnlyMemory<byte>? StructEncoding { get; }

    /// <summary>The id and partition key as found in the document; null when it was not read (no collection, no document).</summary>
    public DocumentKeys? Keys { get; }

    /// <summary>The request field that cannot be converted (<see cref="Field"/> or below it), when there is a <see cref="Problem"/>.</summary>
    public string? ProblemField { get; }

    /// <summary>Why the document has no stored form (missing, in both forms, invalid JSON, a value without a JSON form, too deep, too large), or <see langword="null"/>.</summary>
    public string? Problem { get; }

    /// <summary>
    /// Converts the document of <paramref name="input"/> (an Upsert, Create or Replace), finding the partition key at
    /// <paramref name="collection"/>'s path; without a collection nothing is read (the validator then reports the
    /// collection). A document that cannot be converted gives a <see cref="Problem"/>, not an exception.
    /// </summary>
    public static DocumentBody Read(IDocumentRequest input, CollectionDefinition? collection) =>
        Read(input.Document, input.DocumentJson, collection);

    /// <summary>
    /// Converts a document given as its Struct encoding (<paramref name="document"/>) or as JSON
    /// (<paramref name="documentJson"/>), exactly one of them set; a batch's writes come this way.
    /// </summary>
    public static DocumentBody Read(ReadOnlyMemory<byte>? document, ReadOnlyMemory<byte>? documentJson, CollectionDefinition? collection)
    {
        if (document is not null && documentJson is not null)
        {
            return new DocumentBody("document_json", default, null, null, "document_json", "must not be set together with document; send the document in one form");
        }

        if (document is null && documentJson is null)
        {
            return new DocumentBody("document", default, null, null, "document", "is required (or document_json)");
        }

        if (collection is null)
        {
            return new DocumentBody("document", default, null, null, null, null);
        }

        if (documentJson is { } json)
        {
            return From("document_json", JsonDocumentReader.Read(json, collection.PartitionKeyPath), null);
        }

        var structBytes = document!.Value;
        var transcoded = StructToJson.Transcode(structBytes.Span, collection.PartitionKeyPath, new ArrayBufferWriter<byte>(Math.Max(256, structBytes.Length)));
        return From("document", transcoded.Reading, StructToJson.WithoutDropped(structBytes, transcoded.Dropped));
    }

    private static DocumentBody From(string field, DocumentReading reading, ReadOnlyMemory<byte>? structEncoding) =>
        reading.Problem is { } problem
            ? new DocumentBody(field, default, null, reading.Keys, problem.Path.Length == 0 ? field : $"{field}.{problem.Path}", problem.Reason)
            : new DocumentBody(field, reading.Body, structEncoding, reading.Keys, null, null);
}
