using DocStore.Server.Api.Wire;
using DocStore.Server.Storage;
using DocStore.Server.Storage.Commands;
using DocStore.V1;
using Google.Rpc;
using Grpc.Core;

namespace DocStore.Server.Api;

/// <summary>Query, ReadChanges and WatchChanges.</summary>
internal sealed partial class DocumentsGrpcService
{
    public async Task<QueryResponse> Query(QueryRequest request, ServerCallContext context)
    {
        var query = CommandBinder.BindQuery(request, collections);
        var collection = query.Collection;
        var binding = PageTokens.QueryBinding(request);
        string? continuation = null;
        if (request.PageToken.Length > 0 && (continuation = PageTokens.Open(request.PageToken, PageTokens.QueryPrefix, binding)) is null)
        {
            ThrowBadToken("page_token", "is not a page token of this query: pass next_page_token unchanged, with every other field as on the first page");
        }

        var page = await store.ExecuteAsync(query with { Continuation = continuation }, context.CancellationToken);
        metrics.Record(nameof(Query), collection, page);
        Succeeded(page, collection, "page_token");

        var response = new QueryResponse
        {
            NextPageToken = page.Continuation is null ? "" : PageTokens.Seal(PageTokens.QueryPrefix, binding, page.Continuation),
            Info = new ResponseInfo { SessionToken = page.SessionToken ?? "", RequestCharge = page.RequestCharge },
        };
        AddDocuments(response.Documents, page, request.BodyFormat);
        return response;
    }

    public async Task<ReadChangesResponse> ReadChanges(ReadChangesRequest request, ServerCallContext context)
    {
        var changes = CommandBinder.BindReadChanges(request, collections);
        var binding = PageTokens.ChangesBinding(changes.Collection.Name, request.PartitionKey);
        var page = await ReadChangesPageAsync(changes with { Start = Unseal(changes.Start, binding) }, nameof(ReadChanges), context.CancellationToken);
        Succeeded(page, changes.Collection, "continuation");

        var response = new ReadChangesResponse
        {
            Continuation = PageTokens.Seal(PageTokens.ChangesPrefix, binding, page.Continuation ?? ""),
            Info = new ResponseInfo { SessionToken = page.SessionToken ?? "", RequestCharge = page.RequestCharge },
        };
        AddDocuments(response.Documents, page, request.BodyFormat);
        return response;
    }

    /// <summary>
    /// Sends each page of changes the <see cref="ChangeFeedFollower"/> gives: as they are committed, and an empty
    /// message with the continuation at least every heartbeat interval. The server holds one page per stream; a slow
    /// reader holds back the next read, not memory. The stream ends when the caller cancels and when the host begins
    /// to stop.
    /// </summary>
    public async Task WatchChanges(WatchChangesRequest request, IServerStreamWriter<WatchChangesResponse> responseStream, ServerCallContext context)
    {
        var changes = CommandBinder.BindWatchChanges(request, collections);
        var binding = PageTokens.ChangesBinding(changes.Collection.Name, request.PartitionKey);
        changes = changes with { Start = Unseal(changes.Start, binding) };
        if (!streams.TryEnter())
        {
            throw DocStoreErrors.StreamLimitReached(streams.MaxStreams);
        }

        try
        {
            using var ending = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, streams.Stopping);
            var pages = follower.FollowAsync(changes, streams.HeartbeatInterval, streams.PollInterval, page => metrics.Record(nameof(WatchChanges), changes.Collection, page), ending.Token);
            await foreach (var page in pages)
            {
                Succeeded(page, changes.Collection, "continuation");
                var message = new WatchChangesResponse { Continuation = PageTokens.Seal(PageTokens.ChangesPrefix, binding, page.Continuation ?? "") };
                AddDocuments(message.Documents, page, request.BodyFormat);
                await responseStream.WriteAsync(message, ending.Token);
            }
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested || streams.Stopping.IsCancellationRequested)
        {
            // The caller went away, or the host is stopping: the stream ends without an error. A caller
            // resumes from the last continuation it received.
        }
        finally
        {
            streams.Exit();
        }
    }

    private async Task<StorePage> ReadChangesPageAsync(ReadChangeFeed changes, string method, CancellationToken cancellationToken)
    {
        var page = await store.ExecuteAsync(changes, cancellationToken);
        metrics.Record(method, changes.Collection, page);
        return page;
    }

    private static ChangeFeedStart Unseal(ChangeFeedStart start, byte[] binding)
    {
        if (start is not ChangeFeedStart.After after)
        {
            return start;
        }

        var inner = PageTokens.Open(after.Continuation, PageTokens.ChangesPrefix, binding);
        if (inner is null)
        {
            ThrowBadToken("continuation", "is not a continuation of this collection's (and partition's) change feed: pass the continuation of an earlier response unchanged");
        }

        return new ChangeFeedStart.After(inner);
    }

    private static void Succeeded(StorePage page, CollectionDefinition collection, string tokenField)
    {
        if (page.Status == StoreStatus.InvalidContinuation)
        {
            ThrowBadToken(tokenField, page.Message ?? "is not one this store issued");
        }

        if (page.Status != StoreStatus.Ok)
        {
            DocStoreErrors.ThrowFor(page.AsResult(), collection, new Storage.DocumentKey("", ""));
        }
    }

    /// <summary>Adds the page's documents in <paramref name="format"/>, as every reply that carries several documents does.</summary>
    private static void AddDocuments(Google.Protobuf.Collections.RepeatedField<Document> documents, StorePage page, BodyFormat format)
    {
        foreach (var item in page.Items)
        {
            documents.Add(DocumentReply.Message(item.Key, item.Document, format));
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowBadToken(string field, string description) =>
        DocStoreErrors.ThrowInvalidArgument([new BadRequest.Types.FieldViolation { Field = field, Description = description }]);
}
