using DocStore.Server.Api.Messages;
using DocStore.Server.Storage;

namespace DocStore.V1;

/// <summary>A batch's operations as the rules and the audit trail see them: kinds and ids, without descriptor lookups.</summary>
public sealed partial class ExecuteBatchRequest : IBatchRequest
{
    /// <inheritdoc/>
    IEnumerable<BatchStepKind> IBatchRequest.OperationKinds =>
        Operations.Where(o => o.OperationCase != BatchOperation.OperationOneofCase.None).Select(o => o.Kind);

    /// <inheritdoc/>
    IEnumerable<string> IBatchRequest.OperationIds(JsonPointer? partitionKeyPath) =>
        Operations.Select(o => o.DocumentId(partitionKeyPath));
}
