using System.Text;
using DocStore.Server.Storage;
using DocStore.Server.Storage.Commands;
using DocStore.V1;
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
