using System.Reflection;
using System.Text.RegularExpressions;
using DocStore.Server.Operations;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace DocStore.Server;

/// <summary>Runs the composed application, turning a failed start into readable lines and an exit code.</summary>
public static partial class DocStoreApplication
{
    /// <summary>
    /// Warns about unknown <c>DocStore</c> keys, starts the application and waits for it to stop.
    /// A start that fails on settings or on a port in use prints one line per problem on standard error
    /// and returns 1, instead of a stack trace; any other failure is thrown. When another program runs
    /// this entry point (a test's WebApplicationFactory), every failure is thrown to it as it was.
    /// </summary>
    /// <returns>The process's exit code: 0 after a normal stop, 1 when it could not start.</returns>
    public static async Task<int> RunDocStoreAsync(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var settings = app.Services.GetRequiredService<DocStoreSettings>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DocStoreApplication));
        foreach (var key in settings.UnknownKeys)
        {
            Log.UnknownSetting(logger, key);
        }

        var metricsPort = app.Services.GetRequiredService<MetricsEndpointSettings>().Port;
        if (metricsPort == 0)
        {
            Log.NoMetricsEndpoint(logger);
        }

        // Only the server's own process reports and exits; a host that runs the entry point wants the exception.
        var ownProcess = Assembly.GetEntryAssembly() == typeof(DocStoreApplication).Assembly;
        var gate = app.Services.GetRequiredService<StartupLogGate>();
        gate.Quiet = ownProcess;
        try
        {
            await app.StartAsync();
        }
        catch (OptionsValidationException e) when (ownProcess)
        {
            await Console.Error.WriteLineAsync($"DocStore did not start: {Count(e.Failures.Count(), "setting is", "settings are")} not valid.");
            foreach (var failure in e.Failures)
            {
                await Console.Error.WriteLineAsync($"  {failure}");
            }

            return await StoppedAsync(app, 1);
        }
        catch (Exception e) when (ownProcess && (e is AddressInUseException || e.InnerException is AddressInUseException))
        {
            await Console.Error.WriteLineAsync(PortInUse(e.Message, metricsPort));
            return await StoppedAsync(app, 1);
        }
        finally
        {
            gate.Quiet = false;
        }

        await app.WaitForShutdownAsync();
        return await StoppedAsync(app, 0);
    }

    /// <summary>
    /// The line for a port in use: which port, the key that set it, and how to choose another. Kestrel's
    /// message reads "Failed to bind to address http://127.0.0.1:5000: address already in use.".
    /// </summary>
    internal static string PortInUse(string kestrelMessage, int metricsPort)
    {
        var match = BindFailure().Match(kestrelMessage);
        if (!match.Success || !int.TryParse(match.Groups["port"].ValueSpan, out var port))
        {
            return $"DocStore did not start: {kestrelMessage} Choose a free port with --urls (the gRPC address) or DocStore:Metrics:Port (the metrics endpoint; 0 turns it off).";
        }

        return port == metricsPort
            ? $"DocStore did not start: port {port} is already in use. DocStore:Metrics:Port sets it (the Prometheus endpoint); choose a free port with --DocStore:Metrics:Port=<port> or the environment variable DocStore__Metrics__Port=<port>, or 0 to serve no metrics."
            : $"DocStore did not start: port {port} is already in use. --urls sets it (the gRPC address; also ASPNETCORE_URLS, ASPNETCORE_HTTP_PORTS or Kestrel:Endpoints; the default is http://localhost:5000); choose a free port with --urls http://localhost:<port>.";
    }

    private static async Task<int> StoppedAsync(WebApplication app, int exitCode)
    {
        await app.DisposeAsync();
        return exitCode;
    }

    private static string Count(int count, string one, string many) => count == 1 ? $"1 {one}" : $"{count} {many}";

    [GeneratedRegex(@"address (?<address>\S+?):(?<port>\d+)/?: address already in use", RegexOptions.CultureInvariant)]
    private static partial Regex BindFailure();

    private static partial class Log
    {
        [LoggerMessage(EventId = 900, EventName = "UnknownSetting", Level = LogLevel.Warning,
            Message = "Unknown setting {Setting} is ignored: DocStore has no such setting.")]
        public static partial void UnknownSetting(ILogger logger, string setting);

        [LoggerMessage(EventId = 901, EventName = "NoMetricsEndpoint", Level = LogLevel.Information,
            Message = "No Prometheus endpoint: DocStore:Metrics:Port is not set (the container image sets 9090).")]
        public static partial void NoMetricsEndpoint(ILogger logger);
    }
}

/// <summary>
/// Keeps the host's and Kestrel's error logs of a failed start off the console while
/// <see cref="DocStoreApplication.RunDocStoreAsync"/> starts the application: it reports the same failure
/// in one line per problem, or rethrows what it does not know. Open at every other time.
/// </summary>
internal sealed class StartupLogGate
{
    private static readonly string[] StartCategories = ["Microsoft.Extensions.Hosting", "Microsoft.AspNetCore.Server.Kestrel"];

    /// <summary>Whether start-up errors are held back now.</summary>
    public bool Quiet { get; set; }

    /// <summary>True for an error of the host or Kestrel while <see cref="Quiet"/> is set.</summary>
    public bool Hides(string? category, LogLevel level) =>
        Quiet && level >= LogLevel.Error && category is not null && StartCategories.Any(c => category.StartsWith(c, StringComparison.Ordinal));

    /// <summary>Adds the gate to every logging filter rule, keeping each rule's own level and filter.</summary>
    public void Apply(LoggerFilterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var rules = options.Rules.ToList();
        if (!rules.Any(r => r.ProviderName is null && r.CategoryName is null))
        {
            rules.Insert(0, new LoggerFilterRule(null, null, options.MinLevel, null));
        }

        options.Rules.Clear();
        foreach (var rule in rules)
        {
            var filter = rule.Filter;
            options.Rules.Add(new LoggerFilterRule(rule.ProviderName, rule.CategoryName, rule.LogLevel,
                (provider, category, level) => !Hides(category, level) && (filter?.Invoke(provider, category, level) ?? true)));
        }
    }
}
