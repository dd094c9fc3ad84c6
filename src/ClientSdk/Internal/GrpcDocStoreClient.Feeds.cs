using System.Runtime.CompilerServices;
using System.Text.Json.Serialization.Metadata;
using DocStore.V1;
using Grpc.Core;

namespace DocStore.Client.Internal;

/// <summary>The client's reads of many documents in order: Query, its pages, ReadChanges and the WatchChanges stream.</summary>
internal sealed partial class GrpcDocStoreClient
{
    public override IAsyncEnumerable<DocumentResponse<T>> QueryAsync<T>(string collection, string? partitionKey, DocumentFilter? filter = null, IReadOnlyList<SortBy>? orderBy = null, int pageSize = 0, DocStoreCallOptions? options = null, CancellationToken cancellationToken = default) =>
        QueryAsync(collection, partitionKey, Info<T>(), filter, orderBy, pageSize, options, cancellationToken);

    public override async IAsyncEnumerable<DocumentResponse<T>> QueryAsync<T>(string collection, string? partitionKey, JsonTypeInfo<T> typeInfo, DocumentFilter? filter = null, IReadOnlyList<SortBy>? orderBy = null, int pageSize = 0, DocStoreCallOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? token = null;
        do
        {
            var page = await QueryPageAsync(collection, partitionKey, typeInfo, filter, orderBy, pageSize, token, options, cancellationToken).ConfigureAwait(false);
            foreach (var document in page.Documents)
            {
                yield return document;
            }

            token = page.NextPageToken;
        }
        while (token is not null);
    }

    public override Task<QueryPage<T>> QueryPageAsync<T>(string collection, string? partitionKey, DocumentFilter? filter = null, IReadOnlyList<SortBy>? orderBy = null, int pageSize = 0, string? pageToken = null, DocStoreCallOptions? options = null, CancellationToken cancellationToken = default) =>
        QueryPageAsync(collection, partitionKey, Info<T>(), filter, orderBy, pageSize, pageToken, options, cancellationToken);

    public override async Task<QueryPage<T>> QueryPageAsync<T>(string collection, string? partitionKey, JsonTypeInfo<T> typeInfo, DocumentFilter? filter = null, IReadOnlyList<SortBy>? orderBy = null, int pageSize = 0, string? pageToken = null, DocStoreCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(collection);
        ArgumentNullException.ThrowIfNull(typeInfo);
        var request = new QueryRequest
        {
            Collection = collection,
            PartitionKey = partitionKey ?? string.Empty,
            CrossPartition = partitionKey is null,
            Filter = filter?.ToProto(_options.JsonSerializerOptions),
            PageSize = pageSize,
            PageToken = pageToken ?? string.Empty,
            SessionToken = (partitionKey is null ? options?.SessionToken : ReadToken(collection, partitionKey, options)) ?? string.Empty,
            BodyFormat = ResponseFormat,
        };
        foreach (var sort in orderBy ?? [])
        {
            request.OrderBy.Add(new OrderBy { Path = sort.Path, Descending = sort.Descending });
        }

        var response = await InvokeAsync(call => _client.QueryAsync(request, call), Retry.Never, options, cancellationToken).ConfigureAwait(false);
        if (partitionKey is not null)
        {
            _sessions?.Observe(collection, partitionKey, response.Info?.SessionToken ?? string.Empty);
        }

        return new QueryPage<T>(
            [.. response.Documents.Select(d => Result(collection, d, response.Info, typeInfo, observe: false))],
            response.NextPageToken.Length == 0 ? null : response.NextPageToken,
            response.Info?.SessionToken ?? string.Empty,
            response.Info?.RequestCharge ?? 0);
    }

    public override Task<ChangesPage<T>> ReadChangesAsync<T>(string collection, string? partitionKey, ChangeFeedPosition start, int maxItems = 0, DocStoreCallOptions? options = null, CancellationToken cancellationToken = default) =>
        ReadChangesAsync(collection, partitionKey, start, Info<T>(), maxItems, options, cancellationToken);

    public override async Task<ChangesPage<T>> ReadChangesAsync<T>(string collection, string? partitionKey, ChangeFeedPosition start, JsonTypeInfo<T> typeInfo, int maxItems = 0, DocStoreCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(collection);
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(typeInfo);
        RefuseSessionToken(options);
        var request = new ReadChangesRequest
        {
            Collection = collection,
            PartitionKey = partitionKey ?? string.Empty,
            Continuation = start.Continuation ?? string.Empty,
            StartTime = start.Time is { } time ? Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(time) : null,
            FromNow = start.IsNow,
            MaxItems = maxItems,
            BodyFormat = ResponseFormat,
        };
        var response = await InvokeAsync(call => _client.ReadChangesAsync(request, call), Retry.Never, options, cancellationToken).ConfigureAwait(false);
        return new ChangesPage<T>(
            [.. response.Documents.Select(d => Result(collection, d, response.Info, typeInfo, observe: false))],
            response.Continuation,
            response.Info?.SessionToken ?? string.Empty,
            response.Info?.RequestCharge ?? 0);
    }

    public override IAsyncEnumerable<ChangesPage<T>> WatchChangesAsync<T>(string collection, string? partitionKey, ChangeFeedPosition start, CancellationToken cancellationToken = default) =>
        WatchChangesAsync(collection, partitionKey, start, Info<T>(), cancellationToken);

    public override async IAsyncEnumerable<ChangesPage<T>> WatchChangesAsync<T>(string collection, string? partitionKey, ChangeFeedPosition start, JsonTypeInfo<T> typeInfo, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(collection);
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(typeInfo);
        var position = start;
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var request = new WatchChangesRequest
            {
                Collection = collection,
                PartitionKey = partitionKey ?? string.Empty,
                Continuation = position.Continuation ?? string.Empty,
                StartTime = position.Time is { } time ? Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(time) : null,
                FromNow = position.IsNow,
                BodyFormat = ResponseFormat,
            };

            // A stream has no deadline: it lasts until the caller cancels.
            using var call = _client.WatchChanges(request, new CallOptions(cancellationToken: cancellationToken));
            var stream = call.ResponseStream;
            var received = false;
            while (true)
            {
                bool moved;
                try
                {
                    moved = await stream.MoveNext(cancellationToken).ConfigureAwait(false);
                }
                catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown && !cancellationToken.IsCancellationRequested)
                {
                    // The transport failed (a server restarted, a connection dropped): resume from the last continuation.
                    failures++;
                    break;
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.Unauthenticated && received && !cancellationToken.IsCancellationRequested)
                {
                    // The bearer token the stream opened with expired: open it again, with a fresh token from the
                    // credential. A refusal before any message is a real one, and is thrown.
                    break;
                }
                catch (RpcException e)
                {
                    throw ErrorMapper.Map(e, cancellationToken);
                }

                if (!moved)
                {
                    // The server ended the stream (it is shutting down): reconnect from the last continuation.
                    break;
                }

                failures = 0;
                received = true;
                var message = stream.Current;
                position = ChangeFeedPosition.FromContinuation(message.Continuation);
                yield return new ChangesPage<T>([.. message.Documents.Select(d => Result(collection, d, info: null, typeInfo, observe: false))], message.Continuation, string.Empty, 0);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 100 * (1 << Math.Min(failures, 6)))), cancellationToken).ConfigureAwait(false);
        }
    }
}
