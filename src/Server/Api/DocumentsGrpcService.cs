using DocStore.Server.Api.Wire;
using DocStore.Server.Operations;
using DocStore.Server.Storage;
using DocStore.Server.Storage.Commands;
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
internal sealed partial class DocumentsGrpcService(IDocumentStore store, ChangeFeedFollower follower, CollectionRegistry collections, DocStoreMetrics metrics, ChangeFeedStreams streams)
{
    public async Task<DocumentReply> Get(GetRequest request, ServerCallContext context)
    {
        var command = CommandBinder.BindGet(request, collections);
        var result = await store.ExecuteAsync(command, context.CancellationToken);
        var stored = Succeeded(nameof(Get), result, command.Collection, command.Key);
        return DocumentReply.Create(command.Key, stored, request.BodyFormat);
    }

    public async Task<DocumentReply> Upsert(DocumentInput<UpsertRequest> input, ServerCallContext context)
    {
        var body = ReadBody(input, context);
        var command = CommandBinder.BindUpsert(input.Request, body, collections);
        var stored = await WriteAsync(nameof(Upsert), command, context);

        // A Struct document comes back as it was sent, without system properties; JSON as stored.
        return DocumentReply.Create(command.Key, stored, input.Request.BodyFormat, body.StructEncoding);
    }

    public async Task<DocumentReply> Patch(PatchRequest request, ServerCallContext context)
    {
        var command = CommandBinder.BindPatch(request, collections);
        var stored = await WriteAsync(nameof(Patch), command, context);
        return DocumentReply.Create(command.Key, stored, request.BodyFormat);
    }

    public async Task<DocumentReply> Create(DocumentInput<CreateRequest> input, ServerCallContext context)
    {
        var body = ReadBody(input, context);
        var command = CommandBinder.BindCreate(input.Request, body, collections);
        var stored = await WriteAsync(nameof(Create), command, context);
        return DocumentReply.Create(command.Key, stored, input.Request.BodyFormat, body.StructEncoding);
    }

    public async Task<DocumentReply> Replace(DocumentInput<ReplaceRequest> input, ServerCallContext context)
    {
        var body = ReadBody(input, context);
        var command = CommandBinder.BindReplace(input.Request, body, collections);
        var stored = await WriteAsync(nameof(Replace), command, context);
        return DocumentReply.Create(command.Key, stored, input.Request.BodyFormat, body.StructEncoding);
    }

    public async Task<DeleteResponse> Delete(DeleteRequest request, ServerCallContext context)
    {
        var command = CommandBinder.BindDelete(request, collections);
        var result = await store.ExecuteAsync(command, context.CancellationToken);
        metrics.Record(nameof(Delete), command.Collection, result);
        if (result.Status != StoreStatus.Ok)
        {
            DocStoreErrors.ThrowFor(result, command.Collection, command.Key);
        }

        return new DeleteResponse { Info = new ResponseInfo { SessionToken = result.SessionToken ?? "", RequestCharge = result.RequestCharge } };
    }

    public async Task<ReadManyResponse> ReadMany(ReadManyRequest request, ServerCallContext context)
    {
        var command = CommandBinder.BindReadMany(request, collections);
        var keys = command.Keys;
        var result = await store.ExecuteAsync(command, context.CancellationToken);
        metrics.Record(nameof(ReadMany), command.Collection, result.Status, result.RequestCharge);
        if (result.Failure is { } failure)
        {
            DocStoreErrors.ThrowFor(failure, command.Collection, keys[0]);
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
        var command = CommandBinder.BindBatch(request, collections);
        var (collection, steps) = (command.Collection, command.Operations);
        var result = await store.ExecuteAsync(command, context.CancellationToken);
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

    /// <summary>
    /// Runs a write of one document, records its outcome for <paramref name="method"/>, and returns the written
    /// document (its keys and etag go on the call's <see cref="DocumentCall"/>) or throws the error the outcome maps to.
    /// </summary>
    private async Task<StoredDocument> WriteAsync(string method, DocumentWrite command, ServerCallContext context)
    {
        var result = await store.ExecuteAsync(command, context.CancellationToken);
        var stored = Succeeded(method, result, command.Collection, command.Key);
        DocumentCall.Of(context)?.Wrote(command.Key, stored.ETag);
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

}
