using System.Text.Json.Serialization.Metadata;
using DocStore.V1;
using Grpc.Core;

namespace DocStore.Client.Internal;

/// <summary>The <see cref="DocStoreClient"/> over the generated gRPC client.</summary>
internal sealed partial class GrpcDocStoreClient : DocStoreClient
{
    private readonly DocStoreService.DocStoreServiceClient _client;
    private readonly DocStoreClientOptions _options;
    private readonly SessionTokenCache? _sessions;
    private readonly int _clientAttempts;

    /// <summary>A client over <paramref name="client"/>.</summary>
    /// <param name="client">The generated client.</param>
    /// <param name="options">The settings; checked here as at start-up.</param>
    /// <param name="retryInClient">
    /// Retry Get, Upsert, Replace and ReadMany on UNAVAILABLE in this class, up to <see cref="DocStoreClientOptions.MaxAttempts"/>:
    /// for a channel the caller built, which has no retry policy of DocStore's. A registered channel retries itself.
    /// </param>
    public GrpcDocStoreClient(DocStoreService.DocStoreServiceClient client, DocStoreClientOptions options, bool retryInClient)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        DocStoreClientOptionsValidator.ThrowIfInvalid(options, requireAddress: false);
        StructJson.Prepare(options.JsonSerializerOptions);
        _client = client;
        _options = options;
        _sessions = options.TrackSessionTokens ? new SessionTokenCache(options.SessionTokenCapacity) : null;
        _clientAttempts = retryInClient ? options.MaxAttempts : 1;
    }

    public override Task<DocumentResponse<T>> GetAsync<T>(string collection, string id, string partitionKey, DocStoreCallOptions? options = null, CancellationToken cancellationToken = default) =>
        GetAsync(collection, id, partitionKey, Info<T>(), options, cancellationToken);

    public override async Task<DocumentResponse<T>> GetAsync<T>(string collection, string id, string partitionKey, JsonTypeInfo<T> typeInfo, DocStoreCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(collection);
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(partitionKey);
        ArgumentNullException.ThrowIfNull(typeInfo);

        var request = new GetRequest
        {
            Collection = collection,
            Id = id,
            PartitionKey = partitionKey,
            SessionToken = ReadToken(collection, partitionKey, options) ?? string.Empty,
            BodyFormat = ResponseFormat,
        };
        var response = await InvokeAsync(call => _client.GetAsync(request, call), Retry.Unavailable, options, cancellationToken).ConfigureAwait(false);
        return Result(collection, response.Document, response.Info, typeInfo);
    }

    public override Task<DocumentResponse<T>> UpsertAsync<T>(string collection, T document, string? ifMatch = null, DocStoreCallOptions? options = null, CancellationToken cancellationToken = default) =>
        UpsertAsync(collection, document, Info<T>(), ifMatch, options, cancellationToken);

    public override async Task<DocumentResponse<T>> UpsertAsync<T>(string collection, T document, JsonTypeInfo<T> typeInfo, string? ifMatch = null, DocStoreCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(collection);
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(typeInfo);
        RefuseSessionToken(options);

        var request = new UpsertRequest { Collection = collection, IfMatch = ifMatch ?? string.Empty, BodyFormat = ResponseFormat };
        (request.DocumentJson, request.Document) = Encode(document, typeInfo);
        var response = await InvokeAsync(call => _client.UpsertAsync(request, call), Retry.Unavailable, options, cancellationToken).ConfigureAwait(false);
        return Result(collection, response.Document, response.Info, typeInfo);
    }

    public override Task<DocumentResponse<T>> PatchAsync<T>(string collection, string id, string partitionKey, PatchOperations patch, string? ifMatch = null, DocumentFilter? condition = null, DocStoreCallOptions? options = null, CancellationToken cancellationToken = default) =>
        PatchAsync(collection, id, partitionKey, patch, Info<T>(), ifMatch, condition, options, cancellationToken);

    public override async Task<DocumentResponse<T>> PatchAsync<T>(string collection, string id, string partitionKey, PatchOperations patch, JsonTypeInfo<T> typeInfo, string? ifMatch = null, DocumentFilter? condition = null, DocStoreCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(collection);
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(partitionKey);
        ArgumentNullException.ThrowIfNull(patch);
        ArgumentNullException.ThrowIfNull(typeInfo);
        if (patch.Count == 0)
        {
            throw new ArgumentException("A patch needs at least one operation.", nameof(patch));
        }

        RefuseSessionToken(options);
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

        var response = await InvokeAsync(call => _client.PatchAsync(request, call), Retry.Never, options, cancellationToken).ConfigureAwait(false);
        return Result(collection, response.Document, response.Info, typeInfo);
    }

    public override Task<DocumentResponse<T>> CreateAsync<T>(string collection, T document, DocStoreCallOptions? options = null, CancellationToken cancellationToken = default) =>
        CreateAsync(collection, document, Info<T>(), options, cancellationToken);

    public override async Task<DocumentResponse<T>> CreateAsync<T>(string collection, T document, JsonTypeInfo<T> typeInfo, DocStoreCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(collection);
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(typeInfo);
        RefuseSessionToken(options);
        var request = new CreateRequest { Collection = collection, BodyFormat = ResponseFormat };
        (request.DocumentJson, request.Document) = Encode(document, typeInfo);

        var response = await InvokeAsync(call => _client.CreateAsync(request, call), Retry.Never, options, cancellationToken).ConfigureAwait(false);
        return Result(collection, response.Document, response.Info, typeInfo);
    }

    public override Task<DocumentResponse<T>> ReplaceAsync<T>(string collection, T document, string? ifMatch = null, DocStoreCallOptions? options = null, CancellationToken cancellationToken = default) =>
        ReplaceAsync(collection, document, Info<T>(), ifMatch, options, cancellationToken);

    public override async Task<DocumentResponse<T>> ReplaceAsync<T>(string collection, T document, JsonTypeInfo<T> typeInfo, string? ifMatch = null, DocStoreCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(collection);
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(typeInfo);
        RefuseSessionToken(options);
        var request = new ReplaceRequest { Collection = collection, IfMatch = ifMatch ?? string.Empty, BodyFormat = ResponseFormat };
        (request.DocumentJson, request.Document) = Encode(document, typeInfo);

        var response = await InvokeAsync(call => _client.ReplaceAsync(request, call), Retry.Unavailable, options, cancellationToken).ConfigureAwait(false);
        return Result(collection, response.Document, response.Info, typeInfo);
    }

    public override async Task<DeleteResult> DeleteAsync(string collection, string id, string partitionKey, string? ifMatch = null, DocStoreCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(collection);
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(partitionKey);
        RefuseSessionToken(options);
        var request = new DeleteRequest { Collection = collection, Id = id, PartitionKey = partitionKey, IfMatch = ifMatch ?? string.Empty };
        var response = await InvokeAsync(call => _client.DeleteAsync(request, call), Retry.Never, options, cancellationToken).ConfigureAwait(false);
        var token = response.Info?.SessionToken ?? string.Empty;
        _sessions?.Observe(collection, partitionKey, token);
        return new DeleteResult(token, response.Info?.RequestCharge ?? 0);
    }

    public override Task<ReadManyResponse<T>> ReadManyAsync<T>(string collection, IEnumerable<(string Id, string PartitionKey)> keys, DocStoreCallOptions? options = null, CancellationToken cancellationToken = default) =>
        ReadManyAsync(collection, keys, Info<T>(), options, cancellationToken);

    public override async Task<ReadManyResponse<T>> ReadManyAsync<T>(string collection, IEnumerable<(string Id, string PartitionKey)> keys, JsonTypeInfo<T> typeInfo, DocStoreCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(collection);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(typeInfo);
        var request = new ReadManyRequest { Collection = collection, BodyFormat = ResponseFormat };
        var token = options?.SessionToken;
        foreach (var (id, partitionKey) in keys)
        {
            request.Keys.Add(new DocumentKey { Id = id, PartitionKey = partitionKey });
            token = Shared.SessionToken.Merge(token, _sessions?.Get(collection, partitionKey));
        }

        request.SessionToken = token ?? string.Empty;
        var response = await InvokeAsync(call => _client.ReadManyAsync(request, call), Retry.Unavailable, options, cancellationToken).ConfigureAwait(false);
        var documents = response.Documents.Select(d => Result(collection, d, response.Info, typeInfo)).ToList();
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
            _options.JsonSerializerOptions,
            ToBatchWrite,
            patch => patch.Operations.Select(ToProto).ToList(),
            ExecuteBatchAsync);
    }

    private async Task<DocStoreBatchResponse> ExecuteBatchAsync(DocStoreBatch batch, DocStoreCallOptions? options, CancellationToken cancellationToken)
    {
        RefuseSessionToken(options);
        var request = batch.Request.Clone();
        var response = await InvokeAsync(call => _client.ExecuteBatchAsync(request, call), Retry.Never, options, cancellationToken).ConfigureAwait(false);
        var token = response.Info?.SessionToken ?? string.Empty;
        _sessions?.Observe(request.Collection, request.PartitionKey, token);
        return new DocStoreBatchResponse(
            [.. response.Results.Select(r => (Func<Func<JsonTypeInfo>, object?>)(typeInfo => r.Document is null ? null : Body(r.Document, typeInfo())))],
            [.. response.Results.Select(r => r.Document?.Etag)],
            token,
            response.Info?.RequestCharge ?? 0,
            _options.JsonSerializerOptions);
    }

    /// <summary>A whole document in the client's body format: JSON bytes for <c>document_json</c>, or a Struct for <c>document</c>.</summary>
    private (Google.Protobuf.ByteString Json, Google.Protobuf.WellKnownTypes.Struct? Struct) Encode<T>(T document, JsonTypeInfo<T> typeInfo) =>
        _options.BodyFormat == DocumentBodyFormat.Json
            ? (StructJson.ToJson(document, typeInfo), null)
            : (Google.Protobuf.ByteString.Empty, StructJson.ToStruct(document, typeInfo));

    /// <summary>A batch's whole-document write of <paramref name="document"/>, in the client's body format.</summary>
    private BatchWrite ToBatchWrite(object document, JsonTypeInfo typeInfo) =>
        _options.BodyFormat == DocumentBodyFormat.Json
            ? new BatchWrite { DocumentJson = StructJson.ToJson(document, typeInfo) }
            : new BatchWrite { Document = StructJson.ToStruct(document, typeInfo) };

    /// <summary>A returned document's body as the type of <paramref name="typeInfo"/>, from <c>body_json</c> or the Struct <c>body</c>.</summary>
    private static object? Body(Document document, JsonTypeInfo typeInfo) =>
        document.Body is null
            ? System.Text.Json.JsonSerializer.Deserialize(document.BodyJson.Span, typeInfo)
            : StructJson.FromStruct(document.Body, typeInfo);

    /// <summary>
    /// <typeparamref name="T"/>'s JSON contract from the client's options: reflection where it is allowed, otherwise the
    /// options' resolver (a source-generated context), which throws a clear <see cref="InvalidOperationException"/> for
    /// a type it does not know.
    /// </summary>
    private JsonTypeInfo<T> Info<T>() => (JsonTypeInfo<T>)_options.JsonSerializerOptions.GetTypeInfo(typeof(T));

    /// <summary>The token a read of a partition sends: the merge of what the client knows and what the call brought.</summary>
    private string? ReadToken(string collection, string partitionKey, DocStoreCallOptions? options) =>
        options?.SessionToken is { } carried
            ? SessionTokenCache.Merge(_sessions?.Get(collection, partitionKey), carried)
            : _sessions?.Get(collection, partitionKey);

    private static void RefuseSessionToken(DocStoreCallOptions? options)
    {
        if (options?.SessionToken is not null)
        {
            throw new ArgumentException("DocStoreCallOptions.SessionToken applies to reads (Get, ReadMany, Query); this call takes no session token.", nameof(options));
        }
    }

    private enum Retry
    {
        Never,
        Unavailable,
    }

    /// <summary>
    /// Runs one logical call: the one place that builds its <see cref="Grpc.Core.CallOptions"/> (deadline, cancellation),
    /// retries it on UNAVAILABLE when the client retries itself (a caller's channel), and maps its failure to the SDK's
    /// exception. Every attempt shares the call's deadline.
    /// </summary>
    private async Task<TResponse> InvokeAsync<TResponse>(Func<CallOptions, AsyncUnaryCall<TResponse>> start, Retry retry, DocStoreCallOptions? options, CancellationToken cancellationToken)
    {
        var timeout = options?.Timeout ?? _options.DefaultDeadline;
        if (timeout <= TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(options), timeout, "DocStoreCallOptions.Timeout must be positive, or Timeout.InfiniteTimeSpan for none.");
        }

        DateTime? deadline = timeout == Timeout.InfiniteTimeSpan ? null : DateTime.UtcNow + timeout;
        var callOptions = new CallOptions(deadline: deadline, cancellationToken: cancellationToken);
        var attempts = retry == Retry.Unavailable ? _clientAttempts : 1;
        var backoff = InitialBackoff;
        for (var attempt = 1; ; attempt++)
        {
            using var call = start(callOptions);
            try
            {
                return await call.ResponseAsync.ConfigureAwait(false);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && attempt < attempts && !cancellationToken.IsCancellationRequested
                && (deadline is null || DateTime.UtcNow + backoff < deadline))
            {
                // As gRPC's retry policy does: a random delay up to the current back-off, which doubles up to its cap.
                await Task.Delay(TimeSpan.FromTicks((long)(backoff.Ticks * Random.Shared.NextDouble())), cancellationToken).ConfigureAwait(false);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
            catch (RpcException e)
            {
                throw ErrorMapper.Map(e, cancellationToken);
            }
        }
    }

    /// <summary>The retry policy's first back-off, as the registered channel's service config has it.</summary>
    internal static readonly TimeSpan InitialBackoff = TimeSpan.FromMilliseconds(100);

    /// <summary>The retry policy's largest back-off.</summary>
    internal static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(2);

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

    private DocumentResponse<T> Result<T>(string collection, Document document, ResponseInfo? info, JsonTypeInfo<T> typeInfo, bool observe = true)
    {
        var sessionToken = info?.SessionToken ?? string.Empty;
        if (observe)
        {
            _sessions?.Observe(collection, document.PartitionKey, sessionToken);
        }

        return new DocumentResponse<T>(
            document.Body is null
                ? System.Text.Json.JsonSerializer.Deserialize(document.BodyJson.Span, typeInfo)!
                : StructJson.FromStruct(document.Body, typeInfo),
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
