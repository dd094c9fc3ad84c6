using DocStore.Server.Consistency;
using DocStore.Server.Operations;
using DocStore.Server.Storage;
using DocStore.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace DocStore.Server.Api;

/// <summary>
/// The gRPC surface: each call validates, makes one store call and maps the result. The methods are
/// bound to the contract by <see cref="DocStoreServiceMethodProvider"/>, not by deriving from the
/// generated base class, so that undecodable requests get a clear error.
/// </summary>
internal sealed partial class DocStoreService(IDocumentStore store, CollectionRegistry collections, SessionTokenRegistry sessionTokens, DocStoreMetrics metrics, ChangeFeedStreams streams)
{
    public async Task<GetResponse> Get(GetRequest request, ServerCallContext context)
    {
        var (collection, key, callerToken) = RequestValidator.ValidateGet(request, collections);
        var sessionToken = await sessionTokens.ForReadAsync(collection, key.PartitionKey, callerToken, context.CancellationToken);
        var result = await store.ReadAsync(collection, key, sessionToken, context.CancellationToken);
        metrics.Record(nameof(Get), collection, result);
        var stored = Succeeded(result, collection, key);
        return new GetResponse { Document = ToDocument(key, StructJson.ParseStruct(stored.Body.Span), stored), Info = ToInfo(stored) };
    }

    public async Task<UpsertResponse> Upsert(UpsertRequest request, ServerCallContext context)
    {
        var (collection, key, body) = RequestValidator.ValidateUpsert(request, collections);
        var result = await store.UpsertAsync(collection, key, body, NullIfEmpty(request.IfMatch), context.CancellationToken);
        metrics.Record(nameof(Upsert), collection, result);
        var stored = Succeeded(result, collection, key);
        await sessionTokens.AdvanceAsync(collection, key.PartitionKey, stored.SessionToken);

        // The validator removed the system properties from the request's document, so it is the stored body.
        return new UpsertResponse { Document = ToDocument(key, request.Document, stored), Info = ToInfo(stored) };
    }

    public async Task<PatchResponse> Patch(PatchRequest request, ServerCallContext context)
    {
        var (collection, key, operations, condition) = RequestValidator.ValidatePatch(request, collections);
        var result = await store.PatchAsync(collection, key, operations, NullIfEmpty(request.IfMatch), condition, context.CancellationToken);
        metrics.Record(nameof(Patch), collection, result);
        var stored = Succeeded(result, collection, key);
        await sessionTokens.AdvanceAsync(collection, key.PartitionKey, stored.SessionToken);
        return new PatchResponse { Document = ToDocument(key, StructJson.ParseStruct(stored.Body.Span), stored), Info = ToInfo(stored) };
    }

    private static StoredDocument Succeeded(StoreResult result, CollectionDefinition collection, DocumentKey key)
    {
        if (result.Document is null)
        {
            DocStoreErrors.ThrowFor(result, collection, key);
        }

        return result.Document;
    }

    private static Document ToDocument(DocumentKey key, Struct body, StoredDocument stored) => new()
    {
        Id = key.Id,
        PartitionKey = key.PartitionKey,
        Body = body,
        Etag = stored.ETag,
        UpdateTime = Timestamp.FromDateTimeOffset(stored.UpdateTime),
    };

    private static ResponseInfo ToInfo(StoredDocument stored) => new()
    {
        SessionToken = stored.SessionToken,
        RequestCharge = stored.RequestCharge,
    };

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
