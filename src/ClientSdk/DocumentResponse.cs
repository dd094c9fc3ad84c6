namespace DocStore.Client;

/// <summary>A document that DocStore returned, with the call's metadata.</summary>
/// <typeparam name="T">The type the document was deserialized to.</typeparam>
public sealed class DocumentResponse<T>
{
    internal DocumentResponse(T value, string id, string partitionKey, string etag, DateTimeOffset updateTime, string sessionToken, double requestCharge)
    {
        Value = value;
        Id = id;
        PartitionKey = partitionKey;
        ETag = etag;
        UpdateTime = updateTime;
        SessionToken = sessionToken;
        RequestCharge = requestCharge;
    }

    /// <summary>The document, deserialized with the client's <see cref="DocStoreClientOptions.JsonSerializerOptions"/>.</summary>
    public T Value { get; }

    /// <summary>The document's id.</summary>
    public string Id { get; }

    /// <summary>The document's partition key value.</summary>
    public string PartitionKey { get; }

    /// <summary>The document's etag, double quotes included; pass it as <c>ifMatch</c> for optimistic concurrency.</summary>
    public string ETag { get; }

    /// <summary>When the document was last written.</summary>
    public DateTimeOffset UpdateTime { get; }

    /// <summary>
    /// The session token of the state this response saw. The client already remembers it for the
    /// document's partition; read it to carry the session to another process.
    /// </summary>
    public string SessionToken { get; }

    /// <summary>The request units the store charged for the call.</summary>
    public double RequestCharge { get; }
}
