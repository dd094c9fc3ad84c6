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

    public static async Task<CosmosPeer> StartAsync()
    {
        var cli = Path.Combine(TestPaths.RepositoryRoot, "node_modules", "@vercel", "cosmosdb-server", "lib", "cli.js");
        Assert.True(File.Exists(cli), $"The Cosmos DB peer is not installed at {cli}; run 'npm ci' (eng/test.sh does).");
        var port = FreePort.Next();
        var start = new ProcessStartInfo("node")
        {
            ArgumentList = { cli, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--host", "127.0.0.1" },
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
