using System.Diagnostics;

namespace DocStore.Server.Tests.Infrastructure;

/// <summary>
/// A real Cosmos DB REST server, <c>@vercel/cosmosdb-server</c> from <c>node_modules</c>, on a free
/// loopback port over HTTPS with its self-signed certificate. The SDK reaches it in Gateway mode.
/// </summary>
public sealed class CosmosPeer : IAsyncDisposable
{
    /// <summary>The Cosmos DB emulator's well-known key; the peer accepts any key, the SDK needs base64.</summary>
    public const string Key = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

    private readonly Process _process;
    private readonly CapturedOutput _output = new();

    private CosmosPeer(Process process, int port)
    {
        _process = process;
        Endpoint = new Uri($"https://127.0.0.1:{port}/");
    }

    public Uri Endpoint { get; }

    public string Output => _output.ToString();

    /// <summary>The settings that point a DocStore server at this peer, with <paramref name="database"/> created on start.</summary>
    public Dictionary<string, string?> ServerSettings(string database) => new()
    {
        ["DocStore:Store"] = "Cosmos",
        ["DocStore:Cosmos:Endpoint"] = Endpoint.AbsoluteUri,
        ["DocStore:Cosmos:Key"] = Key,
        ["DocStore:Cosmos:Database"] = database,
        ["DocStore:Cosmos:ConnectionMode"] = "Gateway",
        ["DocStore:Cosmos:CreateIfNotExists"] = "true",
        ["DocStore:Cosmos:AcceptAnyServerCertificate"] = "true",
    };

    /// <summary>
    /// Starts the peer, patched by <c>npm ci</c> with DocStore's replication model (tests/README.md). With
    /// <paramref name="lag"/>, a read without a sufficient session token sees each collection as it was that long ago.
    /// Also turns on the SDK's native query planner in this process, as every server the tests start has it.
    /// </summary>
    public static async Task<CosmosPeer> StartAsync(TimeSpan? lag = null)
    {
        UseNativeQueryPlanner();
        var cli = Path.Combine(TestPaths.RepositoryRoot, "node_modules", "@vercel", "cosmosdb-server", "lib", "cli.js");
        Assert.True(File.Exists(cli), $"The Cosmos DB peer is not installed at {cli}; run 'npm ci' (eng/test.sh does).");
        Assert.True(
            File.Exists(Path.Combine(Path.GetDirectoryName(cli)!, "replication.js")),
            "The Cosmos DB peer is not patched; run 'npm ci' (its postinstall applies patches/ with patch-package).");
        var port = FreePort.Next();
        var start = new ProcessStartInfo("node")
        {
            ArgumentList =
            {
                cli, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--host", "127.0.0.1",
                "--lag", ((long)(lag ?? TimeSpan.Zero).TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var peer = new CosmosPeer(process, port);
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            peer._output.Append(e.Data);
            if (e.Data?.StartsWith("Ready to accept", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) => peer._output.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var exited = process.WaitForExitAsync();
        var first = await Task.WhenAny(ready.Task, exited, Task.Delay(TimeSpan.FromSeconds(30)));
        if (first != ready.Task)
        {
            var output = peer.Output;
            await peer.DisposeAsync();
            throw new InvalidOperationException($"The Cosmos DB peer did not start on port {port}:\n{output}");
        }

        return peer;
    }

    /// <summary>
    /// The SDK's own query planner (<c>libQueryPlanInterop.so</c>) instead of a gateway round trip per plan, for the
    /// SDK clients in this process (the in-process servers and the tests' own); server processes get it from
    /// <see cref="ServerProcess"/>. docs/cosmos.md says why production uses it too.
    /// </summary>
    public static void UseNativeQueryPlanner() =>
        Environment.SetEnvironmentVariable(ServerProcess.NativeQueryPlannerVariable, "true");

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }


}
