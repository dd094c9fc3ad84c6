using DocStore.Server.Api.Wire;
using DocStore.Server.Operations;
using DocStore.Server.Storage;
using DocStore.V1;
using Grpc.Core;
using DocumentKey = DocStore.Server.Storage.DocumentKey;

namespace DocStore.Server.Api;

/// <summary>
/// The gRPC surface: each call validates, makes one store call and maps the result. The store it
/// receives already applies session consistency (<see cref="Consistency.SessionConsistentStore"/>).
/// The methods are bound to the contract by <see cref="DocumentsGrpcServiceMethodProvider"/>, not by
/// deriving from the generated base class, so that undecodable requests get a clear error.
/// </summary>
internal sealed partial class DocumentsGrpcService(IDocumentStore store, CollectionRegistry collections, DocStoreMetrics metrics, ChangeFeedStreams streams)
{
    public async Task<DocumentReply> Get(GetRequest request, ServerCallContext context)
    {
        var (collection, key, callerToken) = CommandBinder.BindGet(request, collections);
        var result = await store.ReadAsync(collection, key, callerToken, context.CancellationToken);
        var stored = Succeeded(nameof(Get), result, collection, key);
        return DocumentReply.Create(key, stored, request.BodyFormat);
    }

    public async Task<DocumentReply> Upsert(DocumentInput<UpsertRequest> input, ServerCallContext context)
    {
        var request = input.Request;
        var body = ReadBody(input, context);
        var (collection, key) = CommandBinder.BindUpsert(request, body, collections);
        var result = await store.UpsertAsync(collection, key, body.Json, NullIfEmpty(request.IfMatch), context.CancellationToken);
        var stored = Written(nameof(Upsert), result, collection, key, context);

        // A Struct document comes back as it was sent, without system properties; JSON as stored.
        return DocumentReply.Create(key, stored, request.BodyFormat, body.StructEncoding);
    }

    public async Task<DocumentReply> Patch(PatchRequest request, ServerCallContext context)
    {
        var (collection, key, operations, condition) = CommandBinder.BindPatch(request, collections);
        var result = await store.PatchAsync(collection, key, operations, NullIfEmpty(request.IfMatch), condition, context.CancellationToken);
        var stored = Written(nameof(Patch), result, collection, key, context);
        return DocumentReply.Create(key, stored, request.BodyFormat);
    }

    public async Task<DocumentReply> Create(DocumentInput<CreateRequest> input, ServerCallContext context)
    {
        var request = input.Request;
        var body = ReadBody(input, context);
        var (collection, key) = CommandBinder.BindCreate(request, body, collections);
        var result = await store.CreateAsync(collection, key, body.Json, context.CancellationToken);
        var stored = Written(nameof(Create), result, collection, key, context);
        return DocumentReply.Create(key, stored, request.BodyFormat, body.StructEncoding);
    }

    public async Task<DocumentReply> Replace(DocumentInput<ReplaceRequest> input, ServerCallContext context)
    {
        var request = input.Request;
        var body = ReadBody(input, context);
        var (collection, key) = CommandBinder.BindReplace(request, body, collections);
        var result = await store.ReplaceAsync(collection, key, body.Json, NullIfEmpty(request.IfMatch), context.CancellationToken);
        var stored = Written(nameof(Replace), result, collection, key, context);
        return DocumentReply.Create(key, stored, request.BodyFormat, body.StructEncoding);
    }

    public async Task<DeleteResponse> Delete(DeleteRequest request, ServerCallContext context)
    {
        var (collection, key) = CommandBinder.BindDelete(request, collections);
        var result = await store.DeleteAsync(collection, key, NullIfEmpty(request.IfMatch), context.CancellationToken);
        metrics.Record(nameof(Delete), collection, result);
        if (result.Status != StoreStatus.Ok)
        {
            DocStoreErrors.ThrowFor(result, collection, key);
        }

        return new DeleteResponse { Info = new ResponseInfo { SessionToken = result.SessionToken ?? "", RequestCharge = result.RequestCharge } };
    }

    public async Task<ReadManyResponse> ReadMany(ReadManyRequest request, ServerCallContext context)
    {
        var (collection, keys, callerToken) = CommandBinder.BindReadMany(request, collections);
        var result = await store.ReadManyAsync(collection, keys, callerToken, context.CancellationToken);
        metrics.Record(nameof(ReadMany), collection, result.Status, result.RequestCharge);
        if (result.Failure is { } failure)
        {
            DocStoreErrors.ThrowFor(failure, collection, keys[0]);
        }

        var response = new ReadManyResponse { Info = new ResponseInfo { SessionToken = result.SessionToken ?? "", RequestCharge = result.RequestCharge } };
        for (var i = 0; i < keys.Count; i++)
        {
            if (result.Documents[i] is { } stored)
            {
                response.Documents.Add(DocumentReply.Message(keys[i], stored, request.BodyFormat));
            }
            else
            {
                response.Missing.Add(request.Keys[i]);
            }
        }

        return response;
    }

    public async Task<ExecuteBatchResponse> ExecuteBatch(ExecuteBatchRequest request, ServerCallContext context)
    {
        var (collection, steps) = CommandBinder.BindBatch(request, collections);
        var result = await store.ExecuteBatchAsync(collection, request.PartitionKey, steps, context.CancellationToken);
        metrics.Record(nameof(ExecuteBatch), collection, result.Status, result.RequestCharge);
        if (result.Failure is { } failure)
        {
            if (result.FailedIndex is { } index)
            {
                DocStoreErrors.ThrowForBatchOperation(failure, collection, steps[index].Key, index, steps[index].Kind);
            }

            DocStoreErrors.ThrowFor(failure, collection, steps[0].Key);
        }

        var response = new ExecuteBatchResponse { Info = new ResponseInfo { SessionToken = result.SessionToken ?? "", RequestCharge = result.RequestCharge } };
        for (var i = 0; i < steps.Count; i++)
        {
            response.Results.Add(result.Results[i].Document is { } stored
                ? new BatchResult { Document = DocumentReply.Message(steps[i].Key, stored, request.BodyFormat) }
                : new BatchResult());
        }

        return response;
    }

    /// <summary>
    /// Reads a whole-document write's document, and records the keys found in it on the call's <see cref="DocumentCall"/>,
    /// for the audit trail of a write that then fails.
    /// </summary>
    private DocumentBody ReadBody(IDocumentRequest input, ServerCallContext context)
    {
        var body = DocumentBody.Read(input, collections.TryGet(input.Collection, out var named) ? named : null);
        if (body.Keys is { } keys)
        {
            DocumentCall.Of(context)?.Found(keys.Id, keys.PartitionKey);
        }

        return body;
    }

    /// <summary>As <see cref="Succeeded(string, StoreResult, CollectionDefinition, DocumentKey)"/>, for a write: the written document's keys and etag go on the call's <see cref="DocumentCall"/>.</summary>
    private StoredDocument Written(string method, StoreResult result, CollectionDefinition collection, DocumentKey key, ServerCallContext context)
    {
        var stored = Succeeded(method, result, collection, key);
        DocumentCall.Of(context)?.Wrote(key, stored.ETag);
        return stored;
    }

    /// <summary>Records the store call's outcome for <paramref name="method"/>, and returns its document or throws the error the outcome maps to.</summary>
    private StoredDocument Succeeded(string method, StoreResult result, CollectionDefinition collection, DocumentKey key)
    {
        metrics.Record(method, collection, result);
        if (result.Document is null)
        {
            DocStoreErrors.ThrowFor(result, collection, key);
        }

        return result.Document;
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
