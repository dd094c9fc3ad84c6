using Microsoft.Extensions.Options;

namespace DocStore.Client.Internal;

/// <summary>
/// Checks <see cref="DocStoreClientOptions"/> and names every problem at once, with the option's name: at start-up for a
/// registered client (<c>ValidateOnStart</c>), and when <see cref="DocStoreClient.Create"/> builds one.
/// </summary>
internal sealed class DocStoreClientOptionsValidator : IValidateOptions<DocStoreClientOptions>
{
    /// <summary>gRPC's retry policy allows at most 5 attempts.</summary>
    public const int MaxAttemptsLimit = 5;

    public ValidateOptionsResult Validate(string? name, DocStoreClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = Problems(options, requireAddress: true);
        return problems.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(problems.Select(p => string.IsNullOrEmpty(name) ? p : $"{p} (client '{name}')"));
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming every problem.</summary>
    public static void ThrowIfInvalid(DocStoreClientOptions options, bool requireAddress)
    {
        var problems = Problems(options, requireAddress);
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(options));
        }
    }

    /// <summary>
    /// Refuses, for <see cref="DocStoreClient.Create"/>, the settings that shape a channel: the caller built the channel,
    /// so they would be silently dropped.
    /// </summary>
    public static void ThrowIfChannelOptions(DocStoreClientOptions options)
    {
        var defaults = new DocStoreClientOptions();
        var refused = new List<string>();
        if (options.Address is not null)
        {
            refused.Add("Address (the channel has its own)");
        }

        if (options.Credential is not null)
        {
            refused.Add("Credential (set call credentials on the channel: GrpcChannelOptions.Credentials = ChannelCredentials.Create(..., CallCredentials.FromInterceptor(...)))");
        }

        if (options.ClientCertificate is not null)
        {
            refused.Add("ClientCertificate (set it on the channel's SocketsHttpHandler.SslOptions.ClientCertificates)");
        }

        if (options.KeepAlivePingDelay != defaults.KeepAlivePingDelay || options.KeepAlivePingTimeout != defaults.KeepAlivePingTimeout)
        {
            refused.Add("KeepAlivePingDelay and KeepAlivePingTimeout (set them on the channel's SocketsHttpHandler)");
        }

        if (options.AllowInsecureCredentials)
        {
            refused.Add("AllowInsecureCredentials (set GrpcChannelOptions.UnsafeUseInsecureChannelCallCredentials)");
        }

        if (refused.Count > 0)
        {
            throw new ArgumentException(
                $"DocStoreClient.Create uses the caller's channel, which these DocStoreClientOptions would configure, so they are refused rather than ignored: {string.Join("; ", refused)}. Or register the client with AddDocStoreClient, which builds the channel.",
                nameof(options));
        }
    }

    private static List<string> Problems(DocStoreClientOptions options, bool requireAddress)
    {
        var problems = new List<string>();
        if (requireAddress && options.Address is null)
        {
            problems.Add("DocStoreClientOptions.Address is required, e.g. new Uri(\"http://docstore:5000\").");
        }

        if (options.DefaultDeadline <= TimeSpan.Zero && options.DefaultDeadline != Timeout.InfiniteTimeSpan)
        {
            problems.Add($"DocStoreClientOptions.DefaultDeadline must be positive, or Timeout.InfiniteTimeSpan for none; it is {options.DefaultDeadline}.");
        }

        if (options.MaxAttempts is < 1 or > MaxAttemptsLimit)
        {
            problems.Add($"DocStoreClientOptions.MaxAttempts must be 1 (no retries) to {MaxAttemptsLimit}; it is {options.MaxAttempts}.");
        }

        if (options.KeepAlivePingDelay <= TimeSpan.Zero && options.KeepAlivePingDelay != Timeout.InfiniteTimeSpan)
        {
            problems.Add($"DocStoreClientOptions.KeepAlivePingDelay must be positive, or Timeout.InfiniteTimeSpan for no pings; it is {options.KeepAlivePingDelay}.");
        }

        if (options.KeepAlivePingTimeout <= TimeSpan.Zero && options.KeepAlivePingTimeout != Timeout.InfiniteTimeSpan)
        {
            problems.Add($"DocStoreClientOptions.KeepAlivePingTimeout must be positive, or Timeout.InfiniteTimeSpan; it is {options.KeepAlivePingTimeout}.");
        }

        if (options.JsonSerializerOptions is null)
        {
            problems.Add("DocStoreClientOptions.JsonSerializerOptions is required.");
        }

        if (!Enum.IsDefined(options.BodyFormat))
        {
            problems.Add($"DocStoreClientOptions.BodyFormat must be Json or Struct; it is {(int)options.BodyFormat}.");
        }

        if (options.TrackSessionTokens && options.SessionTokenCapacity < 1)
        {
            problems.Add($"DocStoreClientOptions.SessionTokenCapacity must be at least 1; it is {options.SessionTokenCapacity}.");
        }

        if (options.Credential is not null && options.Scopes.Count == 0)
        {
            problems.Add("DocStoreClientOptions.Credential needs Scopes, e.g. o.Scopes.Add(\"api://docstore/.default\").");
        }

        if (options.Credential is not null && options.Address?.Scheme == Uri.UriSchemeHttp && !options.AllowInsecureCredentials)
        {
            problems.Add($"DocStoreClientOptions.Credential would send tokens over plaintext to {options.Address}; use an https:// address, or set AllowInsecureCredentials for local tests.");
        }

        return problems;
    }
}
