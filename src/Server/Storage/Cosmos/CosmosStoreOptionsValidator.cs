using System.Net;
using Microsoft.Extensions.Options;

namespace DocStore.Server.Storage.Cosmos;

/// <summary>
/// Checks <c>DocStore:Cosmos</c> at start-up when the Cosmos DB store is selected, naming the key of
/// every problem.
/// </summary>
internal sealed class CosmosStoreOptionsValidator : IValidateOptions<DocStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, DocStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        if (options.Store == StoreKind.Cosmos)
        {
            Validate(options.Cosmos, problems);
        }

        return DocStoreSettings.Result(problems);
    }

    /// <summary>True for <c>localhost</c> and loopback IP addresses (127.0.0.0/8, ::1).</summary>
    public static bool IsLoopback(Uri endpoint) =>
        endpoint.IsLoopback || (IPAddress.TryParse(endpoint.IdnHost, out var address) && IPAddress.IsLoopback(address));

    private static void Validate(CosmosStoreOptions options, List<string> problems)
    {
        if (options.Endpoint is null)
        {
            problems.Add("DocStore:Cosmos:Endpoint is required when DocStore:Store is 'Cosmos' (for example 'https://myaccount.documents.azure.com:443/').");
        }
        else if (!options.Endpoint.IsAbsoluteUri || options.Endpoint.Scheme != Uri.UriSchemeHttps)
        {
            problems.Add($"DocStore:Cosmos:Endpoint must be an absolute https:// address, not '{options.Endpoint}'.");
        }
        else if (options.AcceptAnyServerCertificate && !IsLoopback(options.Endpoint))
        {
            problems.Add($"DocStore:Cosmos:AcceptAnyServerCertificate is for local emulators only; it is refused for '{options.Endpoint.Host}', which is not a loopback address.");
        }

        if (string.IsNullOrWhiteSpace(options.Database))
        {
            problems.Add("DocStore:Cosmos:Database is required when DocStore:Store is 'Cosmos'.");
        }
        else if (options.Database.Length > DocumentLimits.MaxCollectionNameCharacters || options.Database.AsSpan().IndexOfAny(DocumentLimits.ForbiddenIdCharacters) >= 0 || options.Database.EndsWith(' '))
        {
            problems.Add("DocStore:Cosmos:Database: a database name has at most 255 characters, none of '/', '\\', '?', '#', and no trailing space.");
        }

        if (!Enum.IsDefined(options.ConnectionMode))
        {
            problems.Add(DocStoreSettings.NotOneOf("DocStore:Cosmos:ConnectionMode", options.ConnectionMode.ToString(), typeof(CosmosConnectionMode)));
        }

        for (var i = 0; i < options.PreferredRegions.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(options.PreferredRegions[i]))
            {
                problems.Add($"DocStore:Cosmos:PreferredRegions:{i} must name a region (for example 'West Europe').");
            }
        }

        if (options.DiagnosticsThreshold <= TimeSpan.Zero || options.DiagnosticsThreshold > TimeSpan.FromHours(1))
        {
            problems.Add($"DocStore:Cosmos:DiagnosticsThreshold must be more than 0 and at most 01:00:00, not '{options.DiagnosticsThreshold}'.");
        }

        if (!string.IsNullOrEmpty(options.Key) && !IsBase64(options.Key))
        {
            // The value itself is a secret: never quote it.
            problems.Add("DocStore:Cosmos:Key is not a Cosmos DB account key (base64); leave it empty to sign in with Microsoft Entra ID.");
        }
    }

    private static bool IsBase64(string key)
    {
        var buffer = new byte[key.Length];
        return Convert.TryFromBase64String(key, buffer, out var written) && written > 0;
    }
}
