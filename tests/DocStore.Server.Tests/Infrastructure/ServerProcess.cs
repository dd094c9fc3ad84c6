using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace DocStore.Server.Tests.Infrastructure;

/// <summary>
/// A real DocStore.Server process started the way the README says (the built DocStore.Server.dll
/// with <c>--urls</c>), on a free loopback port, talked to over a real socket.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
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

    public int Port { get; }

    public Uri Address { get; }

    /// <summary>The Prometheus endpoint's port (a free one unless the caller set <c>DocStore__Metrics__Port</c>); 0 when off.</summary>
    public int MetricsPort { get; }

    /// <summary>The Prometheus scrape address, <c>http://localhost:{MetricsPort}/metrics</c>.</summary>
    public Uri MetricsAddress => new($"http://localhost:{MetricsPort}/metrics");

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>What the process printed so far, for failure messages.</summary>
    public string Output => _output.ToString();

    public static async Task<ServerProcess> StartAsync(string databasePath, IReadOnlyDictionary<string, string>? environment = null)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { TestPaths.ServerDll, "--urls", $"http://127.0.0.1:{port}" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.Environment["DocStore__Embedded__Path"] = databasePath;
        start.Environment["DOTNET_NOLOGO"] = "1";

        // A free metrics port: the default, 9090, would collide between servers running at once.
        start.Environment["DocStore__Metrics__Port"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var metricsPort = int.Parse(start.Environment["DocStore__Metrics__Port"]!, System.Globalization.CultureInfo.InvariantCulture);
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var server = new ServerProcess(process, port, metricsPort);

        // With TLS on, the plaintext health port answers the readiness wait.
        if (start.Environment.TryGetValue("DocStore__Health__Port", out var healthPort) && !string.IsNullOrEmpty(healthPort))
        {
            server._healthAddress = new Uri($"http://127.0.0.1:{healthPort}");
        }

        process.OutputDataReceived += (_, e) => server._output.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server._output.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await server.WaitUntilServingAsync(TimeSpan.FromSeconds(60));
        return server;
    }

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
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } })
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

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }


    private async Task WaitUntilServingAsync(TimeSpan timeout)
    {
        using var channel = _healthAddress is null ? CreateChannel() : GrpcChannel.ForAddress(_healthAddress);
        var health = new Health.HealthClient(channel);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process.HasExited)
            {
                // Wait for the output pipes to drain, so the message holds what the server printed.
                await _process.WaitForExitAsync();
                throw new InvalidOperationException($"The server exited with code {_process.ExitCode}:\n{Output}");
            }

            try
            {
                var reply = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(2));
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

            await Task.Delay(100);
        }
    }
}
