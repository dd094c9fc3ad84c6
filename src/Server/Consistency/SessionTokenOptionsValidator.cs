using Microsoft.Extensions.Options;

namespace DocStore.Server.Consistency;

/// <summary>Checks <c>DocStore:SessionTokens</c> and <c>DocStore:Redis</c> at start-up, naming the key of every problem.</summary>
internal sealed class SessionTokenOptionsValidator : IValidateOptions<DocStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, DocStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        var tokens = options.SessionTokens;
        if (tokens.Sharing is { } sharing && !Enum.IsDefined(sharing))
        {
            problems.Add(DocStoreSettings.NotOneOf("DocStore:SessionTokens:Sharing", sharing.ToString(), typeof(TokenSharing)));
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
                var parsed = StackExchange.Redis.ConfigurationOptions.Parse(redis);
                if (!string.IsNullOrWhiteSpace(options.Redis.TrustedCaPath) && !parsed.Ssl)
                {
                    problems.Add("DocStore:Redis:TrustedCaPath is set, but DocStore:Redis:Configuration does not say ssl=true: add it, or clear the CA file.");
                }
            }
            catch (ArgumentException e)
            {
                // The parser's message names the bad option, never the password.
                problems.Add($"DocStore:Redis:Configuration is not a StackExchange.Redis configuration string: {e.Message}");
            }
        }

        if (!string.IsNullOrWhiteSpace(options.Redis.TrustedCaPath)
            && DocStoreSettings.PemBundleProblem("DocStore:Redis:TrustedCaPath", options.Redis.TrustedCaPath) is { } caProblem)
        {
            problems.Add(caProblem);
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

        return DocStoreSettings.Result(problems);
    }
}
