using System.Collections.Frozen;
using Microsoft.Extensions.Options;

namespace DocStore.Server.Storage;

/// <summary>The configured collections, by the name callers use (case-sensitive).</summary>
internal sealed class CollectionRegistry(IOptions<DocStoreOptions> options)
{
    private readonly FrozenDictionary<string, CollectionDefinition> _collections = options.Value.Collections
        .ToFrozenDictionary(
            c => c.Key,
            c => new CollectionDefinition(c.Key, string.IsNullOrEmpty(c.Value.Container) ? c.Key : c.Value.Container, JsonPointer.Parse(c.Value.PartitionKeyPath!), c.Value.AllowCrossPartitionQuery),
            StringComparer.Ordinal);

    public IEnumerable<CollectionDefinition> All => _collections.Values;

    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CollectionDefinition? collection) =>
        _collections.TryGetValue(name, out collection);
}
