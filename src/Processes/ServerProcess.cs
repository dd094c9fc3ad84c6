using System.Diagnostics;
using System.Globalization;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace DocStore.Processes;

/// <summary>
/// A real DocStore.Server process started the way the README says (the built DocStore.Server.dll
/// with <c>--urls</c>), on a free loopback port, talked to over a real socket. The tests and
/// <c>docstore bench</c> both start servers through it.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private const string MetricsPortKey = "DocStore__Metrics__Port";

    /// <summary>
    /// The Cosmos SDK's switch for its native query planner on Linux. Every server started here has it on, as the
    /// image and the chart do (docs/cosmos.md), unless the caller's environment sets it.
    /// </summary>
    public const string NativeQueryPlannerVariable = "AZURE_COSMOS_USE_QUERY_PLAN_INTEROP_LINUX";

    private readonly Process _process;
    private readonly CapturedOutput _output = new();
    private Uri? _healthAddress;

    private ServerProcess(Process process, int port, int metricsPort)
    {
        _process = process;
        Port = port;
        Address = new Uri($"http://127.0.0.1:{port}");
        MetricsPort = metricsPort;
    }

    /// <summary>The loopback port the gRPC endpoint listens on.</summary>
    public int Port { get; }

    /// <summary><c>http://127.0.0.1:{Port}</c>.</summary>
    public Uri Address { get; }

    /// <summary>The Prometheus endpoint's port (a free one unless the caller set <c>DocStore__Metrics__Port</c>); 0 when off.</summary>
    public int MetricsPort { get; }

    /// <summary>The Prometheus scrape address, <c>http://localhost:{MetricsPort}/metrics</c>.</summary>
    public Uri MetricsAddress => new($"http://localhost:{MetricsPort}/metrics");

    /// <summary>The operating system's id of the process.</summary>
    public int ProcessId => _process.Id;

    /// <summary>Whether the process has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The exit code, once <see cref="HasExited"/>.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>What the process printed so far, for failure messages.</summary>
    public string Output => _output.ToString();

    /// <summary>User plus system CPU time the server has used so far (Linux <c>/proc</c>), or null elsewhere.</summary>
    public TimeSpan? CpuTime => ProcStat.CpuTime(_process.Id);

    /// <summary>The process's peak resident set size so far, in bytes (Linux <c>VmHWM</c>), or null elsewhere.</summary>
    public long? PeakRssBytes => ProcStat.PeakRssBytes(_process.Id);

    /// <summary>The process's resident set size now, in bytes (Linux <c>VmRSS</c>), or null elsewhere.</summary>
    public long? RssBytes => ProcStat.RssBytes(_process.Id);

    /// <summary>
    /// Starts <paramref name="serverDll"/> on a free loopback port (or on <paramref name="port"/>, to restart a server
    /// where its clients look for it), in the temporary directory, with
    /// <paramref name="environment"/> added to this process's, and waits until its health service answers
    /// SERVING. With <paramref name="metrics"/>, the metrics endpoint gets a free port unless the environment sets
    /// <c>DocStore__Metrics__Port</c>; without, the server's default (off) holds.
    /// </summary>
    /// <exception cref="InvalidOperationException">The server exited before it served.</exception>
    /// <exception cref="TimeoutException">The server did not serve within a minute.</exception>
    public static async Task<ServerProcess> StartAsync(string serverDll, IReadOnlyDictionary<string, string>? environment = null, bool metrics = true, int? port = null, CancellationToken cancellationToken = default)
    {
        port ??= FreePort.Next();
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { serverDll, "--urls", $"http://127.0.0.1:{port}" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment[NativeQueryPlannerVariable] = "true";

        // A free metrics port: a fixed default would collide between servers running at once.
        if (metrics && !start.Environment.ContainsKey(MetricsPortKey))
        {
            start.Environment[MetricsPortKey] = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var metricsPort = start.Environment.TryGetValue(MetricsPortKey, out var set) && set is not null ? int.Parse(set, CultureInfo.InvariantCulture) : 0;
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var server = new ServerProcess(process, port.Value, metricsPort);

        // With TLS on, the plaintext health port answers the readiness wait.
        if (start.Environment.TryGetValue("DocStore__Health__Port", out var healthPort) && !string.IsNullOrEmpty(healthPort))
        {
            server._healthAddress = new Uri($"http://127.0.0.1:{healthPort}");
        }

        process.OutputDataReceived += (_, e) => server._output.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server._output.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitUntilServingAsync(TimeSpan.FromSeconds(60), cancellationToken);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>A channel to the server that accepts messages up to 32 MB.</summary>
    public GrpcChannel CreateChannel() => GrpcChannel.ForAddress(Address, new GrpcChannelOptions { MaxReceiveMessageSize = 32 * 1024 * 1024 });

    /// <summary>Ends the process at once with SIGKILL, as <c>kill -9</c> does.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    /// <summary>Sends SIGTERM, as Kubernetes does to stop a pod.</summary>
    public async Task TerminateAsync()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(CultureInfo.InvariantCulture) } })
            ?? throw new InvalidOperationException("kill did not start");
        await kill.WaitForExitAsync();
    }

    /// <summary>Waits for the process to exit; false when it is still running after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private async Task WaitUntilServingAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var channel = _healthAddress is null ? CreateChannel() : GrpcChannel.ForAddress(_healthAddress);
        var health = new Health.HealthClient(channel);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process.HasExited)
            {
                // Wait for the output pipes to drain, so the message holds what the server printed.
                await _process.WaitForExitAsync(cancellationToken);
                throw new InvalidOperationException($"The server exited with code {_process.ExitCode}:\n{Output}");
            }

            try
            {
                var reply = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(2), cancellationToken: cancellationToken);
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
