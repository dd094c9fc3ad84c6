using Microsoft.Extensions.Options;

namespace DocStore.Server.Storage;

/// <summary>
/// Checks <c>DocStore:Store</c> and <c>DocStore:Collections</c> at start-up and reports every problem
/// at once, each naming its key.
/// </summary>
internal sealed class StoreOptionsValidator : IValidateOptions<DocStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, DocStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        if (!Enum.IsDefined(options.Store))
        {
            problems.Add(DocStoreSettings.NotOneOf("DocStore:Store", options.Store.ToString(), typeof(StoreKind)));
        }

        var containers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (collection, settings) in options.Collections)
        {
            var key = $"DocStore:Collections:{collection}";
            if (collection.Length > DocumentLimits.MaxCollectionNameCharacters || collection.AsSpan().IndexOfAny(DocumentLimits.ForbiddenIdCharacters) >= 0 || collection.EndsWith(' '))
            {
                problems.Add($"{key}: a collection name has at most 255 characters, none of '/', '\\', '?', '#', and no trailing space.");
            }

            if (string.IsNullOrEmpty(settings.PartitionKeyPath))
            {
                problems.Add($"{key}:PartitionKeyPath is required (for example '/pk').");
            }
            else if (!JsonPointer.TryParse(settings.PartitionKeyPath, out var path, out var error))
            {
                problems.Add($"{key}:PartitionKeyPath: {error}.");
            }
            else if (DocumentLimits.SystemProperties.Contains(path.Segments[0]))
            {
                problems.Add($"{key}:PartitionKeyPath '{path}' names a system property; choose a property of the documents.");
            }

            var container = string.IsNullOrEmpty(settings.Container) ? collection : settings.Container;
            if (!containers.TryAdd(container, collection))
            {
                problems.Add($"{key}:Container '{container}' is also used by collection '{containers[container]}'; each collection needs its own container.");
            }
        }

        return DocStoreSettings.Result(problems);
    }
}
