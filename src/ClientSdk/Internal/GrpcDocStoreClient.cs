using System.Runtime.CompilerServices;
using DocStore.V1;
using Grpc.Core;

namespace DocStore.Client.Internal;

/// <summary>The <see cref="DocStoreClient"/> over the generated gRPC client.</summary>
internal sealed class GrpcDocStoreClient : DocStoreClient
{
    private readonly DocStoreService.DocStoreServiceClient _client;
    private readonly DocStoreClientOptions _options;
    private readonly SessionTokenCache? _sessions;

    public GrpcDocStoreClient(DocStoreService.DocStoreServiceClient client, DocStoreClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.JsonSerializerOptions, "options.JsonSerializerOptions");
        if (options.DefaultDeadline <= TimeSpan.Zero && options.DefaultDeadline != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.DefaultDeadline, "DocStoreClientOptions.DefaultDeadline must be positive, or Timeout.InfiniteTimeSpan for none.");
        }

        if (options.TrackSessionTokens && options.SessionTokenCapacity < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.SessionTokenCapacity, "DocStoreClientOptions.SessionTokenCapacity must be at least 1.");
        }

        _client = client;
        _options = options;
        _sessions = options.TrackSessionTokens ? new SessionTokenCache(options.SessionTokenCapacity) : null;
    }

    public override async Task<DocumentResponse<T>> GetAsync<T>(string collection, string id, string partitionKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(collection);
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(partitionKey);

        var request = new GetRequest
        {
            Collection = collection,
            Id = id,
            PartitionKey = partitionKey,
            SessionToken = _sessions?.Get(collection, partitionKey) ?? string.Empty,
            BodyFormat = ResponseFormat,
        };
        GetResponse response;
        try
        {
            response = await _client.GetAsync(request, CallOptions(cancellationToken)).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            throw ErrorMapper.Map(e, cancellationToken);
        }

        return Result<T>(collection, response.Document, response.Info);
    }

    public override async Task<DocumentResponse<T>> UpsertAsync<T>(string collection, T document, string? ifMatch = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(collection);
        ArgumentNullException.ThrowIfNull(document);

        var request = new UpsertRequest { Collection = collection, IfMatch = ifMatch ?? string.Empty, BodyFormat = ResponseFormat };
        (request.DocumentJson, request.Document) = Encode(document);

        UpsertResponse response;
        try
        {
            response = await _client.UpsertAsync(request, CallOptions(cancellationToken)).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            throw ErrorMapper.Map(e, cancellationToken);
        }

        return Result<T>(collection, response.Document, response.Info);
    }

    public override async Task<DocumentResponse<T>> PatchAsync<T>(string collection, string id, string partitionKey, PatchOperations patch, string? ifMatch = null, Filter? condition = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(collection);
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(partitionKey);
        ArgumentNullException.ThrowIfNull(patch);
        if (patch.Count == 0)
        {
            throw new ArgumentException("A patch needs at least one operation.", nameof(patch));
        }

        var request = new PatchRequest
        {
            Collection = collection,
            Id = id,
            PartitionKey = partitionKey,
            IfMatch = ifMatch ?? string.Empty,
            Condition = condition?.ToProto(_options.JsonSerializerOptions),
            BodyFormat = ResponseFormat,
        };
        foreach (var operation in patch.Operations)
        {
            request.Operations.Add(ToProto(operation));
        }

        PatchResponse response;
        try
        {
            response = await _client.PatchAsync(request, CallOptions(cancellationToken)).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            throw ErrorMapper.Map(e, cancellationToken);
        }

        return Result<T>(collection, response.Document, response.Info);
    }

    public override async IAsyncEnumerable<DocumentResponse<T>> QueryAsync<T>(string collection, string? partitionKey, Filter? filter = null, IReadOnlyList<SortBy>? orderBy = null, int pageSize = 0, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? token = null;
        do
        {
            var page = await QueryPageAsync<T>(collection, partitionKey, filter, orderBy, pageSize, token, cancellationToken).ConfigureAwait(false);
            foreach (var document in page.Documents)
            {
                yield return document;
            }

            token = page.NextPageToken;
        }
        while (token is not null);
    }

    public override async Task<QueryPage<T>> QueryPageAsync<T>(string collection, string? partitionKey, Filter? filter = null, IReadOnlyList<SortBy>? orderBy = null, int pageSize = 0, string? pageToken = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(collection);
        var request = new QueryRequest
        {
            Collection = collection,
            PartitionKey = partitionKey ?? string.Empty,
            CrossPartition = partitionKey is null,
            Filter = filter?.ToProto(_options.JsonSerializerOptions),
            PageSize = pageSize,
            PageToken = pageToken ?? string.Empty,
            SessionToken = (partitionKey is null ? null : _sessions?.Get(collection, partitionKey)) ?? string.Empty,
            BodyFormat = ResponseFormat,
        };
        foreach (var sort in orderBy ?? [])
        {
            request.OrderBy.Add(new OrderBy { Path = sort.Path, Descending = sort.Descending });
        }

        QueryResponse response;
        try
        {
            response = await _client.QueryAsync(request, CallOptions(cancellationToken)).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            throw ErrorMapper.Map(e, cancellationToken);
        }

        if (partitionKey is not null)
        {
            _sessions?.Observe(collection, partitionKey, response.Info?.SessionToken ?? string.Empty);
        }

        return new QueryPage<T>(
            [.. response.Documents.Select(d => Result<T>(collection, d, response.Info, observe: false))],
            response.NextPageToken.Length == 0 ? null : response.NextPageToken,
            response.Info?.SessionToken ?? string.Empty,
            response.Info?.RequestCharge ?? 0);
    }

    public override async Task<ChangesPage<T>> ReadChangesAsync<T>(string collection, string? partitionKey, ChangeFeedPosition start, int maxItems = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(collection);
        ArgumentNullException.ThrowIfNull(start);
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
        ReadChangesResponse response;
        try
        {
            response = await _client.ReadChangesAsync(request, CallOptions(cancellationToken)).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            throw ErrorMapper.Map(e, cancellationToken);
        }

        return new ChangesPage<T>([.. response.Documents.Select(d => Result<T>(collection, d, response.Info, observe: false))], response.Continuation);
    }

    public override async IAsyncEnumerable<ChangesPage<T>> WatchChangesAsync<T>(string collection, string? partitionKey, ChangeFeedPosition start, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(collection);
        ArgumentNullException.ThrowIfNull(start);
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
                yield return new ChangesPage<T>([.. message.Documents.Select(d => Result<T>(collection, d, info: null, observe: false))], message.Continuation);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 100 * (1 << Math.Min(failures, 6)))), cancellationToken).ConfigureAwait(false);
        }
    }

    public override async Task<DocumentResponse<T>> CreateAsync<T>(string collection, T document, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(collection);
        ArgumentNullException.ThrowIfNull(document);
        var request = new CreateRequest { Collection = collection, BodyFormat = ResponseFormat };
        (request.DocumentJson, request.Document) = Encode(document);

        var response = await CallAsync(_client.CreateAsync(request, CallOptions(cancellationToken)), cancellationToken).ConfigureAwait(false);
        return Result<T>(collection, response.Document, response.Info);
    }

    public override async Task<DocumentResponse<T>> ReplaceAsync<T>(string collection, T document, string? ifMatch = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(collection);
        ArgumentNullException.ThrowIfNull(document);
        var request = new ReplaceRequest { Collection = collection, IfMatch = ifMatch ?? string.Empty, BodyFormat = ResponseFormat };
        (request.DocumentJson, request.Document) = Encode(document);

        var response = await CallAsync(_client.ReplaceAsync(request, CallOptions(cancellationToken)), cancellationToken).ConfigureAwait(false);
        return Result<T>(collection, response.Document, response.Info);
    }

    public override async Task<DeleteResult> DeleteAsync(string collection, string id, string partitionKey, string? ifMatch = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(collection);
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(partitionKey);
        var request = new DeleteRequest { Collection = collection, Id = id, PartitionKey = partitionKey, IfMatch = ifMatch ?? string.Empty };
        var response = await CallAsync(_client.DeleteAsync(request, CallOptions(cancellationToken)), cancellationToken).ConfigureAwait(false);
        var token = response.Info?.SessionToken ?? string.Empty;
        _sessions?.Observe(collection, partitionKey, token);
        return new DeleteResult(token, response.Info?.RequestCharge ?? 0);
    }

    public override async Task<ReadManyResponse<T>> ReadManyAsync<T>(string collection, IEnumerable<(string Id, string PartitionKey)> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(collection);
        ArgumentNullException.ThrowIfNull(keys);
        var request = new ReadManyRequest { Collection = collection, BodyFormat = ResponseFormat };
        string? token = null;
        foreach (var (id, partitionKey) in keys)
        {
            request.Keys.Add(new DocumentKey { Id = id, PartitionKey = partitionKey });
            token = Shared.SessionToken.Merge(token, _sessions?.Get(collection, partitionKey));
        }

        request.SessionToken = token ?? string.Empty;
        var response = await CallAsync(_client.ReadManyAsync(request, CallOptions(cancellationToken)), cancellationToken).ConfigureAwait(false);
        var documents = response.Documents.Select(d => Result<T>(collection, d, response.Info)).ToList();
        return new ReadManyResponse<T>(documents, response.Missing.Select(k => (k.Id, k.PartitionKey)).ToList(), response.Info?.SessionToken ?? string.Empty, response.Info?.RequestCharge ?? 0);
    }

    public override DocStoreBatch Batch(string collection, string partitionKey)
    {
        ArgumentNullException.ThrowIfNull(collection);
        ArgumentNullException.ThrowIfNull(partitionKey);
        return new DocStoreBatch(
            collection,
            partitionKey,
            ResponseFormat,
            ToBatchWrite,
            patch => patch.Operations.Select(ToProto).ToList(),
            filter => filter.ToProto(_options.JsonSerializerOptions),
            ExecuteBatchAsync);
    }

    private async Task<DocStoreBatchResponse> ExecuteBatchAsync(DocStoreBatch batch, CancellationToken cancellationToken)
    {
        var request = batch.Request.Clone();
        var response = await CallAsync(_client.ExecuteBatchAsync(request, CallOptions(cancellationToken)), cancellationToken).ConfigureAwait(false);
        var token = response.Info?.SessionToken ?? string.Empty;
        _sessions?.Observe(request.Collection, request.PartitionKey, token);
        var options = _options.JsonSerializerOptions;
        return new DocStoreBatchResponse(
            response.Results.Select(r => (Func<Type, object?>)(type => r.Document is null ? null : Body(r.Document, type, options))).ToList(),
            response.Results.Select(r => r.Document?.Etag).ToList(),
            token,
            response.Info?.RequestCharge ?? 0);
    }

    /// <summary>A whole document in the client's body format: JSON bytes for <c>document_json</c>, or a Struct for <c>document</c>.</summary>
    private (Google.Protobuf.ByteString Json, Google.Protobuf.WellKnownTypes.Struct? Struct) Encode<T>(T document) =>
        _options.BodyFormat == DocumentBodyFormat.Json
            ? (StructJson.ToJson(document, _options.JsonSerializerOptions), null)
            : (Google.Protobuf.ByteString.Empty, StructJson.ToStruct(document, _options.JsonSerializerOptions));

    /// <summary>A batch's whole-document write of <paramref name="document"/>, in the client's body format.</summary>
    private BatchWrite ToBatchWrite(object document, Type type) =>
        _options.BodyFormat == DocumentBodyFormat.Json
            ? new BatchWrite { DocumentJson = StructJson.ToJson(document, type, _options.JsonSerializerOptions) }
            : new BatchWrite { Document = StructJson.ToStruct(document, type, _options.JsonSerializerOptions) };

    /// <summary>A returned document's body as <paramref name="type"/>, from <c>body_json</c> or the Struct <c>body</c>.</summary>
    private static object? Body(Document document, Type type, System.Text.Json.JsonSerializerOptions options) =>
        document.Body is null
            ? System.Text.Json.JsonSerializer.Deserialize(document.BodyJson.Span, type, options)
            : StructJson.FromStruct(document.Body, type, options);

    /// <summary>Awaits a call, turning its failure into the SDK's exception.</summary>
    private static async Task<TResponse> CallAsync<TResponse>(AsyncUnaryCall<TResponse> call, CancellationToken cancellationToken)
    {
        using (call)
        {
            try
            {
                return await call.ResponseAsync.ConfigureAwait(false);
            }
            catch (RpcException e)
            {
                throw ErrorMapper.Map(e, cancellationToken);
            }
        }
    }

    public override string? GetSessionToken(string collection, string partitionKey)
    {
        ArgumentNullException.ThrowIfNull(collection);
        ArgumentNullException.ThrowIfNull(partitionKey);
        return _sessions?.Get(collection, partitionKey);
    }

    public override void SetSessionToken(string collection, string partitionKey, string? sessionToken)
    {
        ArgumentNullException.ThrowIfNull(collection);
        ArgumentNullException.ThrowIfNull(partitionKey);
        if (_sessions is null)
        {
            throw new InvalidOperationException("This client does not track session tokens (DocStoreClientOptions.TrackSessionTokens is false).");
        }

        _sessions.Set(collection, partitionKey, sessionToken);
    }

    private BodyFormat ResponseFormat => _options.BodyFormat == DocumentBodyFormat.Json ? BodyFormat.Json : BodyFormat.Struct;

    /// <summary>The one place that builds a call's options: the default deadline and the caller's cancellation.</summary>
    private CallOptions CallOptions(CancellationToken cancellationToken) =>
        new(deadline: _options.DefaultDeadline == Timeout.InfiniteTimeSpan ? null : DateTime.UtcNow + _options.DefaultDeadline, cancellationToken: cancellationToken);

    private DocumentResponse<T> Result<T>(string collection, Document document, ResponseInfo? info, bool observe = true)
    {
        var sessionToken = info?.SessionToken ?? string.Empty;
        if (observe)
        {
            _sessions?.Observe(collection, document.PartitionKey, sessionToken);
        }

        return new DocumentResponse<T>(
            document.Body is null
                ? System.Text.Json.JsonSerializer.Deserialize<T>(document.BodyJson.Span, _options.JsonSerializerOptions)!
                : StructJson.FromStruct<T>(document.Body, _options.JsonSerializerOptions),
            document.Id,
            document.PartitionKey,
            document.Etag,
            document.UpdateTime?.ToDateTimeOffset() ?? default,
            sessionToken,
            info?.RequestCharge ?? 0);
    }

    private V1.PatchOperation ToProto(PatchStep operation) => operation.Kind switch
    {
        PatchKind.Set => new V1.PatchOperation { Set = new SetOperation { Path = operation.Path, Value = Value(operation) } },
        PatchKind.Add => new V1.PatchOperation { Add = new AddOperation { Path = operation.Path, Value = Value(operation) } },
        PatchKind.Replace => new V1.PatchOperation { Replace = new ReplaceOperation { Path = operation.Path, Value = Value(operation) } },
        PatchKind.Remove => new V1.PatchOperation { Remove = new RemoveOperation { Path = operation.Path } },
        PatchKind.Increment => new V1.PatchOperation { Increment = new IncrementOperation { Path = operation.Path, By = operation.By } },
        PatchKind.Move => new V1.PatchOperation { Move = new MoveOperation { From = operation.From, Path = operation.Path } },
        _ => throw new InvalidOperationException($"Unknown patch operation {operation.Kind}."),
    };

    private Google.Protobuf.WellKnownTypes.Value Value(PatchStep operation) =>
        StructJson.ToValue(operation.Value, operation.ValueType!, _options.JsonSerializerOptions);
}
