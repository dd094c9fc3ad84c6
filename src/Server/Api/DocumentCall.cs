using Grpc.Core;
using DocumentKey = DocStore.Server.Storage.DocumentKey;

namespace DocStore.Server.Api;

/// <summary>
/// What one write call touched, carried beside the call in the HTTP context's features (as ASP.NET Core's
/// <c>HttpContext.Features</c> carry per-request state): the authorization interceptor opens it with the collection
/// and action, the service fills in the document's keys once it has found them and the etag it wrote, and the audit
/// trail reads it after the call. Nothing is written back into the request message.
/// </summary>
internal sealed class DocumentCall(string collection, string action)
{
    /// <summary>The collection the request names.</summary>
    public string Collection { get; } = collection;

    /// <summary>The action the call's rule names (a batch's: <c>batch</c>).</summary>
    public string Action { get; } = action;

    /// <summary>Whether the service has found the document's keys (then <see cref="Id"/> and <see cref="PartitionKey"/> hold what it found).</summary>
    public bool KeysFound { get; private set; }

    /// <summary>The document's id, as the service found it; null before, or when it could not be found.</summary>
    public string? Id { get; private set; }

    /// <summary>The document's partition key, as the service found it; null before, or when it could not be found.</summary>
    public string? PartitionKey { get; private set; }

    /// <summary>The etag of the document the call wrote, once it has.</summary>
    public string? ETag { get; private set; }

    /// <summary>The call's record, when one was opened for it (writes, by the authorization interceptor).</summary>
    public static DocumentCall? Of(ServerCallContext context) => context.GetHttpContext().Features.Get<DocumentCall>();

    /// <summary>Carries this record beside <paramref name="context"/>'s call.</summary>
    public void Open(ServerCallContext context) => context.GetHttpContext().Features.Set(this);

    /// <summary>Records the keys found in the request's document (either may be missing from it).</summary>
    public void Found(string? id, string? partitionKey) => (KeysFound, Id, PartitionKey) = (true, id, partitionKey);

    /// <summary>Records the keys and etag of the document the call wrote.</summary>
    public void Wrote(DocumentKey key, string etag) => (KeysFound, Id, PartitionKey, ETag) = (true, key.Id, key.PartitionKey, etag);
}
