using System.Reflection;
using System.Text.RegularExpressions;
using DocStore.Processes;
using DocStore.V1;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace DocStore.Cli.Bench;

/// <summary>
/// A DocStore server the benchmark starts as a child process (through the launcher the tests use, on a
/// free loopback port), with its channel and clients. Its memory and CPU time are read from <c>/proc</c>.
/// </summary>
internal sealed class ServerHost : IAsyncDisposable
{
    private readonly ServerProcess _process;

    private ServerHost(ServerProcess process)
    {
        _process = process;
        Address = process.Address;
        Channel = Channels.Create(process.Address);
        Client = new DocStoreService.DocStoreServiceClient(Channel);
        Health = new Health.HealthClient(Channel);
    }

    public Uri Address { get; }

    public GrpcChannel Channel { get; }

    public DocStoreService.DocStoreServiceClient Client { get; }

    public Health.HealthClient Health { get; }

    /// <summary>The server's process id, for reading its CPU time.</summary>
    public int ProcessId => _process.ProcessId;

    /// <summary>The process's peak resident set size so far, in bytes (Linux <c>VmHWM</c>), or null elsewhere.</summary>
    public long? PeakRssBytes => _process.PeakRssBytes;

    /// <summary>The process's resident set size now, in bytes (Linux <c>VmRSS</c>), or null elsewhere.</summary>
    public long? RssBytes => _process.RssBytes;

    /// <summary>
    /// How often the server logged that a Redis call failed (it then goes on without the shared
    /// token), and that its circuit breaker opened: a run whose sharing quietly fell back says so.
    /// </summary>
    public (int FailedCalls, int BreakerOpened) RedisFallbacks => CountRedisFallbacks(Output);

    public string Output => _process.Output;

    public static async Task<ServerHost> StartAsync(string serverDll, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var variables = new Dictionary<string, string>
        {
            // The bench reads no metrics; warnings only, so the output kept for counting Redis fallbacks stays small.
            ["DocStore__Metrics__Port"] = "0",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in environment)
        {
            variables[key] = value;
        }

        return new ServerHost(await ServerProcess.StartAsync(serverDll, variables, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// The server to start: <paramref name="explicitPath"/> when given, else DocStore.Server.dll built in
    /// the same configuration as this tool (then the other one) in the repository this tool was built in.
    /// </summary>
    public static string FindServerDll(string? explicitPath)
    {
        if (!string.IsNullOrEmpty(explicitPath))
        {
            return File.Exists(explicitPath) ? Path.GetFullPath(explicitPath) : throw new FileNotFoundException($"--server-path: no file at {explicitPath}");
        }

        var configuration = typeof(ServerHost).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (!File.Exists(Path.Combine(directory.FullName, "DocStore.sln")))
            {
                continue;
            }

            foreach (var config in new[] { configuration, configuration == "Release" ? "Debug" : "Release" })
            {
                var path = Path.Combine(directory.FullName, "src", "Server", "bin", config, "net10.0", "DocStore.Server.dll");
                if (File.Exists(path))
                {
                    return path;
                }
            }

            break;
        }

        throw new FileNotFoundException("DocStore.Server.dll not found; build src/Server (dotnet build -c Release) or pass --server-path");
    }

    /// <summary>Writes a document set straight into a new embedded store file (<see cref="EmbeddedSeeder"/>), off the calling thread.</summary>
    public static Task SeedEmbeddedAsync(string databasePath, string container, DocumentSet documents, CancellationToken cancellationToken) =>
        Task.Run(() => EmbeddedSeeder.Seed(databasePath, container, documents), cancellationToken);

    /// <summary>Counts the server's log lines for a failed Redis call (event 300) and an opened breaker (event 301).</summary>
    public static (int FailedCalls, int BreakerOpened) CountRedisFallbacks(string output) =>
        (Regex.Count(output, @"Redis \w+ failed \("), Regex.Count(output, "Redis keeps failing"));

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await _process.DisposeAsync();
    }
}

/// <summary>How the benchmark opens channels: one per endpoint, several HTTP/2 connections when streams run out.</summary>
internal static class Channels
{
    public static GrpcChannel Create(Uri address, ChannelSecurity? security = null) => GrpcChannel.ForAddress(address, new GrpcChannelOptions
    {
        MaxReceiveMessageSize = 32 * 1024 * 1024,
        MaxSendMessageSize = 32 * 1024 * 1024,
        HttpHandler = (security ?? ChannelSecurity.None).Apply(new SocketsHttpHandler { EnableMultipleHttp2Connections = true }),
    });
}
