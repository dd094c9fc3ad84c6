namespace DocStore.Server.Storage;

/// <summary>A document as a store returns it.</summary>
/// <param name="Body">UTF-8 JSON without system properties.</param>
/// <param name="ETag">Changes on every write.</param>
/// <param name="UpdateTime">When the document was last written.</param>
/// <param name="SessionToken">The session token that names the state this response reflects.</param>
/// <param name="RequestCharge">Request units the call cost (estimated by the embedded store).</param>
internal sealed record StoredDocument(
    ReadOnlyMemory<byte> Body,
    string ETag,
    DateTimeOffset UpdateTime,
    string SessionToken,
    double RequestCharge);
