using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using DocStore.Server.Storage.Query;
using Microsoft.Azure.Cosmos;

namespace DocStore.Server.Storage.Cosmos;

/// <summary>
/// The production store: Azure Cosmos DB through the SDK's stream APIs. Each call branches on the
/// response's status code; nothing on the hot path throws for an expected outcome. The caller's
/// cancellation token (the gRPC deadline) flows into every call.
/// </summary>
internal sealed partial class CosmosDocumentStore(CosmosContainers containers, ILogger<CosmosDocumentStore> logger) : IDocumentStore
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
}
