using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace DocStore.Cli.Consistency;

/// <summary><c>docstore consistency</c>: counts stale reads across a deployment's endpoints.</summary>
internal static class ConsistencyCommand
{
    public static Command Create()
    {
        var endpoints = new Option<string>("--endpoints")
        {
            Description = "Comma-separated DocStore endpoints, one per pod, e.g. http://127.0.0.1:5001,http://127.0.0.1:5002",
            Required = true,
        };
        var collection = new Option<string>("--collection") { Description = "The collection to write into", DefaultValueFactory = _ => "items" };
        var partitionKeyPath = new Option<string>("--partition-key-path") { Description = "The collection's partition key path", DefaultValueFactory = _ => "/pk" };
        var operations = new Option<int>("--ops") { Description = "Write-then-read pairs to run", DefaultValueFactory = _ => 500 };
        var concurrency = new Option<int>("--concurrency") { Description = "Pairs run at once", DefaultValueFactory = _ => 8 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a summary" };
        var mode = new Option<string>("--mode")
        {
            Description = "write: write a new version through one endpoint, read it through the next; delete: delete a document every endpoint has seen through one endpoint, read it through the next",
            DefaultValueFactory = _ => "write",
        };
        mode.AcceptOnlyFromAmong("write", "delete");

        var command = new Command("consistency", "Write (or, with --mode delete, delete) through one endpoint, read at once through another, and count stale reads (an older version, NOT_FOUND after a create, or a document found after its delete). Exits 0 when every read saw its write, 1 when any read was stale, 3 when any call failed (errors come first: a failed pair cannot show a stale read), 2 on bad arguments.")
        {
            endpoints, collection, partitionKeyPath, operations, concurrency, json, mode,
        };
        var securityOptions = new ChannelSecurity.Options();
        securityOptions.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (targets, error) = ParseEndpoints(parse.GetValue(endpoints)!);
            var (security, securityError) = securityOptions.Read(parse);
            error ??= securityError;
            error ??= parse.GetValue(operations) < 1 ? "--ops must be at least 1."
                : parse.GetValue(concurrency) < 1 ? "--concurrency must be at least 1."
                : null;
            if (error is not null)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync(error);
                return 2;
            }

            var settings = new ConsistencyCheckSettings(
                targets,
                parse.GetValue(collection)!,
                parse.GetValue(partitionKeyPath)!,
                parse.GetValue(operations),
                parse.GetValue(concurrency),
                security,
                parse.GetValue(mode) == "delete" ? ConsistencyMode.Delete : ConsistencyMode.Write);
            var result = await ConsistencyCheck.RunAsync(settings, cancellationToken);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                await output.WriteLineAsync(ToJson(settings, result));
            }
            else
            {
                await output.WriteLineAsync(Summary(settings, result));
            }

            return (int)result.Verdict;
        });
        return command;
    }

    internal static (IReadOnlyList<Uri> Endpoints, string? Error) ParseEndpoints(string list)
    {
        var endpoints = new List<Uri>();
        foreach (var part in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(part, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                return ([], $"--endpoints: '{part}' is not an http:// or https:// address.");
            }

            endpoints.Add(uri);
        }

        return endpoints.Count == 0 ? ([], "--endpoints names no endpoint.") : (endpoints, null);
    }

    internal static string ToJson(ConsistencyCheckSettings settings, ConsistencyCheckResult result) =>
        JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["verdict"] = result.Verdict.ToString().ToLowerInvariant(),
            ["mode"] = settings.Mode.ToString().ToLowerInvariant(),
            ["ops"] = result.Operations,
            ["errors"] = result.Errors,
            ["first_error"] = result.FirstError,
            ["completed"] = result.Completed,
            ["stale"] = result.Stale,
            ["stale_older"] = result.StaleOlder,
            ["stale_not_found"] = result.StaleNotFound,
            ["stale_deleted"] = result.StaleDeleted,
            ["stale_rate"] = Math.Round(result.StaleRate, 4),
            ["endpoints"] = settings.Endpoints.Count,
            ["concurrency"] = settings.Concurrency,
            ["elapsed_ms"] = Math.Round(result.Elapsed.TotalMilliseconds),
        });

    /// <summary>The human summary. Failed calls come first: with errors, "0 stale" would say nothing about the failed pairs.</summary>
    internal static string Summary(ConsistencyCheckSettings settings, ConsistencyCheckResult result)
    {
        var pairs = settings.Mode == ConsistencyMode.Delete ? "delete-then-read" : "write-then-read";
        var run = string.Create(CultureInfo.InvariantCulture, $"{result.Operations} {pairs} pairs across {settings.Endpoints.Count} endpoints, {settings.Concurrency} at a time, in {result.Elapsed.TotalSeconds:F1} s");
        var kinds = settings.Mode == ConsistencyMode.Delete
            ? $"{result.StaleDeleted} still found after the delete"
            : $"{result.StaleOlder} older version, {result.StaleNotFound} NOT_FOUND after a create";
        var stale = result.Completed == 0
            ? "  stale reads: not measured: no pair completed"
            : string.Create(CultureInfo.InvariantCulture, $"  stale reads: {result.Stale} of {result.Completed} completed pairs ({result.StaleRate:P2}): {kinds}");
        if (result.Errors == 0)
        {
            return $"{(result.Stale == 0 ? "CONSISTENT" : "STALE READS")}: {run}\n  errors:      0\n{stale}";
        }

        return string.Create(CultureInfo.InvariantCulture, $"ERRORS: {result.Errors} of {result.Operations} pairs failed, so they were not checked (first: {result.FirstError})\n{run}\n  errors:      {result.Errors}\n{stale}");
    }
}
