using System.Diagnostics.CodeAnalysis;
using DocStore.Server.Storage;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace DocStore.Server.Api;

/// <summary>
/// Builds the error contract: a gRPC status whose details hold a <c>google.rpc.Status</c> with an
/// <c>ErrorInfo</c> (domain <c>docstore.v1</c>) and, for bad input, a <c>BadRequest</c>.
/// </summary>
internal static class DocStoreErrors
{
    public const string Domain = "docstore.v1";

    public const string DocumentNotFound = "DOCUMENT_NOT_FOUND";
    public const string DocumentExists = "DOCUMENT_EXISTS";
    public const string CollectionNotFound = "COLLECTION_NOT_FOUND";
    public const string InvalidArgument = "INVALID_ARGUMENT";
    public const string PatchNotApplicable = "PATCH_NOT_APPLICABLE";
    public const string EtagMismatch = "ETAG_MISMATCH";
    public const string Throttled = "THROTTLED";
    public const string StoreUnavailable = "STORE_UNAVAILABLE";
    public const string SessionNotAvailable = "READ_SESSION_NOT_AVAILABLE";
    public const string ConditionNotMet = "CONDITION_NOT_MET";
    public const string TooManyStreams = "TOO_MANY_STREAMS";

    [DoesNotReturn]
    public static void ThrowCollectionNotFound(string collection) =>
        throw Create(Code.NotFound, $"Collection {Quote.Short(collection)} does not exist.", CollectionNotFound, new() { ["collection"] = collection });

    [DoesNotReturn]
    public static void ThrowInvalidArgument(IReadOnlyList<BadRequest.Types.FieldViolation> violations)
    {
        var message = violations.Count == 1
            ? $"Invalid {violations[0].Field}: {violations[0].Description}"
            : $"{violations.Count} invalid fields: " + string.Join("; ", violations.Select(v => $"{v.Field}: {v.Description}"));
        var badRequest = new BadRequest();
        badRequest.FieldViolations.AddRange(violations);
        throw Create(Code.InvalidArgument, message, InvalidArgument, metadata: null, Any.Pack(badRequest));
    }

    /// <summary>The error for a request message that protobuf cannot decode.</summary>
    public static RpcException UndecodableRequest(InvalidProtocolBufferException e)
    {
        var reason = e.Message.Contains("nesting", StringComparison.Ordinal)
            ? "nests messages deeper than protobuf's recursion limit of 100 (documents may nest at most 32 levels of objects and arrays)"
            : "is not a valid protobuf message: " + e.Message;
        var badRequest = new BadRequest { FieldViolations = { new BadRequest.Types.FieldViolation { Field = "request", Description = reason } } };
        return Create(Code.InvalidArgument, "The request " + reason, InvalidArgument, metadata: null, Any.Pack(badRequest));
    }

    /// <summary>The error for a request message that DocStore's own decoder (see <c>Api/Wire</c>) cannot read.</summary>
    public static RpcException UndecodableRequest(string reason)
    {
        var badRequest = new BadRequest { FieldViolations = { new BadRequest.Types.FieldViolation { Field = "request", Description = "is not a valid protobuf message: it " + reason } } };
        return Create(Code.InvalidArgument, "The request is not a valid protobuf message: it " + reason, InvalidArgument, metadata: null, Any.Pack(badRequest));
    }

    /// <summary>Throws the error for a store result that is not a success.</summary>
    [DoesNotReturn]
    public static void ThrowFor(StoreResult result, CollectionDefinition collection, DocumentKey key) =>
        throw For(result, collection, key, batchOperation: null);

    /// <summary>
    /// Throws the error for a batch that applied nothing because operation <paramref name="index"/>
    /// (a <paramref name="kind"/>) failed: that operation's own status, its index in the ErrorInfo's
    /// <c>operation_index</c>, and a message that names it.
    /// </summary>
    [DoesNotReturn]
    public static void ThrowForBatchOperation(StoreResult result, CollectionDefinition collection, DocumentKey key, int index, BatchStepKind kind) =>
        throw For(result, collection, key, (index, kind));

    private static RpcException For(StoreResult result, CollectionDefinition collection, DocumentKey key, (int Index, BatchStepKind Kind)? batchOperation)
    {
        var where = new Dictionary<string, string> { ["collection"] = collection.Name, ["id"] = key.Id };

        // The store's id of the failed request (Cosmos DB's activity id), so that a support case can name it.
        if (result.ActivityId is { } activityId)
        {
            where["activity_id"] = activityId;
        }

        var prefix = "";
        var tooLargeField = "operations";
        if (batchOperation is { } operation)
        {
            where["operation_index"] = operation.Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
            prefix = $"The batch applied nothing: operations[{operation.Index}] ({operation.Kind.ToString().ToLowerInvariant()}) failed. ";
            tooLargeField = $"operations[{operation.Index}]";
        }

        switch (result.Status)
        {
            case StoreStatus.NotFound:
                return Create(Code.NotFound, prefix + $"The document does not exist in collection '{collection.Name}' (no document has this id in this partition key).", DocumentNotFound, where);
            case StoreStatus.AlreadyExists:
                return Create(Code.AlreadyExists, prefix + $"A document with this id already exists in this partition of collection '{collection.Name}'; replace or upsert it instead.", DocumentExists, where);
            case StoreStatus.PreconditionFailed:
                return Create(Code.Aborted, prefix + "The document does not have the etag given in if_match; read it again and retry.", EtagMismatch, where);
            case StoreStatus.ConditionNotMet:
                return Create(Code.FailedPrecondition, prefix + "The document does not match the patch's condition; nothing changed.", ConditionNotMet, where);
            case StoreStatus.PatchNotApplicable:
                return Create(Code.InvalidArgument, prefix + $"The patch cannot apply to the document: {result.Message}", PatchNotApplicable, where);
            case StoreStatus.TooLarge:
                var violation = new BadRequest.Types.FieldViolation { Field = tooLargeField, Description = result.Message ?? "the result would exceed the store's limits" };
                var badRequest = new BadRequest { FieldViolations = { violation } };
                return Create(Code.InvalidArgument, prefix + $"Invalid {violation.Field}: {violation.Description}", InvalidArgument, batchOperation is null ? null : where, Any.Pack(badRequest));
            case StoreStatus.Throttled:
                var retryAfter = result.RetryAfter ?? TimeSpan.FromSeconds(1);
                return Create(Code.ResourceExhausted, "The store is throttling requests; retry after the delay in RetryInfo.", Throttled, where,
                    Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(retryAfter) }));
            case StoreStatus.Unavailable:
                return Create(Code.Unavailable, "The store is unavailable" + (result.Message is null ? "." : $": {result.Message}"), StoreUnavailable, where);
            case StoreStatus.SessionNotAvailable:
                // NOT_FOUND, as Cosmos DB's 404/1002; the reason tells it apart from an absent document.
                return Create(Code.NotFound, $"The session token cannot be satisfied: {result.Message}.", SessionNotAvailable, where);
            default:
                throw new InvalidOperationException($"Store status {result.Status} is not an error.");
        }
    }

    /// <summary>The error for a WatchChanges stream over the process's cap.</summary>
    public static RpcException StreamLimitReached(int max) =>
        Create(Code.ResourceExhausted, $"This server already serves its maximum of {max} WatchChanges streams (DocStore:ChangeFeed:MaxStreams); retry later or on another server.", TooManyStreams, metadata: null,
            Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)) }));

    /// <summary>A status with an ErrorInfo of <paramref name="reason"/> and <paramref name="metadata"/>, and <paramref name="extra"/> detail.</summary>
    internal static RpcException Create(Code code, string message, string reason, Dictionary<string, string>? metadata, Any? extra = null)
    {
        var info = new ErrorInfo { Domain = Domain, Reason = reason };
        if (metadata is not null)
        {
            info.Metadata.Add(metadata);
        }

        var status = new Google.Rpc.Status { Code = (int)code, Message = message, Details = { Any.Pack(info) } };
        if (extra is not null)
        {
            status.Details.Add(extra);
        }

        return status.ToRpcException();
    }
}
