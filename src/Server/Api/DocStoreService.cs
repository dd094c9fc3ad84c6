using DocStore.Server.Api.Wire;
using DocStore.Server.Consistency;
using DocStore.Server.Operations;
using DocStore.Server.Storage;
using DocStore.V1;
using Grpc.Core;

namespace DocStore.Server.Api;

/// <summary>
/// The gRPC surface: each call validates, makes one store call and maps the result. The methods are
/// bound to the contract by <see cref="DocStoreServiceMethodProvider"/>, not by deriving from the
/// generated base class, so that undecodable requests get a clear error.
/// </summary>
internal sealed class DocStoreService(IDocumentStore store, CollectionRegistry collections, SessionTokenRegistry sessionTokens, DocStoreMetrics metrics)
{
    public async Task<DocumentReply> Get(GetRequest request, ServerCallContext context)
    {
        var (collection, key, callerToken) = RequestValidator.ValidateGet(request, collections);
        var sessionToken = await sessionTokens.ForReadAsync(collection, key.PartitionKey, callerToken, context.CancellationToken);
        var result = await store.ReadAsync(collection, key, sessionToken, context.CancellationToken);
        metrics.Record(nameof(Get), collection, result);
        var stored = Succeeded(result, collection, key);
        return DocumentReply.Create(key, stored, request.BodyFormat);
    }

    public async Task<DocumentReply> Upsert(UpsertInput input, ServerCallContext context)
    {
        var request = input.Request;
        var (collection, key, body, structBody) = RequestValidator.ValidateUpsert(input, collections);
        var result = await store.UpsertAsync(collection, key, body, NullIfEmpty(request.IfMatch), context.CancellationToken);
        metrics.Record(nameof(Upsert), collection, result);
        var stored = Succeeded(result, collection, key);
        await sessionTokens.AdvanceAsync(collection, key.PartitionKey, stored.SessionToken);

        // A Struct document comes back as it was sent, without system properties; JSON as stored.
        return DocumentReply.Create(key, stored, request.BodyFormat, structBody);
    }

    public async Task<DocumentReply> Patch(PatchRequest request, ServerCallContext context)
    {
        var (collection, key, operations) = RequestValidator.ValidatePatch(request, collections);
        var result = await store.PatchAsync(collection, key, operations, NullIfEmpty(request.IfMatch), context.CancellationToken);
        metrics.Record(nameof(Patch), collection, result);
        var stored = Succeeded(result, collection, key);
        await sessionTokens.AdvanceAsync(collection, key.PartitionKey, stored.SessionToken);
        return DocumentReply.Create(key, stored, request.BodyFormat);
    }

    private static StoredDocument Succeeded(StoreResult result, CollectionDefinition collection, DocumentKey key)
    {
        if (result.Document is null)
        {
            DocStoreErrors.ThrowFor(result, collection, key);
        }

        return result.Document;
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
