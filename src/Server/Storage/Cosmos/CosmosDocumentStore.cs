using System.Net;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using DocStore.Server.Storage.Query;
using Microsoft.Azure.Cosmos;

namespace DocStore.Server.Storage.Cosmos;

/// <summary>
/// The production store: Azure Cosmos DB through the SDK's stream APIs. Each call branches on the
/// response's status code; nothing on the hot path throws for an expected outcome. The caller's
/// cancellation token (the gRPC deadline) flows into every call.
/// </summary>
internal sealed partial class CosmosDocumentStore(CosmosContainers containers, ILogger<CosmosDocumentStore> logger)
{
    /// <inheritdoc />
    public string TokenScope(CollectionDefinition collection) => containers.TokenScope(collection);

    public Task<StoreResult> ReadAsync(CollectionDefinition collection, DocumentKey key, string? sessionToken, CancellationToken cancellationToken) =>
        CallAsync(
            collection,
            CosmosOperation.Read,
            (key, options: sessionToken is null ? null : new ItemRequestOptions { SessionToken = sessionToken }),
            static (container, state, token) => container.ReadItemStreamAsync(state.key.Id, new PartitionKey(state.key.PartitionKey), state.options, token),
            cancellationToken);

    public async Task<StoreResult> UpsertAsync(CollectionDefinition collection, DocumentKey key, ReadOnlyMemory<byte> body, string? ifMatch, CancellationToken cancellationToken)
    {
        using var content = AsStream(body);
        if (ifMatch is null)
        {
            return await CallAsync(
                collection,
                CosmosOperation.Upsert,
                (key, content),
                static (container, state, token) => container.UpsertItemStreamAsync(state.content, new PartitionKey(state.key.PartitionKey), requestOptions: null, token),
                cancellationToken);
        }

        // Cosmos DB ignores If-Match on an upsert that creates (it answers 201), but DocStore's contract
        // is that if_match names the stored version: a conditional upsert is a conditional replace, and an
        // absent document does not match.
        return await CallAsync(
            collection,
            CosmosOperation.ConditionalReplace,
            (key, content, options: new ItemRequestOptions { IfMatchEtag = ifMatch }),
            static (container, state, token) => container.ReplaceItemStreamAsync(state.content, state.key.Id, new PartitionKey(state.key.PartitionKey), state.options, token),
            cancellationToken);
    }

    public async Task<StoreResult> PatchAsync(CollectionDefinition collection, DocumentKey key, IReadOnlyList<DocumentPatchOperation> operations, string? ifMatch, DocumentFilter? condition, CancellationToken cancellationToken)
    {
        var patch = new PatchOperation[operations.Count];
        for (var i = 0; i < patch.Length; i++)
        {
            patch[i] = ToCosmos(operations[i]);
        }

        var options = ifMatch is null && condition is null ? null : new PatchItemRequestOptions
        {
            IfMatchEtag = ifMatch,
            FilterPredicate = condition is null ? null : CosmosQueryText.FilterPredicate(condition),
        };
        var result = await CallAsync(
            collection,
            CosmosOperation.Patch,
            (key, patch, options),
            static (container, state, token) => container.PatchItemStreamAsync(state.key.Id, new PartitionKey(state.key.PartitionKey), state.patch, state.options, token),
            cancellationToken);
        return condition is null || result.Status != StoreStatus.PreconditionFailed
            ? result
            : await WhichPreconditionAsync(collection, key, ifMatch, cancellationToken);
    }

    public async Task<StoreResult> CreateAsync(CollectionDefinition collection, DocumentKey key, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        using var content = AsStream(body);
        return await CallAsync(
            collection,
            CosmosOperation.Create,
            (key, content),
            static (container, state, token) => container.CreateItemStreamAsync(state.content, new PartitionKey(state.key.PartitionKey), requestOptions: null, token),
            cancellationToken);
    }

    public async Task<StoreResult> ReplaceAsync(CollectionDefinition collection, DocumentKey key, ReadOnlyMemory<byte> body, string? ifMatch, CancellationToken cancellationToken)
    {
        using var content = AsStream(body);
        return await CallAsync(
            collection,
            CosmosOperation.Replace,
            (key, content, options: ifMatch is null ? null : new ItemRequestOptions { IfMatchEtag = ifMatch }),
            static (container, state, token) => container.ReplaceItemStreamAsync(state.content, state.key.Id, new PartitionKey(state.key.PartitionKey), state.options, token),
            cancellationToken);
    }

    public Task<StoreResult> DeleteAsync(CollectionDefinition collection, DocumentKey key, string? ifMatch, CancellationToken cancellationToken) =>
        CallAsync(
            collection,
            CosmosOperation.Delete,
            (key, options: ifMatch is null ? null : new ItemRequestOptions { IfMatchEtag = ifMatch }),
            static (container, state, token) => container.DeleteItemStreamAsync(state.key.Id, new PartitionKey(state.key.PartitionKey), state.options, token),
            cancellationToken);

    /// <summary>Reads by key with the SDK's <c>ReadManyItemsStreamAsync</c> (point reads grouped by partition range, not a query of DocStore's).</summary>
    public async Task<ReadManyStoreResult> ReadManyAsync(CollectionDefinition collection, IReadOnlyList<DocumentKey> keys, string? sessionToken, CancellationToken cancellationToken)
    {
        var items = keys.Select(k => (k.Id, new PartitionKey(k.PartitionKey))).ToList();
        var options = sessionToken is null ? null : new ReadManyRequestOptions { SessionToken = sessionToken };
        var result = await CallAsync(
            collection,
            CosmosOperation.ReadMany,
            (items, options),
            static (container, state, token) => container.ReadManyItemsStreamAsync(state.items, state.options, token),
            cancellationToken);
        if (result.Document is not { } page)
        {
            return ReadManyStoreResult.Failed(result);
        }

        // The response is {"Documents": [...]}, in no promised order: match each to its key.
        var found = new Dictionary<DocumentKey, StoredDocument>();
        using (var json = JsonDocument.Parse(page.Body, DocumentJson.DocumentOptions))
        {
            if (json.RootElement.TryGetProperty("Documents", out var documents) && documents.ValueKind == JsonValueKind.Array)
            {
                foreach (var element in documents.EnumerateArray())
                {
                    var raw = JsonSerializer.SerializeToUtf8Bytes(element);
                    var document = CosmosResponses.ToDocument(raw, null, page.SessionToken, 0);
                    if (element.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
                        && PropertyAt(element, collection.PartitionKeyPath) is { ValueKind: JsonValueKind.String } partitionKey)
                    {
                        found[new DocumentKey(id.GetString()!, partitionKey.GetString()!)] = document;
                    }
                }
            }
        }

        var ordered = new StoredDocument?[keys.Count];
        for (var i = 0; i < ordered.Length; i++)
        {
            ordered[i] = found.GetValueOrDefault(keys[i]);
        }

        return ReadManyStoreResult.Success(ordered, page.SessionToken, page.RequestCharge);
    }

    /// <summary>Runs the operations as one <c>TransactionalBatch</c>; the first operation that did not fail only because another did is the one reported.</summary>
    public async Task<BatchStoreResult> ExecuteBatchAsync(CollectionDefinition collection, string partitionKey, IReadOnlyList<BatchStep> operations, CancellationToken cancellationToken)
    {
        var batch = containers.Get(collection).CreateTransactionalBatch(new PartitionKey(partitionKey));
        var streams = new List<MemoryStream>();
        try
        {
            foreach (var step in operations)
            {
                Add(batch, step, streams);
            }

            TransactionalBatchResponse response;
            try
            {
                response = await batch.ExecuteAsync(cancellationToken);
            }
            catch (CosmosException e)
            {
                return BatchStoreResult.Failed(await CosmosResponses.FromExceptionAsync(e, CosmosOperation.Batch, collection, logger));
            }
            catch (HttpRequestException e)
            {
                Log.Unreachable(logger, 0, e);
                return BatchStoreResult.Failed(StoreResult.Failure(StoreStatus.Unavailable, "Cosmos DB cannot be reached"));
            }

            using (response)
            {
                return await ToBatchResultAsync(response, operations, collection, cancellationToken);
            }
        }
        finally
        {
            foreach (var stream in streams)
            {
                await stream.DisposeAsync();
            }
        }
    }

    private static void Add(TransactionalBatch batch, BatchStep step, List<MemoryStream> streams)
    {
        var options = step.IfMatch is null ? null : new TransactionalBatchItemRequestOptions { IfMatchEtag = step.IfMatch };
        switch (step.Kind)
        {
            case BatchStepKind.Create:
                batch.CreateItemStream(Tracked(step.Body, streams));
                break;
            case BatchStepKind.Upsert when step.IfMatch is not null:
                // As on Upsert: a conditional upsert is a conditional replace.
                batch.ReplaceItemStream(step.Key.Id, Tracked(step.Body, streams), options);
                break;
            case BatchStepKind.Upsert:
                batch.UpsertItemStream(Tracked(step.Body, streams));
                break;
            case BatchStepKind.Replace:
                batch.ReplaceItemStream(step.Key.Id, Tracked(step.Body, streams), options);
                break;
            case BatchStepKind.Patch:
                batch.PatchItem(
                    step.Key.Id,
                    step.Patch!.Select(ToCosmos).ToList(),
                    step.IfMatch is null && step.Condition is null
                        ? null
                        : new TransactionalBatchPatchItemRequestOptions
                        {
                            IfMatchEtag = step.IfMatch,
                            FilterPredicate = step.Condition is null ? null : CosmosQueryText.FilterPredicate(step.Condition),
                        });
                break;
            case BatchStepKind.Delete:
                batch.DeleteItem(step.Key.Id, options);
                break;
            case BatchStepKind.Read:
                batch.ReadItem(step.Key.Id);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(step), step.Kind, "Unknown batch operation.");
        }
    }

    private static JsonElement? PropertyAt(JsonElement element, JsonPointer path)
    {
        foreach (var segment in path.Segments)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(segment, out element))
            {
                return null;
            }
        }

        return element;
    }

    private static MemoryStream Tracked(ReadOnlyMemory<byte> body, List<MemoryStream> streams)
    {
        var stream = AsStream(body);
        streams.Add(stream);
        return stream;
    }

    private async Task<BatchStoreResult> ToBatchResultAsync(TransactionalBatchResponse response, IReadOnlyList<BatchStep> operations, CollectionDefinition collection, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            // Cosmos marks the operations that did not run because another failed with 424 (Failed Dependency).
            for (var i = 0; i < response.Count && i < operations.Count; i++)
            {
                var failed = response[i];
                // An operation's own failure; a store-wide one (throttled, unavailable) comes back as every operation's status.
                if (failed.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound or HttpStatusCode.Conflict
                    or HttpStatusCode.PreconditionFailed or HttpStatusCode.RequestEntityTooLarge)
                {
                    var step = operations[i];
                    var operation = ToOperation(step);
                    var failure = await CosmosResponses.FailureAsync(
                        failed.StatusCode, 0, response.Headers, () => Task.FromResult(CosmosResponses.CleanMessage(response.ErrorMessage)), operation, collection, logger);

                    // A patch's filter predicate that does not match is a 412 too, as an etag that does not.
                    return BatchStoreResult.OperationFailed(i, step.Condition is not null && failure.Status == StoreStatus.PreconditionFailed
                        ? await WhichPreconditionAsync(collection, step.Key, step.IfMatch, cancellationToken)
                        : failure);
                }
            }

            return BatchStoreResult.Failed(await CosmosResponses.FailureAsync(
                response.StatusCode, 0, response.Headers, () => Task.FromResult(CosmosResponses.CleanMessage(response.ErrorMessage)), CosmosOperation.Batch, collection, logger));
        }

        var session = response.Headers.Session ?? "";
        var results = new StoreResult[operations.Count];
        for (var i = 0; i < results.Length; i++)
        {
            var result = response[i];
            results[i] = operations[i].Kind == BatchStepKind.Delete
                ? StoreResult.Deleted(session, 0)
                : StoreResult.Success(CosmosResponses.ToDocument(await CosmosResponses.ReadAllAsync(result.ResourceStream, cancellationToken), result.ETag, session, 0));
        }

        return BatchStoreResult.Success(results, session, response.RequestCharge);
    }

    private static CosmosOperation ToOperation(BatchStep step) => step.Kind switch
    {
        BatchStepKind.Create => CosmosOperation.Create,
        BatchStepKind.Upsert when step.IfMatch is not null => CosmosOperation.ConditionalReplace,
        BatchStepKind.Upsert => CosmosOperation.Upsert,
        BatchStepKind.Replace => CosmosOperation.Replace,
        BatchStepKind.Patch => CosmosOperation.Patch,
        BatchStepKind.Delete => CosmosOperation.Delete,
        _ => CosmosOperation.Read,
    };

    /// <summary>
    /// Makes one stream call and maps its response. The SDK returns most failures as a response, but
    /// throws for a transport failure (connection refused, TLS) and for some statuses; those map the
    /// same way. Cancellation (the caller's deadline) propagates.
    /// </summary>
    private async Task<StoreResult> CallAsync<TState>(
        CollectionDefinition collection,
        CosmosOperation operation,
        TState state,
        Func<Container, TState, CancellationToken, Task<ResponseMessage>> call,
        CancellationToken cancellationToken)
    {
        ResponseMessage response;
        try
        {
            response = await call(containers.Get(collection), state, cancellationToken);
        }
        catch (CosmosException e)
        {
            return await CosmosResponses.FromExceptionAsync(e, operation, collection, logger);
        }
        catch (HttpRequestException e)
        {
            Log.Unreachable(logger, 0, e);
            return StoreResult.Failure(StoreStatus.Unavailable, "Cosmos DB cannot be reached");
        }

        using (response)
        {
            CosmosDiagnosticsLog.Record(logger, containers.DiagnosticsThreshold, operation, collection.Container, response.StatusCode, response.Diagnostics);
            return await CosmosResponses.ToResultAsync(response, operation, collection, logger, cancellationToken);
        }
    }

    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await containers.Database.ReadStreamAsync(cancellationToken: cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                Log.Unreachable(logger, (int)response.StatusCode, null);
            }

            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is CosmosException or HttpRequestException or TimeoutException)
        {
            Log.Unreachable(logger, e is CosmosException c ? (int)c.StatusCode : 0, e);
            return false;
        }
    }

    /// <summary>The Cosmos form of one validated operation; values are written by <see cref="SystemTextJsonCosmosSerializer"/>.</summary>
    internal static PatchOperation ToCosmos(DocumentPatchOperation operation)
    {
        var path = operation.Path.Text;
        return operation.Kind switch
        {
            PatchOperationKind.Set => PatchOperation.Set(path, operation.Value),
            PatchOperationKind.Add => PatchOperation.Add(path, operation.Value),
            PatchOperationKind.Replace => PatchOperation.Replace(path, operation.Value),
            PatchOperationKind.Remove => PatchOperation.Remove(path),
            PatchOperationKind.Increment when operation.Value is JsonValue value && value.TryGetValue<long>(out var whole) => PatchOperation.Increment(path, whole),
            PatchOperationKind.Increment => PatchOperation.Increment(path, operation.Value!.GetValue<double>()),
            PatchOperationKind.Move => PatchOperation.Move(operation.From!.Text, path),
            _ => throw new ArgumentOutOfRangeException(nameof(operation), operation.Kind, "Unknown patch operation."),
        };
    }

    private static MemoryStream AsStream(ReadOnlyMemory<byte> body) =>
        MemoryMarshal.TryGetArray(body, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(body.ToArray(), writable: false);
}

/// <summary>Which call a response answers; the same status means different things for each.</summary>
internal enum CosmosOperation
{
    Read,
    Upsert,
    ConditionalReplace,
    Patch,
    Query,
    QueryContinued,
    ChangeFeed,
    Create,
    Replace,
    Delete,
    ReadMany,
    Batch,
}
