using System.Diagnostics;
using Google.Protobuf;

namespace DocStore.Server.Security;

/// <summary>
/// The audit trail: one structured event, in category <see cref="Category"/> so that it can be routed apart, for
/// every write, every denial and every failed authentication. It names the principal, the action, the collection,
/// the document's id and partition key, the outcome, the new etag and the trace id; never a body or a credential.
/// Ids and partition keys are personal data, so only this category may hold them.
/// </summary>
internal sealed partial class Audit(ILoggerFactory loggerFactory)
{
    public const string Category = "DocStore.Audit";

    private readonly ILogger _logger = loggerFactory.CreateLogger(Category);

    /// <summary>A write that ran: <paramref name="outcome"/> is <c>OK</c> or the status code it ended with.</summary>
    public void Write(Caller caller, MethodRule rule, IMessage request, IMessage? response, string outcome)
    {
        if (!_logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        var (id, partitionKey) = DocumentOf(request, response);
        var etag = RequestFields.String(RequestFields.Message(response, "document"), "etag") ?? "";
        var collection = RequestFields.Collection(request);
        var traceId = TraceId();
        Log.Write(_logger, outcome, caller.Principal, rule.Action, collection, id, partitionKey, etag, traceId);
    }

    /// <summary>An authenticated caller refused <paramref name="requirement"/>.</summary>
    public void Denied(Caller caller, Requirement requirement, IMessage? request)
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
    public void Unauthenticated(MethodRule? rule, string method, IMessage? request, string reason)
    {
        if (!_logger.IsEnabled(LogLevel.Warning))
        {
            return;
        }

        var (id, partitionKey) = DocumentOf(request, null);
        var collection = request is null ? "" : RequestFields.Collection(request);
        var traceId = TraceId();
        Log.Unauthenticated(_logger, rule?.Action ?? method, collection, id, partitionKey, reason, traceId);
    }

    /// <summary>The id and partition key from the request's fields, else from the response's document (an upsert's are in its body).</summary>
    private static (string Id, string PartitionKey) DocumentOf(IMessage? request, IMessage? response)
    {
        var document = RequestFields.Message(response, "document");
        var id = RequestFields.String(request, "id") ?? RequestFields.String(document, "id") ?? UpsertedId(request);
        var partitionKey = RequestFields.String(request, "partition_key") ?? RequestFields.String(document, "partition_key") ?? "";
        return (id, partitionKey);
    }

    private static string UpsertedId(IMessage? request) =>
        RequestFields.Message(request, "document") is Google.Protobuf.WellKnownTypes.Struct body
        && body.Fields.TryGetValue("id", out var id) && id.KindCase == Google.Protobuf.WellKnownTypes.Value.KindOneofCase.StringValue
            ? id.StringValue
            : "";

    private static string TraceId() => Activity.Current?.TraceId.ToHexString() ?? "";
}
