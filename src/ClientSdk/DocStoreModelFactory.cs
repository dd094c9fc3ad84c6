using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using DocStore.Client.Internal;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace DocStore.Client;

/// <summary>
/// Builds the package's responses, batches and exceptions, for unit tests of code that uses a <see cref="DocStoreClient"/>
/// test double (a fake derived from it, or a mock). For tests against a real server in-process, see the DocStore.Testing package.
/// </summary>
public static class DocStoreModelFactory
{
    /// <summary>A document as a Get, an Upsert or any other call returns it.</summary>
    /// <typeparam name="T">The document's type.</typeparam>
    /// <param name="value">The document.</param>
    /// <param name="id">Its id.</param>
    /// <param name="partitionKey">Its partition key value.</param>
    /// <param name="etag">Its etag. Defaults to <c>"0"</c> in double quotes.</param>
    /// <param name="updateTime">When it was last written. Defaults to <see cref="DateTimeOffset.UnixEpoch"/>.</param>
    /// <param name="sessionToken">The response's session token. Defaults to empty.</param>
    /// <param name="requestCharge">The response's request charge. Defaults to 0.</param>
    public static DocumentResponse<T> DocumentResponse<T>(T value, string id, string partitionKey, string? etag = null, DateTimeOffset? updateTime = null, string? sessionToken = null, double requestCharge = 0)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(partitionKey);
        return new DocumentResponse<T>(value, id, partitionKey, etag ?? "\"0\"", updateTime ?? DateTimeOffset.UnixEpoch, sessionToken ?? string.Empty, requestCharge);
    }

    /// <summary>
    /// A batch builder for a test double's <see cref="DocStoreClient.Batch"/>. The code under test adds operations as
    /// usual; <see cref="DocStoreBatch.ExecuteAsync"/> calls <paramref name="execute"/>, which can read
    /// <see cref="DocStoreBatch.Collection"/>, <see cref="DocStoreBatch.PartitionKey"/> and <see cref="DocStoreBatch.Count"/>
    /// and answer with <see cref="BatchResponse"/> or throw <see cref="Error"/>'s exception.
    /// </summary>
    /// <param name="collection">The collection.</param>
    /// <param name="partitionKey">The partition.</param>
    /// <param name="execute">Runs the batch.</param>
    /// <param name="jsonSerializerOptions">Converts the documents added to JSON, as a client would. Defaults to <see cref="JsonSerializerDefaults.Web"/>.</param>
    public static DocStoreBatch Batch(string collection, string partitionKey, Func<DocStoreBatch, DocStoreCallOptions?, CancellationToken, Task<DocStoreBatchResponse>> execute, JsonSerializerOptions? jsonSerializerOptions = null)
    {
        ArgumentNullException.ThrowIfNull(collection);
        ArgumentNullException.ThrowIfNull(partitionKey);
        ArgumentNullException.ThrowIfNull(execute);
        var options = StructJson.Prepare(jsonSerializerOptions ?? new JsonSerializerOptions(JsonSerializerDefaults.Web));
        return new DocStoreBatch(
            collection,
            partitionKey,
            V1.BodyFormat.Json,
            options,
            (document, typeInfo) => new V1.BatchWrite { DocumentJson = StructJson.ToJson(document, typeInfo) },
            patch => [],
            execute);
    }

    /// <summary>What a batch returns: one document (null for a delete) and etag per operation.</summary>
    /// <param name="documents">Each operation's document, in order, as <see cref="DocStoreBatchResponse.GetDocument{T}(int)"/> returns it (it must be of the type asked for); null for a delete.</param>
    /// <param name="etags">Each operation's etag; null for a delete. Defaults to none for every operation.</param>
    /// <param name="sessionToken">The batch's session token. Defaults to empty.</param>
    /// <param name="requestCharge">The batch's request charge. Defaults to 0.</param>
    public static DocStoreBatchResponse BatchResponse(IReadOnlyList<object?> documents, IReadOnlyList<string?>? etags = null, string? sessionToken = null, double requestCharge = 0)
    {
        ArgumentNullException.ThrowIfNull(documents);
        if (etags is not null && etags.Count != documents.Count)
        {
            throw new ArgumentException($"There are {documents.Count} documents but {etags.Count} etags; give one per operation.", nameof(etags));
        }

        return new DocStoreBatchResponse(
            [.. documents.Select(d => (Func<Func<JsonTypeInfo>, object?>)(_ => d))],
            etags ?? new string?[documents.Count],
            sessionToken ?? string.Empty,
            requestCharge,
            new JsonSerializerOptions(JsonSerializerDefaults.Web));
    }

    /// <summary>
    /// The exception a real call throws for a status: the same type, reason, metadata, field violations and retry delay,
    /// built by the client's own error mapping from a gRPC status with a <c>google.rpc.Status</c> in its trailers. For
    /// example <c>Error(StatusCode.NotFound, DocStoreErrorReasons.DocumentNotFound)</c> is a <see cref="DocStoreNotFoundException"/>.
    /// </summary>
    /// <param name="statusCode">The gRPC status code.</param>
    /// <param name="reason">The <c>ErrorInfo</c> reason, one of <see cref="DocStoreErrorReasons"/>; null for a status without one (a transport failure, a deadline).</param>
    /// <param name="message">The message. Defaults to one naming the status and reason.</param>
    /// <param name="metadata">The <c>ErrorInfo</c> metadata, such as <c>operation_index</c> for a batch's failing operation.</param>
    /// <param name="retryAfter">The <c>RetryInfo</c> delay (THROTTLED, TOO_MANY_STREAMS).</param>
    /// <param name="fieldViolations">The <c>BadRequest</c> field violations (INVALID_ARGUMENT).</param>
    public static DocStoreException Error(StatusCode statusCode, string? reason = null, string? message = null, IReadOnlyDictionary<string, string>? metadata = null, TimeSpan? retryAfter = null, IEnumerable<DocStoreFieldViolation>? fieldViolations = null)
    {
        message ??= reason is null ? $"The DocStore call failed with {statusCode}." : $"The DocStore call failed with {statusCode} ({reason}).";
        var status = new Google.Rpc.Status { Code = (int)statusCode, Message = message };
        if (reason is not null)
        {
            var info = new ErrorInfo { Domain = DocStoreErrorReasons.Domain, Reason = reason };
            foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
            {
                info.Metadata[key] = value;
            }

            status.Details.Add(Any.Pack(info));
        }

        if (retryAfter is { } delay)
        {
            status.Details.Add(Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(delay) }));
        }

        if (fieldViolations is not null)
        {
            var badRequest = new BadRequest();
            badRequest.FieldViolations.AddRange(fieldViolations.Select(v => new BadRequest.Types.FieldViolation { Field = v.Field, Description = v.Description }));
            status.Details.Add(Any.Pack(badRequest));
        }

        return (DocStoreException)ErrorMapper.Map(status.ToRpcException(), CancellationToken.None);
    }
}
