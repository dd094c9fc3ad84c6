using System.Buffers;
using System.Collections.Frozen;

namespace DocStore.Server.Storage;

/// <summary>Cosmos DB's rules, which every store enforces the same way.</summary>
internal static class DocumentLimits
{
    /// <summary>Largest id, in UTF-8 bytes.</summary>
    public const int MaxIdBytes = 1023;

    /// <summary>Largest partition key value, in UTF-8 bytes.</summary>
    public const int MaxPartitionKeyBytes = 2048;

    /// <summary>Largest document, as UTF-8 JSON.</summary>
    public const int MaxDocumentBytes = 2 * 1024 * 1024;

    /// <summary>Longest collection (container) name.</summary>
    public const int MaxCollectionNameCharacters = 255;

    /// <summary>Patch operations per request.</summary>
    public const int MaxPatchOperations = 10;

    /// <summary>Keys in one read of many documents.</summary>
    public const int MaxReadManyKeys = 100;

    /// <summary>Operations in one transactional batch (Cosmos DB's limit).</summary>
    public const int MaxBatchOperations = 100;

    /// <summary>
    /// Deepest nesting of objects and arrays in a document. A gRPC client decodes a
    /// <c>google.protobuf.Struct</c> with protobuf's default recursion limit (100 nested
    /// messages, three for each JSON level), so deeper documents could not be returned.
    /// </summary>
    public const int MaxDepth = 32;

    /// <summary>Deepest nesting of a query's filters: a field filter on its own is depth 1.</summary>
    public const int MaxFilterDepth = 8;

    /// <summary>Most field filters in one filter.</summary>
    public const int MaxFieldFilters = 50;

    /// <summary>Most values in an IN list.</summary>
    public const int MaxInValues = 100;

    /// <summary>Most ORDER BY paths.</summary>
    public const int MaxOrderBy = 2;

    /// <summary>Largest page of a query and of a change-feed read; 0 asks for <see cref="DefaultPageSize"/>.</summary>
    public const int MaxPageSize = 1000;

    /// <summary>The page size when none is given.</summary>
    public const int DefaultPageSize = 100;

    /// <summary>Characters that Cosmos DB does not allow in an id.</summary>
    public static readonly SearchValues<char> ForbiddenIdCharacters = SearchValues.Create("/\\?#");

    /// <summary>Properties the store owns; they are never stored from, or returned to, callers.</summary>
    public static readonly FrozenSet<string> SystemProperties =
        FrozenSet.ToFrozenSet(["_rid", "_self", "_etag", "_ts", "_attachments"], StringComparer.Ordinal);
}
