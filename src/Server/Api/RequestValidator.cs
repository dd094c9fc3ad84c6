using System.Text;
using DocStore.Server.Storage;
using DocStore.V1;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;

namespace DocStore.Server.Api;

/// <summary>
/// Checks requests against Cosmos DB's rules before any store is touched. Every problem in a
/// request is reported at once, as <c>BadRequest</c> field violations named after the request's fields.
/// </summary>
internal static partial class RequestValidator
{
    private static readonly JsonPointer IdPath = JsonPointer.Parse("/id");

    public static (CollectionDefinition Collection, DocumentKey Key, string? SessionToken) ValidateGet(GetRequest request, CollectionRegistry collections)
    {
        var violations = new Violations();
        var collection = FindCollection(request.Collection, collections, violations);
        CheckId(request.Id, "id", violations);
        CheckPartitionKey(request.PartitionKey, "partition_key", violations);
        if (request.SessionToken.Length > 0 && !SessionToken.TryParse(request.SessionToken, out _, out var tokenError))
        {
            violations.Add("session_token", tokenError);
        }

        violations.ThrowIfAny();
        return (collection!, new DocumentKey(request.Id, request.PartitionKey), NullIfEmpty(request.SessionToken));
    }

    /// <summary>Validates an upsert: its collection, the id and partition key in its document, and the document's <paramref name="body"/>.</summary>
    /// <param name="request">The request's fields other than the document; not changed.</param>
    /// <param name="body">The request's document converted to JSON by <see cref="DocumentBody.Read"/>.</param>
    /// <param name="collections">The configured collections.</param>
    public static (CollectionDefinition Collection, DocumentKey Key) ValidateUpsert(UpsertRequest request, DocumentBody body, CollectionRegistry collections)
    {
        var violations = new Violations();
        var collection = FindCollection(request.Collection, collections, violations);
        violations.ThrowIfAny();

        if (body.Keys is not { } keys)
        {
            violations.Add(body.ProblemField ?? body.Field, body.Problem ?? "is required");
            violations.ThrowIfAny();
            return default;
        }

        if (keys.IdProblem is { } idProblem)
        {
            violations.Add(body.Field + ".id", idProblem);
        }
        else if (keys.Id is { } id)
        {
            CheckId(id, body.Field + ".id", violations);
        }

        var keyField = FieldName(body.Field, collection!.PartitionKeyPath);
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
            violations.Add(body.ProblemField!, body.Problem);
        }

        violations.ThrowIfAny();
        return (collection, new DocumentKey(keys.Id!, keys.PartitionKey!));
    }

    public static (CollectionDefinition Collection, DocumentKey Key, List<DocumentPatchOperation> Operations, Storage.Query.DocumentFilter? Condition) ValidatePatch(PatchRequest request, CollectionRegistry collections)
    {
        var violations = new Violations();
        var collection = FindCollection(request.Collection, collections, violations);
        violations.ThrowIfAny();

        CheckId(request.Id, "id", violations);
        CheckPartitionKey(request.PartitionKey, "partition_key", violations);

        var count = request.Operations.Count;
        if (count is 0 or > DocumentLimits.MaxPatchOperations)
        {
            violations.Add("operations", $"has {count} operations; a patch takes 1 to {DocumentLimits.MaxPatchOperations}");
        }

        var operations = new List<DocumentPatchOperation>(count);
        for (var i = 0; i < count && i < DocumentLimits.MaxPatchOperations; i++)
        {
            var operation = ToOperation(request.Operations[i], $"operations[{i}]", collection!, violations);
            if (operation is not null)
            {
                operations.Add(operation);
            }
        }

        var condition = request.Condition is null ? null : ToFilter(request.Condition, "condition", violations);
        violations.ThrowIfAny();
        return (collection!, new DocumentKey(request.Id, request.PartitionKey), operations, condition);
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
