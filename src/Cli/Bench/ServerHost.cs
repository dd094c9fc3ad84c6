using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using DocStore.V1;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace DocStore.Cli.Bench;

/// <summary>
/// A DocStore server the benchmark starts as a child process: the built DocStore.Server.dll on a
/// free loopback port, with the environment given. Its memory is read from <c>/proc</c>.
/// </summary>
internal sealed class ServerHost : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServerHost(Process process, Uri address)
    {
        _process = process;
        Address = address;
        Channel = Channels.Create(address);
        Client = new DocStoreService.DocStoreServiceClient(Channel);
        Health = new Health.HealthClient(Channel);
    }

    public Uri Address { get; }

    public GrpcChannel Channel { get; }

    public DocStoreService.DocStoreServiceClient Client { get; }

    public Health.HealthClient Health { get; }

    /// <summary>The process's peak resident set size so far, in bytes (Linux <c>VmHWM</c>), or null elsewhere.</summary>
    public long? PeakRssBytes => ReadStatus("VmHWM:");

    /// <summary>The process's resident set size now, in bytes (Linux <c>VmRSS</c>), or null elsewhere.</summary>
    public long? RssBytes => ReadStatus("VmRSS:");

    /// <summary>
    /// How often the server logged that a Redis call failed (it then goes on without the shared
    /// token), and that its circuit breaker opened: a run whose sharing quietly fell back says so.
    /// </summary>
    public (int FailedCalls, int BreakerOpened) RedisFallbacks => CountRedisFallbacks(Output);

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static async Task<ServerHost> StartAsync(string serverDll, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { serverDll, "--urls", $"http://127.0.0.1:{port}" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.Environment["DOTNET_NOLOGO"] = "1";

        // The metrics listener would otherwise take its default port, which another server may hold.
        start.Environment["DocStore__Metrics__Port"] = "0";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var host = new ServerHost(process, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, e) => host.Append(e.Data);
        process.ErrorDataReceived += (_, e) => host.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await host.WaitUntilServingAsync(TimeSpan.FromSeconds(60), cancellationToken);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }

        return host;
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

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private long? ReadStatus(string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    // "VmHWM:	  123456 kB"
                    var parts = line[field.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    return long.Parse(parts[0], CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
            // Not Linux, or the process has gone.
        }
        catch (UnauthorizedAccessException)
        {
        }

        return null;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private async Task WaitUntilServingAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync(cancellationToken);
                throw new InvalidOperationException($"The server exited with code {_process.ExitCode}:\n{Output}");
            }

            try
            {
                var reply = await Health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(2), cancellationToken: cancellationToken);
                if (reply.Status == HealthCheckResponse.Types.ServingStatus.Serving)
                {
                    return;
                }
            }
            catch (Grpc.Core.RpcException) when (DateTime.UtcNow < deadline)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"The server did not become healthy within {timeout}:\n{Output}");
            }

            await Task.Delay(100, cancellationToken);
        }
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
