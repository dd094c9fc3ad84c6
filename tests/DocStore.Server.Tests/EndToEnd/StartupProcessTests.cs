using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using DocStore.Server.Tests.Infrastructure;
using DocStore.V1;

namespace DocStore.Server.Tests.EndToEnd;

/// <summary>How a real server process starts, or refuses to: settings problems, ports in use, several processes on one file.</summary>
public sealed class StartupProcessTests
{
    [Fact]
    public async Task An_enum_typo_exits_1_with_one_line_naming_the_key_and_the_valid_values()
    {
        var (exitCode, stdout, stderr) = await RunToExitAsync(["--DocStore:Store=Embeded"]);

        Assert.Equal(1, exitCode);
        var problem = Assert.Single(ProblemLines(stderr));
        Assert.Equal("DocStore:Store: 'Embeded' is not valid; use one of: Embedded, Cosmos.", problem);
        AssertNoStackTrace(stdout + stderr);
    }

    [Fact]
    public async Task Every_bad_value_is_listed_at_once_each_on_its_own_line()
    {
        var (exitCode, stdout, stderr) = await RunToExitAsync(
        [
            "--DocStore:Cosmos:ConnectionMode=Tcp", "--DocStore:SessionTokens:Sharing=Shared",
            "--DocStore:Metrics:Port=ninety", "--DocStore:Shutdown:GracePeriod=25s", "--DocStore:Embedded:BusyTimeout=00:00:00",
        ]);

        Assert.Equal(1, exitCode);
        var problems = ProblemLines(stderr);
        Assert.Contains("DocStore:Cosmos:ConnectionMode: 'Tcp' is not valid; use one of: Direct, Gateway.", problems);
        Assert.Contains("DocStore:SessionTokens:Sharing: 'Shared' is not valid; use one of: Redis, Local, Off.", problems);
        Assert.Contains("DocStore:Metrics:Port: 'ninety' is not a whole number.", problems);
        Assert.Contains(problems, p => p.StartsWith("DocStore:Shutdown:GracePeriod: '25s' is not a time span", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("DocStore:Embedded:BusyTimeout must be above zero", StringComparison.Ordinal));
        Assert.Equal(5, problems.Count);
        AssertNoStackTrace(stdout + stderr);
    }

    [Fact]
    public async Task An_unknown_key_is_named_in_a_warning_and_the_server_still_serves()
    {
        await using var server = await TestServers.StartAsync(TestPaths.NewDatabasePath(), new Dictionary<string, string> { ["DocStore__Embeded__Path"] = "elsewhere.db" });

        Assert.Contains("Unknown setting DocStore:Embeded:Path (did you mean DocStore:Embedded?) is ignored", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_grpc_port_in_use_exits_1_naming_the_port_and_urls()
    {
        using var taken = Occupy(out var port);
        await AssertRefusedAsync(
            ["--urls", $"http://127.0.0.1:{port}"],
            $"DocStore did not start: port {port} is already in use. --urls sets it",
            "choose a free port with --urls http://localhost:<port>");
    }

    [Fact]
    public async Task A_metrics_port_in_use_exits_1_naming_the_port_and_its_key()
    {
        using var taken = Occupy(out var port);
        await AssertRefusedAsync(
            ["--urls", $"http://127.0.0.1:{FreePort.Next()}", $"--DocStore:Metrics:Port={port}"],
            $"DocStore did not start: port {port} is already in use. DocStore:Metrics:Port sets it",
            "DocStore__Metrics__Port=<port>, or 0");
    }

    [Fact]
    public async Task Two_servers_with_default_settings_share_one_data_file_on_two_urls()
    {
        var database = TestPaths.NewDatabasePath();
        await using var first = await TestServers.StartAsync(database, metrics: false);
        await using var second = await TestServers.StartAsync(database, metrics: false);
        using var firstChannel = first.CreateChannel();
        using var secondChannel = second.CreateChannel();
        var one = new DocStoreService.DocStoreServiceClient(firstChannel);
        var two = new DocStoreService.DocStoreServiceClient(secondChannel);

        await one.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct("""{"id":"a","pk":"p","by":"first"}""") });
        await two.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct("""{"id":"b","pk":"p","by":"second"}""") });

        Json.Equal("""{"id":"a","pk":"p","by":"first"}""", (await two.GetAsync(new GetRequest { Collection = "items", Id = "a", PartitionKey = "p" })).Document.Body);
        Json.Equal("""{"id":"b","pk":"p","by":"second"}""", (await one.GetAsync(new GetRequest { Collection = "items", Id = "b", PartitionKey = "p" })).Document.Body);
        Assert.Contains("No Prometheus endpoint: DocStore:Metrics:Port is not set", first.Output, StringComparison.Ordinal);
        Assert.Equal(0, first.MetricsPort);
    }

    /// <summary>Runs the server, which must exit 1 with one line on standard error and no stack trace.</summary>
    private static async Task AssertRefusedAsync(string[] arguments, string start, string advice)
    {
        var (exitCode, stdout, stderr) = await RunToExitAsync(arguments);

        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith(start, line, StringComparison.Ordinal);
        Assert.Contains(advice, line, StringComparison.Ordinal);
        AssertNoStackTrace(stdout + stderr);
    }

    /// <summary>The indented lines under "DocStore did not start: N settings are not valid.".</summary>
    private static List<string> ProblemLines(string stderr)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("DocStore did not start: ", lines[0], StringComparison.Ordinal);
        Assert.All(lines[1..], l => Assert.StartsWith("  ", l, StringComparison.Ordinal));
        return [.. lines[1..].Select(l => l.Trim())];
    }

    private static void AssertNoStackTrace(string output)
    {
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", output, StringComparison.Ordinal);
    }

    private static TcpListener Occupy(out int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        port = ((IPEndPoint)listener.LocalEndpoint).Port;
        return listener;
    }

    /// <summary>Runs the server with <paramref name="arguments"/> until it exits (it is expected to refuse to start).</summary>
    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunToExitAsync(string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Path.GetTempPath() };
        start.ArgumentList.Add(TestPaths.ServerDll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DocStore__Embedded__Path"] = TestPaths.NewDatabasePath();
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
