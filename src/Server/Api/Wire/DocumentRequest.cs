namespace DocStore.Server.Api.Wire;

/// <summary>
/// A request that carries one whole document as bytes (<see cref="UpsertInput"/>, <see cref="DocumentInput{TRequest}"/>).
/// Once the service has read the document it keeps the id and partition key it found here (<see cref="KeepKeys"/>),
/// so that the audit trail can name them when the write then fails, without reading the document again.
/// </summary>
internal interface IDocumentRequest : IMessageView
{
    /// <summary>The <c>document</c> field's Struct encoding, when set.</summary>
    ReadOnlyMemory<byte>? Document { get; }

    /// <summary>The <c>document_json</c> field, when set (an empty one counts as unset, as in proto3).</summary>
    ReadOnlyMemory<byte>? DocumentJson { get; }

    /// <summary>Whether the service has read the document (then <see cref="Keys"/> holds what it found).</summary>
    bool KeysRead { get; }

    /// <summary>The keys found when the document was read; null before, or when there was no single document to read.</summary>
    DocumentKeys? Keys { get; }

    /// <summary>Keeps the keys found while reading the document.</summary>
    void KeepKeys(DocumentKeys? keys);
}
