namespace DocStore.Server.Storage;

/// <summary>One validated operation of a transactional batch; every key is in the batch's partition.</summary>
/// <param name="Kind">What it does.</param>
/// <param name="Key">The document it touches.</param>
/// <param name="Body">The whole document as UTF-8 JSON (create, upsert, replace), else empty.</param>
/// <param name="Patch">The patch operations (patch), else <see langword="null"/>.</param>
/// <param name="IfMatch">The etag precondition, when one was given (never on create or read).</param>
/// <param name="Condition">A patch's filter the document must match, when one was given (patch only).</param>
internal sealed record BatchStep(
    BatchStepKind Kind,
    DocumentKey Key,
    ReadOnlyMemory<byte> Body = default,
    IReadOnlyList<DocumentPatchOperation>? Patch = null,
    string? IfMatch = null,
    Query.DocumentFilter? Condition = null);
