using Microsoft.Extensions.Options;

namespace DocStore.Server.Operations;

/// <summary>Checks <c>DocStore:Metrics</c> and <c>DocStore:Shutdown</c> at start-up, naming the key of every problem.</summary>
internal sealed class OperationsOptionsValidator : IValidateOptions<DocStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, DocStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        if (options.Metrics.Port is < 0 or > 65535)
        {
            problems.Add($"DocStore:Metrics:Port must be a TCP port (1-65535), or 0 for no metrics endpoint, not {options.Metrics.Port}.");
        }

        var shutdown = options.Shutdown;
        if (shutdown.GracePeriod <= TimeSpan.Zero || shutdown.GracePeriod > TimeSpan.FromHours(1))
        {
            problems.Add($"DocStore:Shutdown:GracePeriod must be above zero and at most 1 hour, not {shutdown.GracePeriod}.");
        }

        if (shutdown.DrainDelay < TimeSpan.Zero || shutdown.DrainDelay > TimeSpan.FromMinutes(10))
        {
            problems.Add($"DocStore:Shutdown:DrainDelay must be zero or more and at most 10 minutes, not {shutdown.DrainDelay}.");
        }

        return DocStoreSettings.Result(problems);
    }
}
