using System.Text;
using DocStore.Server.Storage;
using DocStore.Server.Storage.Commands;
using DocStore.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using DocumentKey = DocStore.Server.Storage.DocumentKey;

namespace DocStore.Server.Api;

/// <summary>
/// Binds protobuf requests to what the store takes: collection, keys, documents, operations, filters. It checks
/// them against Cosmos DB's rules before any store is touched, and reports every problem in a request at once, as
/// <c>BadRequest</c> field violations named after the request's fields.
/// </summary>
internal static partial class CommandBinder
{
    private static readonly JsonPointer IdPath = JsonPointer.Parse("/id");

    public static ReadDocument BindGet(GetRequest request, CollectionRegistry collections)
    {
        var violations = new Violations();
        var collection = FindCollection(request.Collection, collections, violations);
        CheckId(request.Id, "id", violations);
        CheckPartitionKey(request.PartitionKey, "partition_key", violations);
        CheckSessionToken(request.SessionToken, violations);
        violations.ThrowIfAny();
        return new ReadDocument(collection!, new DocumentKey(request.Id, request.PartitionKey), NullIfEmpty(request.SessionToken));
    }

    /// <summary>Binds an upsert: its collection, the id and partition key in its document, and the document's <paramref name="body"/>.</summary>
    /// <param name="request">The request's fields other than the document; not changed.</param>
    /// <param name="body">The request's document converted to JSON by <see cref="DocumentBody.Read(Wire.IDocumentRequest, CollectionDefinition?)"/>.</param>
    /// <param name="collections">The configured collections.</param>
    public static UpsertDocument BindUpsert(UpsertRequest request, DocumentBody body, CollectionRegistry collections)
    {
        var (collection, key) = BindWholeDocument(request.Collection, body, collections);
        return new UpsertDocument(collection, key, body.Json, NullIfEmpty(request.IfMatch));
    }

    /// <summary>Binds a create, as an upsert.</summary>
    public static CreateDocument BindCreate(CreateRequest request, DocumentBody body, CollectionRegistry collections)
    {
        var (collection, key) = BindWholeDocument(request.Collection, body, collections);
        return new CreateDocument(collection, key, body.Json);
    }

    /// <summary>Binds a replace, as an upsert.</summary>
    public static ReplaceDocument BindReplace(ReplaceRequest request, DocumentBody body, CollectionRegistry collections)
    {
        var (collection, key) = BindWholeDocument(request.Collection, body, collections);
        return new ReplaceDocument(collection, key, body.Json, NullIfEmpty(request.IfMatch));
    }

    /// <summary>Binds a delete: its collection, id and partition key.</summary>
    public static DeleteDocument BindDelete(DeleteRequest request, CollectionRegistry collections)
    {
        var violations = new Violations();
        var collection = FindCollection(request.Collection, collections, violations);
        CheckId(request.Id, "id", violations);
        CheckPartitionKey(request.PartitionKey, "partition_key", violations);
        violations.ThrowIfAny();
        return new DeleteDocument(collection!, new DocumentKey(request.Id, request.PartitionKey), NullIfEmpty(request.IfMatch));
    }

    /// <summary>Binds a read of many documents: 1 to 100 keys, each valid, none twice.</summary>
    public static ReadDocuments BindReadMany(ReadManyRequest request, CollectionRegistry collections)
    {
        var violations = new Violations();
        var collection = FindCollection(request.Collection, collections, violations);
        var count = request.Keys.Count;
        if (count is 0 or > DocumentLimits.MaxReadManyKeys)
        {
            violations.Add("keys", $"has {count} keys; a read of many documents takes 1 to {DocumentLimits.MaxReadManyKeys}");
        }

        var keys = new List<DocumentKey>(count);
        var seen = new Dictionary<DocumentKey, int>();
        for (var i = 0; i < count; i++)
        {
            var requested = request.Keys[i];
            CheckId(requested.Id, $"keys[{i}].id", violations);
            CheckPartitionKey(requested.PartitionKey, $"keys[{i}].partition_key", violations);
            var key = new DocumentKey(requested.Id, requested.PartitionKey);
            if (!seen.TryAdd(key, i))
            {
                violations.Add($"keys[{i}]", $"repeats keys[{seen[key]}]; each key may be given once");
            }

            keys.Add(key);
        }

        CheckSessionToken(request.SessionToken, violations);
        violations.ThrowIfAny();
        return new ReadDocuments(collection!, keys, NullIfEmpty(request.SessionToken));
    }

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

    /// <summary>Binds a whole-document write (upsert, create, replace): its collection, the id and partition key in its document, and the document's <paramref name="body"/>.</summary>
    private static (CollectionDefinition Collection, DocumentKey Key) BindWholeDocument(string collectionName, DocumentBody body, CollectionRegistry collections)
    {
        var violations = new Violations();
        var collection = FindCollection(collectionName, collections, violations);
        violations.ThrowIfAny();
        var key = CheckDocument(body, collection!, "", violations);
        violations.ThrowIfAny();
        return (collection!, key!.Value);
    }

    /// <summary>
    /// Checks a whole document's id, partition key and conversion under the field prefix <paramref name="prefix"/>
    /// (empty, or <c>operations[i].create.</c>); its key, or <see langword="null"/> after adding violations.
    /// </summary>
    private static DocumentKey? CheckDocument(DocumentBody body, CollectionDefinition collection, string prefix, Violations violations)
    {
        if (body.Keys is not { } keys)
        {
            violations.Add(prefix + (body.ProblemField ?? body.Field), body.Problem ?? "is required");
            return null;
        }

        var before = violations.Count;
        if (keys.IdProblem is { } idProblem)
        {
            violations.Add(prefix + body.Field + ".id", idProblem);
        }
        else if (keys.Id is { } id)
        {
            CheckId(id, prefix + body.Field + ".id", violations);
        }

        var keyField = FieldName(prefix + body.Field, collection.PartitionKeyPath);
        if (keys.PartitionKeyProblem is { } keyProblem)
        {
            violations.Add(keyField, keyProblem);
        }
        else if (keys.PartitionKey is { } partitionKey)
        {
            CheckPartitionKey(partitionKey, keyField, violations);
        }

        if (body.Problem is not null)
        {
            violations.Add(prefix + body.ProblemField!, body.Problem);
        }

        return violations.Count == before ? new DocumentKey(keys.Id!, keys.PartitionKey!) : null;
    }

    public static PatchDocument BindPatch(PatchRequest request, CollectionRegistry collections)
    {
        var violations = new Violations();
        var collection = FindCollection(request.Collection, collections, violations);
        violations.ThrowIfAny();

        CheckId(request.Id, "id", violations);
        CheckPartitionKey(request.PartitionKey, "partition_key", violations);

        var operations = PatchOperations(request.Operations, "operations", collection!, violations);
        var condition = request.Condition is null ? null : ToFilter(request.Condition, "condition", violations);
        violations.ThrowIfAny();
        return new PatchDocument(collection!, new DocumentKey(request.Id, request.PartitionKey), operations!, NullIfEmpty(request.IfMatch), condition);
    }

    /// <summary>Checks 1 to 10 patch operations named <paramref name="field"/>; the converted ones, or <see langword="null"/> when any is invalid.</summary>
    private static List<DocumentPatchOperation>? PatchOperations(Google.Protobuf.Collections.RepeatedField<PatchOperation> requested, string field, CollectionDefinition collection, Violations violations)
    {
        var count = requested.Count;
        if (count is 0 or > DocumentLimits.MaxPatchOperations)
        {
            violations.Add(field, $"has {count} operations; a patch takes 1 to {DocumentLimits.MaxPatchOperations}");
        }

        var operations = new List<DocumentPatchOperation>(count);
        for (var i = 0; i < count && i < DocumentLimits.MaxPatchOperations; i++)
        {
            var operation = ToOperation(requested[i], $"{field}[{i}]", collection, violations);
            if (operation is not null)
            {
                operations.Add(operation);
            }
        }

        return operations.Count == count ? operations : null;
    }

    private static DocumentPatchOperation? ToOperation(PatchOperation operation, string field, CollectionDefinition collection, Violations violations)
    {
        switch (operation.OperationCase)
        {
            case PatchOperation.OperationOneofCase.Set:
                return ValueOperation(PatchOperationKind.Set, operation.Set.Path, operation.Set.Value, $"{field}.set", collection, violations);
            case PatchOperation.OperationOneofCase.Add:
                return ValueOperation(PatchOperationKind.Add, operation.Add.Path, operation.Add.Value, $"{field}.add", collection, violations);
            case PatchOperation.OperationOneofCase.Replace:
                return ValueOperation(PatchOperationKind.Replace, operation.Replace.Path, operation.Replace.Value, $"{field}.replace", collection, violations);
            case PatchOperation.OperationOneofCase.Remove:
                var removePath = TargetPath(operation.Remove.Path, $"{field}.remove.path", collection, violations);
                return removePath is null ? null : new DocumentPatchOperation(PatchOperationKind.Remove, removePath);
            case PatchOperation.OperationOneofCase.Increment:
                var incrementPath = TargetPath(operation.Increment.Path, $"{field}.increment.path", collection, violations);
                if (!double.IsFinite(operation.Increment.By))
                {
                    violations.Add($"{field}.increment.by", "must be a finite number");
                    return null;
                }

                return incrementPath is null ? null : new DocumentPatchOperation(PatchOperationKind.Increment, incrementPath, StructJson.NumberNode(operation.Increment.By));
            case PatchOperation.OperationOneofCase.Move:
                var from = TargetPath(operation.Move.From, $"{field}.move.from", collection, violations);
                var to = TargetPath(operation.Move.Path, $"{field}.move.path", collection, violations);
                if (from is null || to is null)
                {
                    return null;
                }

                if (to.IsDescendantOf(from))
                {
                    violations.Add($"{field}.move.path", $"{Quote.Short(to.Text)} is inside {Quote.Short(from.Text)}; a value cannot be moved into itself");
                    return null;
                }

                return new DocumentPatchOperation(PatchOperationKind.Move, to, From: from);
            default:
                violations.Add(field, "has no operation set (set, add, replace, remove, increment or move)");
                return null;
        }
    }

    private static DocumentPatchOperation? ValueOperation(PatchOperationKind kind, string pathText, Value? value, string field, CollectionDefinition collection, Violations violations)
    {
        var path = TargetPath(pathText, field + ".path", collection, violations);
        if (value is null)
        {
            violations.Add(field + ".value", "is required (use a null value to store JSON null)");
            return null;
        }

        try
        {
            var node = StructJson.ToJsonNode(value, path is null ? 1 : path.Segments.Count + 1);
            return path is null ? null : new DocumentPatchOperation(kind, path, node);
        }
        catch (InvalidJsonValueException e)
        {
            violations.Add(e.Path.Length == 0 ? field + ".value" : $"{field}.value.{e.Path}", e.Reason);
            return null;
        }
    }

    /// <summary>Parses a patch path and rejects the locations that a patch may not touch.</summary>
    private static JsonPointer? TargetPath(string text, string field, CollectionDefinition collection, Violations violations)
    {
        if (!JsonPointer.TryParse(text, out var path, out var error))
        {
            violations.Add(field, error);
            return null;
        }

        if (IdPath.IsSelfOrAncestorOf(path))
        {
            violations.Add(field, "'/id' cannot be patched");
            return null;
        }

        if (collection.PartitionKeyPath.IsSelfOrAncestorOf(path) || path.IsSelfOrAncestorOf(collection.PartitionKeyPath))
        {
            violations.Add(field, $"{Quote.Short(path.Text)} would change the partition key ('{collection.PartitionKeyPath}'), which cannot be patched");
            return null;
        }

        if (DocumentLimits.SystemProperties.Contains(path.Segments[0]))
        {
            violations.Add(field, $"{Quote.Short(path.Segments[0])} is a system property and cannot be patched");
            return null;
        }

        return path;
    }

    private static CollectionDefinition? FindCollection(string name, CollectionRegistry collections, Violations violations)
    {
        if (name.Length == 0)
        {
            violations.Add("collection", "must not be empty");
            return null;
        }

        if (name.Length > DocumentLimits.MaxCollectionNameCharacters)
        {
            violations.Add("collection", $"is {name.Length} characters; collection names have at most {DocumentLimits.MaxCollectionNameCharacters}");
            return null;
        }

        if (!collections.TryGet(name, out var collection))
        {
            DocStoreErrors.ThrowCollectionNotFound(name);
        }

        return collection;
    }

    private static void CheckSessionToken(string token, Violations violations)
    {
        if (token.Length > 0 && !SessionToken.TryParse(token, out _, out var tokenError))
        {
            violations.Add("session_token", tokenError);
        }
    }

    private static void CheckId(string id, string field, Violations violations)
    {
        var bytes = Encoding.UTF8.GetByteCount(id);
        if (bytes == 0)
        {
            violations.Add(field, "must not be empty");
        }
        else if (bytes > DocumentLimits.MaxIdBytes)
        {
            violations.Add(field, $"is {bytes} bytes as UTF-8; the limit is {DocumentLimits.MaxIdBytes}");
        }
        else if (id.AsSpan().IndexOfAny(DocumentLimits.ForbiddenIdCharacters) is var at and >= 0)
        {
            violations.Add(field, $"must not contain '{id[at]}' (ids cannot contain '/', '\\', '?' or '#')");
        }
    }

    private static void CheckPartitionKey(string partitionKey, string field, Violations violations)
    {
        var bytes = Encoding.UTF8.GetByteCount(partitionKey);
        if (bytes == 0)
        {
            violations.Add(field, "must not be empty");
        }
        else if (bytes > DocumentLimits.MaxPartitionKeyBytes)
        {
            violations.Add(field, $"is {bytes} bytes as UTF-8; the limit is {DocumentLimits.MaxPartitionKeyBytes}");
        }
    }

    private static string FieldName(string prefix, JsonPointer path) => prefix + "." + string.Join('.', path.Segments);

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    private sealed class Violations
    {
        private List<BadRequest.Types.FieldViolation>? _list;

        public int Count => _list?.Count ?? 0;

        public void Add(string field, string description) =>
            (_list ??= []).Add(new BadRequest.Types.FieldViolation { Field = field, Description = description });

        public void ThrowIfAny()
        {
            if (_list is not null)
            {
                DocStoreErrors.ThrowInvalidArgument(_list);
            }
        }
    }
}
