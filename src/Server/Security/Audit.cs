using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using DocStore.Server.Api.Wire;
using DocStore.Server.Storage;
using DocStore.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace DocStore.Server.Security;

/// <summary>
/// The audit trail: one structured event, in category <see cref="Category"/> so that it can be routed apart, for
/// every write, every denial and every failed authentication. It names the principal, the action, the collection,
/// the document's id and partition key, the outcome, the new etag and the trace id; never a body or a credential.
/// Ids and partition keys are personal data, so only this category may hold them.
/// </summary>
/// <remarks>
/// An Upsert's, Create's or Replace's id and partition key are inside its document, which travels as bytes
/// (<see cref="IDocumentRequest"/>): once the service has read the document they are the keys it found there, so a
/// write that then fails is named without reading the document again; a call refused before that (a denial, a failed
/// authentication) is named by <see cref="DocumentKeyScan"/>, which reads no more of the document than the keys. A
/// batch is named by its partition key and the ids of its operations, in order, as a JSON array.
/// </remarks>
internal sealed partial class Audit(ILoggerFactory loggerFactory, CollectionRegistry collections)
{
    public const string Category = "DocStore.Audit";

    private readonly ILogger _logger = loggerFactory.CreateLogger(Category);

    /// <summary>A write that ran: <paramref name="outcome"/> is <c>OK</c> or the status code it ended with.</summary>
    public void Write(Caller caller, MethodRule rule, object request, IMessage? response, string outcome)
    {
        if (!_logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        var (id, partitionKey) = DocumentOf(request, response);
        var etag = RequestFields.String(RequestFields.Message(response, "document"), "etag") ?? "";
        var collection = RequestFields.Collection(MessageOf(request)!);
        var traceId = TraceId();
        Log.Write(_logger, outcome, caller.Principal, rule.Action, collection, id, partitionKey, etag, traceId);
    }

    /// <summary>An authenticated caller refused <paramref name="requirement"/>.</summary>
    public void Denied(Caller caller, Requirement requirement, object? request)
    {
        if (!_logger.IsEnabled(LogLevel.Warning))
        {
            return;
        }

        var (id, partitionKey) = DocumentOf(request, null);
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

        var (id, partitionKey) = DocumentOf(request, null);
        var collection = MessageOf(request) is { } message ? RequestFields.Collection(message) : "";
        var traceId = TraceId();
        Log.Unauthenticated(_logger, rule?.Action ?? method, collection, id, partitionKey, reason, traceId);
    }

    /// <summary>A request or reply as a message whose fields can be read; raw-byte stand-ins give their view.</summary>
    public static IMessage? MessageOf(object? value) => value is IMessageView view ? view.View : value as IMessage;

    /// <summary>
    /// The id and partition key: the request's own fields (Delete, Patch), else the reply's document (a write that
    /// succeeded), else the keys in the request's document; a batch's partition key and the ids of its operations.
    /// </summary>
    private (string Id, string PartitionKey) DocumentOf(object? request, IMessage? response)
    {
        var message = MessageOf(request);
        if (message is ExecuteBatchRequest batch)
        {
            return (BatchIds(batch), batch.PartitionKey);
        }

        var document = RequestFields.Message(response, "document");
        var id = RequestFields.String(message, "id") ?? RequestFields.String(document, "id");
        var partitionKey = RequestFields.String(message, "partition_key") ?? RequestFields.String(document, "partition_key");
        if ((id is null || partitionKey is null) && request is IDocumentRequest input && KeysOf(input, RequestFields.Collection(input.View)) is { } keys)
        {
            id ??= keys.Id;
            partitionKey ??= keys.PartitionKey;
        }

        return (id ?? "", partitionKey ?? "");
    }

    /// <summary>The keys the service found in the document, or, when it has not read it yet, a scan for them alone.</summary>
    private DocumentKeys? KeysOf(IDocumentRequest input, string collection)
    {
        if (input.KeysRead)
        {
            return input.Keys;
        }

        return collections.TryGet(collection, out var definition)
            ? DocumentKeyScan.Find(input.Document, input.DocumentJson, definition.PartitionKeyPath)
            : null;
    }

    /// <summary>The ids of a batch's operations, in order, as a JSON array; an id that cannot be found is empty.</summary>
    private string BatchIds(ExecuteBatchRequest batch)
    {
        var partitionKeyPath = collections.TryGet(batch.Collection, out var definition) ? definition.PartitionKeyPath : null;
        var output = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartArray();
            foreach (var operation in batch.Operations)
            {
                writer.WriteStringValue(operation.OperationCase switch
                {
                    BatchOperation.OperationOneofCase.Read => operation.Read.Id,
                    BatchOperation.OperationOneofCase.Delete => operation.Delete.Id,
                    BatchOperation.OperationOneofCase.Patch => operation.Patch.Id,
                    BatchOperation.OperationOneofCase.Create => WrittenId(operation.Create, partitionKeyPath),
                    BatchOperation.OperationOneofCase.Upsert => WrittenId(operation.Upsert, partitionKeyPath),
                    BatchOperation.OperationOneofCase.Replace => WrittenId(operation.Replace, partitionKeyPath),
                    _ => "",
                });
            }

            writer.WriteEndArray();
        }

        return System.Text.Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static string WrittenId(BatchWrite write, JsonPointer? partitionKeyPath)
    {
        if (write.Document is { } document)
        {
            return document.Fields.TryGetValue("id", out var id) && id.KindCase == Value.KindOneofCase.StringValue ? id.StringValue : "";
        }

        return write.DocumentJson.IsEmpty || partitionKeyPath is null
            ? ""
            : DocumentKeyScan.Find(null, write.DocumentJson.Memory, partitionKeyPath)?.Id ?? "";
    }

    private static string TraceId() => Activity.Current?.TraceId.ToHexString() ?? "";
}
