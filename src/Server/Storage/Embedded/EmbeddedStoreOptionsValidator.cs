using Microsoft.Extensions.Options;

namespace DocStore.Server.Storage.Embedded;

/// <summary>Checks <c>DocStore:Embedded</c> at start-up, naming the key of every problem.</summary>
internal sealed class EmbeddedStoreOptionsValidator : IValidateOptions<DocStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, DocStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var embedded = options.Embedded;
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(embedded.Path))
        {
            problems.Add("DocStore:Embedded:Path must name a file.");
        }

        if (embedded.BusyTimeout <= TimeSpan.Zero || embedded.BusyTimeout > TimeSpan.FromMinutes(10))
        {
            problems.Add($"DocStore:Embedded:BusyTimeout must be above zero and at most 10 minutes, not {embedded.BusyTimeout}.");
        }

        if (embedded.ReplicaLag < TimeSpan.Zero || embedded.ReplicaLag > TimeSpan.FromMinutes(10))
        {
            problems.Add($"DocStore:Embedded:ReplicaLag must be between zero and 10 minutes, not {embedded.ReplicaLag}.");
        }

        return DocStoreSettings.Result(problems);
    }
}
