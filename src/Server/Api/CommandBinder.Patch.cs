using DocStore.Server.Storage;
using DocStore.Server.Storage.Commands;
using DocStore.V1;
using Google.Protobuf.WellKnownTypes;
using DocumentKey = DocStore.Server.Storage.DocumentKey;

namespace DocStore.Server.Api;

/// <summary>Binding of patches: their operations and the paths they may touch.</summary>
internal static partial class CommandBinder
{
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
}
