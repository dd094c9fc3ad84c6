using DocStore.Server.Api.Wire;
using DocStore.Server.Storage;
using Google.Protobuf.WellKnownTypes;

namespace DocStore.V1;

/// <summary>
/// The one place a batch operation's <c>oneof</c> case becomes a <see cref="BatchStepKind"/>: binding, authorization
/// and the audit trail all go through <see cref="Kind"/>.
/// </summary>
public sealed partial class BatchOperation
{
    /// <summary>What the operation does.</summary>
    /// <exception cref="InvalidOperationException">Nothing is set, or the contract grew a case this mapping does not know.</exception>
    internal BatchStepKind Kind => OperationCase switch
    {
        OperationOneofCase.Create => BatchStepKind.Create,
        OperationOneofCase.Upsert => BatchStepKind.Upsert,
        OperationOneofCase.Replace => BatchStepKind.Replace,
        OperationOneofCase.Patch => BatchStepKind.Patch,
        OperationOneofCase.Delete => BatchStepKind.Delete,
        OperationOneofCase.Read => BatchStepKind.Read,
        _ => throw new InvalidOperationException($"Batch operation case '{OperationCase}' has no {nameof(BatchStepKind)}."),
    };

    /// <summary>The written document of a create, upsert or replace; null for the other kinds.</summary>
    internal BatchWrite? Write => OperationCase switch
    {
        OperationOneofCase.Create => Create,
        OperationOneofCase.Upsert => Upsert,
        OperationOneofCase.Replace => Replace,
        _ => null,
    };

    /// <summary>The id of the document the operation touches, or empty when it cannot be found.</summary>
    internal string DocumentId(JsonPointer? partitionKeyPath) => OperationCase switch
    {
        OperationOneofCase.Read => Read.Id,
        OperationOneofCase.Delete => Delete.Id,
        OperationOneofCase.Patch => Patch.Id,
        OperationOneofCase.None => "",
        _ => WrittenId(Write!, partitionKeyPath),
    };

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
}
