using System.Text.Json;
using DocStore.Server.Storage.Query;
using Microsoft.Azure.Cosmos;

namespace DocStore.Server.Storage.Cosmos;

/// <summary>
/// Queries (a parameterized <c>SELECT * FROM c WHERE ...</c> through the query stream iterator) and the
/// change feed (the pull model, latest-version mode) on Cosmos DB.
/// </summary>
internal sealed partial class CosmosDocumentStore
{
    public async Task<StorePage> QueryAsync(CollectionDefinition collection, string? partitionKey, DocumentQuery query, int pageSize, string? continuation, string? sessionToken, CancellationToken cancellationToken)
    {
        var (text, parameters) = CosmosQueryText.Select(query, partitionKey is null ? null : (collection.PartitionKeyPath, partitionKey));
        var definition = new QueryDefinition(text);
        foreach (var (name, value) in parameters)
        {
            definition = definition.WithParameter(name, value);
        }

        var options = new QueryRequestOptions
        {
            MaxItemCount = pageSize,
            SessionToken = sessionToken,
            PartitionKey = partitionKey is null ? null : new PartitionKey(partitionKey),
        };
        return await PageAsync(
            collection,
            continuation is null ? CosmosOperation.Query : CosmosOperation.QueryContinued,
            () => containers.Get(collection).GetItemQueryStreamIterator(definition, continuation, options),
            continued: continuation is not null,
            cancellationToken);
    }

    public async Task<StorePage> ReadChangesAsync(CollectionDefinition collection, string? partitionKey, ChangeFeedStart start, int maxItems, string? sessionToken, CancellationToken cancellationToken)
    {
        var range = partitionKey is null ? null : FeedRange.FromPartitionKey(new PartitionKey(partitionKey));
        var from = start switch
        {
            ChangeFeedStart.After after => ChangeFeedStartFrom.ContinuationToken(after.Continuation),
            ChangeFeedStart.Now => range is null ? ChangeFeedStartFrom.Now() : ChangeFeedStartFrom.Now(range),
            ChangeFeedStart.At at => range is null ? ChangeFeedStartFrom.Time(at.Time.UtcDateTime) : ChangeFeedStartFrom.Time(at.Time.UtcDateTime, range),
            _ => range is null ? ChangeFeedStartFrom.Beginning() : ChangeFeedStartFrom.Beginning(range),
        };
        return await PageAsync(
            collection,
            CosmosOperation.ChangeFeed,
            () => containers.Get(collection).GetChangeFeedStreamIterator(from, ChangeFeedMode.LatestVersion, ChangeFeedOptions(maxItems, sessionToken)),
            continued: start is ChangeFeedStart.After,
            cancellationToken);
    }

    /// <summary>
    /// The change feed's options. <see cref="ChangeFeedRequestOptions"/> has no session token of its own, as
    /// <see cref="QueryRequestOptions.SessionToken"/> is for a query: the token goes in as the request's
    /// <c>x-ms-session-token</c> header, which the SDK then leaves as it is, as for a point read given one.
    /// Without it, a feed read ignored the token DocStore merged for it and read at the SDK's own session only.
    /// </summary>
    private static ChangeFeedRequestOptions ChangeFeedOptions(int maxItems, string? sessionToken) => new()
    {
        PageSizeHint = maxItems,
        AddRequestHeaders = sessionToken is null ? null : headers => headers.Set("x-ms-session-token", sessionToken),
    };

    /// <summary>Cosmos DB announces no changes: a stream polls at the interval it is given.</summary>
    public Task WaitForChangesAsync(CollectionDefinition collection, TimeSpan timeout, CancellationToken cancellationToken) =>
        Task.Delay(timeout, cancellationToken);

    /// <summary>
    /// Cosmos DB answers 412 both for an etag mismatch and for a filter predicate that does not match.
    /// With both set, the stored etag tells which: the one given means the condition failed.
    /// </summary>
    private async Task<StoreResult> WhichPreconditionAsync(CollectionDefinition collection, DocumentKey key, string? ifMatch, CancellationToken cancellationToken)
    {
        if (ifMatch is null)
        {
            return StoreResult.Failure(StoreStatus.ConditionNotMet);
        }

        var current = await ReadAsync(collection, key, sessionToken: null, cancellationToken);
        return current.Document?.ETag == ifMatch ? StoreResult.Failure(StoreStatus.ConditionNotMet) : StoreResult.PreconditionFailed;
    }

    /// <summary>Reads one page from a feed iterator: a query's, or the change feed's (where 304 is an empty page).</summary>
    private async Task<StorePage> PageAsync(CollectionDefinition collection, CosmosOperation operation, Func<FeedIterator> open, bool continued, CancellationToken cancellationToken)
    {
        ResponseMessage response;
        try
        {
            using var iterator = open();
            response = await iterator.ReadNextAsync(cancellationToken);
        }
        catch (CosmosException e)
        {
            var failure = await CosmosResponses.FromExceptionAsync(e, operation, collection, logger);
            return StorePage.Failure(failure);
        }
        catch (ArgumentException e) when (continued)
        {
            // The SDK parses a continuation before sending anything, and refuses a malformed one this way.
            Log.Unreachable(logger, 400, e);
            return StorePage.Failure(StoreStatus.InvalidContinuation, "the continuation is not one Cosmos DB issued");
        }
        catch (HttpRequestException e)
        {
            Log.Unreachable(logger, 0, e);
            return StorePage.Failure(StoreStatus.Unavailable, "Cosmos DB cannot be reached");
        }

        using (response)
        {
            CosmosDiagnosticsLog.Record(logger, containers.DiagnosticsThreshold, operation, collection.Container, response.StatusCode, response.Diagnostics);
            var session = response.Headers.Session ?? "";
            var charge = response.Headers.RequestCharge;
            if (operation == CosmosOperation.ChangeFeed && response.StatusCode == System.Net.HttpStatusCode.NotModified)
            {
                return StorePage.Success([], response.ContinuationToken, session, charge);
            }

            if (!response.IsSuccessStatusCode)
            {
                var failure = await CosmosResponses.ToResultAsync(response, operation, collection, logger, cancellationToken);
                return StorePage.Failure(failure);
            }

            using var copy = new MemoryStream();
            await response.Content.CopyToAsync(copy, cancellationToken);
            using var page = JsonDocument.Parse(copy.GetBuffer().AsMemory(0, (int)copy.Length), DocumentJson.DocumentOptions);
            var items = new List<StoredItem>();
            if (page.RootElement.TryGetProperty("Documents", out var documents) && documents.ValueKind == JsonValueKind.Array)
            {
                foreach (var document in documents.EnumerateArray())
                {
                    var json = JsonSerializer.SerializeToUtf8Bytes(document);
                    var id = document.TryGetProperty("id", out var idValue) ? idValue.GetString() ?? "" : "";
                    var partition = JsonOrder.Resolve(document, collection.PartitionKeyPath) is { ValueKind: JsonValueKind.String } pk ? pk.GetString()! : "";
                    items.Add(new StoredItem(new DocumentKey(id, partition), CosmosResponses.ToDocument(json, etagHeader: null, session, 0, fromChangeFeed: operation == CosmosOperation.ChangeFeed)));
                }
            }

            // A query's last page has no continuation; the change feed's always has one.
            return StorePage.Success(items, response.ContinuationToken, session, charge);
        }
    }
}
