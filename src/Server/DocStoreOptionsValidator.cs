using DocStore.Server.Storage;
using DocStore.Server.Storage.Cosmos;
using Microsoft.Extensions.Options;

namespace DocStore.Server;

/// <summary>
/// Checks the whole <c>DocStore</c> section at start-up and reports every problem at once, each
/// naming its configuration key.
/// </summary>
internal sealed class DocStoreOptionsValidator : IValidateOptions<DocStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, DocStoreOptions options)
    {
        var problems = new List<string>();

        if (!Enum.IsDefined(options.Store))
        {
            problems.Add($"DocStore:Store must be 'Embedded' or 'Cosmos', not '{options.Store}'.");
        }
        else if (options.Store == StoreKind.Cosmos)
        {
            CosmosOptionsValidation.Validate(options.Cosmos, problems);
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

        if (string.IsNullOrWhiteSpace(options.Embedded.Path))
        {
            problems.Add("DocStore:Embedded:Path must name a file.");
        }

        if (options.Embedded.BusyTimeout <= TimeSpan.Zero || options.Embedded.BusyTimeout > TimeSpan.FromMinutes(10))
        {
            problems.Add($"DocStore:Embedded:BusyTimeout must be above zero and at most 10 minutes, not {options.Embedded.BusyTimeout}.");
        }

        if (options.Metrics.Port is < 0 or > 65535)
        {
            problems.Add($"DocStore:Metrics:Port must be a TCP port (1-65535), or 0 for no metrics endpoint, not {options.Metrics.Port}.");
        }

        if (options.Shutdown.GracePeriod <= TimeSpan.Zero || options.Shutdown.GracePeriod > TimeSpan.FromHours(1))
        {
            problems.Add($"DocStore:Shutdown:GracePeriod must be above zero and at most 1 hour, not {options.Shutdown.GracePeriod}.");
        }

        if (options.Shutdown.DrainDelay < TimeSpan.Zero || options.Shutdown.DrainDelay > TimeSpan.FromMinutes(10))
        {
            problems.Add($"DocStore:Shutdown:DrainDelay must be zero or more and at most 10 minutes, not {options.Shutdown.DrainDelay}.");
        }

        ValidateConsistency(options, problems);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static void ValidateConsistency(DocStoreOptions options, List<string> problems)
    {
        if (options.Embedded.ReplicaLag < TimeSpan.Zero || options.Embedded.ReplicaLag > TimeSpan.FromMinutes(10))
        {
            problems.Add($"DocStore:Embedded:ReplicaLag must be between zero and 10 minutes, not {options.Embedded.ReplicaLag}.");
        }

        var tokens = options.SessionTokens;
        if (tokens.Sharing is { } sharing && !Enum.IsDefined(sharing))
        {
            problems.Add($"DocStore:SessionTokens:Sharing must be 'Redis', 'Local' or 'Off', not '{sharing}'.");
        }

        var redis = options.Redis.Configuration;
        if (string.IsNullOrWhiteSpace(redis))
        {
            if (tokens.Sharing == TokenSharing.Redis)
            {
                problems.Add("DocStore:SessionTokens:Sharing is 'Redis', but DocStore:Redis:Configuration is empty; set it (for example 'localhost:6379') or choose 'Local'.");
            }
        }
        else
        {
            try
            {
                _ = StackExchange.Redis.ConfigurationOptions.Parse(redis);
            }
            catch (ArgumentException e)
            {
                // The parser's message names the bad option, never the password.
                problems.Add($"DocStore:Redis:Configuration is not a StackExchange.Redis configuration string: {e.Message}");
            }
        }

        if (tokens.Ttl <= TimeSpan.Zero)
        {
            problems.Add($"DocStore:SessionTokens:Ttl must be above zero, not {tokens.Ttl}.");
        }

        if (tokens.RedisTimeout <= TimeSpan.Zero || tokens.RedisTimeout > TimeSpan.FromSeconds(30))
        {
            problems.Add($"DocStore:SessionTokens:RedisTimeout must be above zero and at most 30 seconds, not {tokens.RedisTimeout}.");
        }

        if (tokens.BreakDuration < TimeSpan.FromMilliseconds(500) || tokens.BreakDuration > TimeSpan.FromDays(1))
        {
            problems.Add($"DocStore:SessionTokens:BreakDuration must be between 500 milliseconds and one day, not {tokens.BreakDuration}.");
        }
    }
}
