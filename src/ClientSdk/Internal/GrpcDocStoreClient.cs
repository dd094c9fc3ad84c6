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

    public override async Task<DocumentResponse<T>> PatchAsync<T>(string collection, string id, string partitionKey, PatchOperations patch, string? ifMatch = null, CancellationToken cancellationToken = default)
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

    private DocumentResponse<T> Result<T>(string collection, Document document, ResponseInfo? info)
    {
        var sessionToken = info?.SessionToken ?? string.Empty;
        _sessions?.Observe(collection, document.PartitionKey, sessionToken);
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
