using DocStore.Server.Storage;
using DocStore.Server.Storage.Commands;
using DocStore.V1;
using Google.Protobuf;
using DocumentKey = DocStore.Server.Storage.DocumentKey;

namespace DocStore.Server.Api;

/// <summary>Binding of transactional batches.</summary>
internal static partial class CommandBinder
{
    /// <summary>
    /// Binds a transactional batch: 1 to 100 operations, each valid as its single-document call is,
    /// every document in the request's partition, if_match only where it means something, 2 MB in all.
    /// </summary>
    public static ExecuteBatch BindBatch(ExecuteBatchRequest request, CollectionRegistry collections)
    {
        var violations = new Violations();
        var collection = FindCollection(request.Collection, collections, violations);
        violations.ThrowIfAny();

        CheckPartitionKey(request.PartitionKey, "partition_key", violations);
        var count = request.Operations.Count;
        if (count is 0 or > DocumentLimits.MaxBatchOperations)
        {
            violations.Add("operations", $"has {count} operations; a batch takes 1 to {DocumentLimits.MaxBatchOperations}");
        }

        var steps = new List<BatchStep>(count);
        long bytes = 0;
        for (var i = 0; i < count; i++)
        {
            var operation = request.Operations[i];
            var field = $"operations[{i}]";
            var step = operation.OperationCase switch
            {
                BatchOperation.OperationOneofCase.Create => BatchWriteStep(BatchStepKind.Create, operation.Create, $"{field}.create", request.PartitionKey, collection!, violations),
                BatchOperation.OperationOneofCase.Upsert => BatchWriteStep(BatchStepKind.Upsert, operation.Upsert, $"{field}.upsert", request.PartitionKey, collection!, violations),
                BatchOperation.OperationOneofCase.Replace => BatchWriteStep(BatchStepKind.Replace, operation.Replace, $"{field}.replace", request.PartitionKey, collection!, violations),
                BatchOperation.OperationOneofCase.Patch => BatchPatchStep(operation.Patch, $"{field}.patch", request.PartitionKey, collection!, violations),
                BatchOperation.OperationOneofCase.Delete => BatchKeyStep(BatchStepKind.Delete, operation.Delete, $"{field}.delete", request.PartitionKey, violations),
                BatchOperation.OperationOneofCase.Read => BatchKeyStep(BatchStepKind.Read, operation.Read, $"{field}.read", request.PartitionKey, violations),
                _ => NoOperation(field, violations),
            };
            if (step is not null)
            {
                steps.Add(step);
                bytes += step.Body.Length > 0 ? step.Body.Length : operation.CalculateSize();
            }
        }

        if (bytes > DocumentLimits.MaxDocumentBytes)
        {
            violations.Add("operations", $"hold {bytes} bytes of documents and operations; a batch takes at most {DocumentLimits.MaxDocumentBytes} bytes (2 MB)");
        }

        violations.ThrowIfAny();
        return new ExecuteBatch(collection!, request.PartitionKey, steps);
    }

    private static BatchStep? NoOperation(string field, Violations violations)
    {
        violations.Add(field, "has no operation set (create, upsert, replace, patch, delete or read)");
        return null;
    }

    private static BatchStep? BatchWriteStep(BatchStepKind kind, BatchWrite write, string field, string partitionKey, CollectionDefinition collection, Violations violations)
    {
        if (kind == BatchStepKind.Create && write.IfMatch.Length > 0)
        {
            violations.Add(field + ".if_match", "is not allowed on create: the document must not exist");
        }

        // Both conditionals need the nullable type spelled out: null would otherwise become an empty memory.
        var structBytes = write.Document is null ? (ReadOnlyMemory<byte>?)null : write.Document.ToByteArray();
        var jsonBytes = write.DocumentJson.IsEmpty ? (ReadOnlyMemory<byte>?)null : write.DocumentJson.Memory;
        var body = DocumentBody.Read(structBytes, jsonBytes, collection);
        var key = CheckDocument(body, collection, field + ".", violations);
        if (key is not { } found)
        {
            return null;
        }

        if (found.PartitionKey != partitionKey)
        {
            violations.Add(FieldName(field + "." + body.Field, collection.PartitionKeyPath), "differs from the batch's partition_key; every document of a batch is in its partition");
            return null;
        }

        return new BatchStep(kind, found, body.Json, IfMatch: NullIfEmpty(write.IfMatch));
    }

    private static BatchStep? BatchPatchStep(BatchPatch patch, string field, string partitionKey, CollectionDefinition collection, Violations violations)
    {
        CheckId(patch.Id, field + ".id", violations);
        var operations = PatchOperations(patch.Operations, field + ".operations", collection, violations);
        var before = violations.Count;
        var condition = patch.Condition is null ? null : ToFilter(patch.Condition, field + ".condition", violations);
        return operations is null || violations.Count != before
            ? null
            : new BatchStep(BatchStepKind.Patch, new DocumentKey(patch.Id, partitionKey), Patch: operations, IfMatch: NullIfEmpty(patch.IfMatch), Condition: condition);
    }

    private static BatchStep BatchKeyStep(BatchStepKind kind, BatchKey key, string field, string partitionKey, Violations violations)
    {
        CheckId(key.Id, field + ".id", violations);
        if (kind == BatchStepKind.Read && key.IfMatch.Length > 0)
        {
            violations.Add(field + ".if_match", "is not allowed on read");
        }

        return new BatchStep(kind, new DocumentKey(key.Id, partitionKey), IfMatch: NullIfEmpty(key.IfMatch));
    }
}
