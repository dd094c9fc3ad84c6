using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using DocStore.Server.Api;
using DocStore.Server.Api.Messages;
using DocStore.Server.Api.Wire;
using DocStore.Server.Storage;

namespace DocStore.Server.Security;

/// <summary>
/// The audit trail: one structured event, in category <see cref="Category"/> so that it can be routed apart, for
/// every write, every denial and every failed authentication. It names the principal, the action, the collection,
/// the document's id and partition key, the outcome, the new etag and the trace id; never a body or a credential.
/// Ids and partition keys are personal data, so only this category may hold them.
/// </summary>
/// <remarks>
/// An Upsert's, Create's or Replace's id and partition key are inside its document, which travels as bytes
/// (<see cref="IDocumentRequest"/>): once the service has read the document, the keys it found are in the call's
/// <see cref="DocumentCall"/>, so a write that then fails is named without reading the document again; a call refused
/// before that (a denial, a failed authentication) is named by <see cref="DocumentKeyScan"/>, which reads no more of
/// the document than the keys. A batch is named by its partition key and the ids of its operations, in order, as a
/// JSON array (<see cref="IBatchRequest"/>).
/// </remarks>
internal sealed partial class Audit(ILoggerFactory loggerFactory, CollectionRegistry collections)
{
    public const string Category = "DocStore.Audit";

    private readonly ILogger _logger = loggerFactory.CreateLogger(Category);

    /// <summary>A write that ran: <paramref name="outcome"/> is <c>OK</c> or the status code it ended with.</summary>
    public void Write(Caller caller, DocumentCall call, object request, string outcome)
    {
        if (!_logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        var (id, partitionKey) = DocumentOf(request, call);
        var traceId = TraceId();
        Log.Write(_logger, outcome, caller.Principal, call.Action, call.Collection, id, partitionKey, call.ETag ?? "", traceId);
    }

    /// <summary>An authenticated caller refused <paramref name="requirement"/>.</summary>
    public void Denied(Caller caller, Requirement requirement, object? request)
    {
        if (!_logger.IsEnabled(LogLevel.Warning))
        {
            return;
        }

        var (id, partitionKey) = DocumentOf(request, call: null);
        var traceId = TraceId();
        Log.Denied(_logger, caller.Principal, requirement.Action, requirement.Collection, id, partitionKey, traceId);
    }

    /// <summary>A call without valid credentials; <paramref name="reason"/> says which check failed, for operators only.</summary>
    public void Unauthenticated(MethodRule? rule, string method, object? request, string reason)
    {
        if (!_logger.IsEnabled(LogLevel.Warning))
        {
            return;
        }

        var (id, partitionKey) = DocumentOf(request, call: null);
        var collection = (request as ICollectionRequest)?.Collection ?? "";
        var traceId = TraceId();
        Log.Unauthenticated(_logger, rule?.Action ?? method, collection, id, partitionKey, reason, traceId);
    }

    /// <summary>
    /// The id and partition key: a batch's partition key and the ids of its operations; else what the service found
    /// (<paramref name="call"/>); else the request's own fields (Get, Patch, Delete; a partition of a query); else the
    /// keys in the request's document.
    /// </summary>
    private (string Id, string PartitionKey) DocumentOf(object? request, DocumentCall? call)
    {
        if (request is IBatchRequest batch)
        {
            return (BatchIds(batch), batch.PartitionKey);
        }

        if (call is { KeysFound: true })
        {
            return (call.Id ?? "", call.PartitionKey ?? "");
        }

        var id = (request as IKeyedRequest)?.Id;
        var partitionKey = (request as IPartitionRequest)?.PartitionKey;
        if (request is IDocumentRequest input && collections.TryGet(input.Collection, out var definition)
            && DocumentKeyScan.Find(input.Document, input.DocumentJson, definition.PartitionKeyPath) is { } keys)
        {
            id = keys.Id;
            partitionKey = keys.PartitionKey;
        }

        return (id ?? "", partitionKey ?? "");
    }

    /// <summary>The ids of a batch's operations, in order, as a JSON array; an id that cannot be found is empty.</summary>
    private string BatchIds(IBatchRequest batch)
    {
        var partitionKeyPath = collections.TryGet(batch.Collection, out var definition) ? definition.PartitionKeyPath : null;
        var output = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartArray();
            foreach (var id in batch.OperationIds(partitionKeyPath))
            {
                writer.WriteStringValue(id);
            }

            writer.WriteEndArray();
        }

        return System.Text.Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static string TraceId() => Activity.Current?.TraceId.ToHexString() ?? "";
}
