using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using DocStore.Cli.Consistency;

namespace DocStore.Cli.Tests;

/// <summary><c>docstore consistency</c>'s verdict: failed calls come first and set the exit code.</summary>
public sealed class ConsistencyCommandTests
{
    [Fact]
    public async Task Against_an_unreachable_endpoint_errors_head_the_summary_and_the_exit_code_is_3()
    {
        var (exitCode, output) = await RunAsync($"consistency --endpoints {UnreachableEndpoint()} --ops 20 --concurrency 2");

        Assert.Equal(3, exitCode);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.StartsWith("ERRORS: 20 of 20 pairs failed, so they were not checked (first: Unavailable", lines[0], StringComparison.Ordinal);
        Assert.Equal("errors:      20", lines[2]);
        Assert.Equal("stale reads: not measured: no pair completed", lines[3]);
        Assert.DoesNotContain("stale reads: 0", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Against_an_unreachable_endpoint_the_json_verdict_is_errors_before_any_stale_count()
    {
        var (exitCode, output) = await RunAsync($"consistency --endpoints {UnreachableEndpoint()} --ops 10 --concurrency 1 --json");

        Assert.Equal(3, exitCode);
        using var json = JsonDocument.Parse(output);
        var names = json.RootElement.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal("errors", json.RootElement.GetProperty("verdict").GetString());
        Assert.Equal(10, json.RootElement.GetProperty("errors").GetInt32());
        Assert.Equal(0, json.RootElement.GetProperty("completed").GetInt32());
        Assert.True(names.IndexOf("errors") < names.IndexOf("stale"), string.Join(",", names));
    }

    [Fact]
    public async Task In_delete_mode_an_unreachable_endpoint_fails_every_pair_and_a_stale_delete_is_named_as_such()
    {
        var (exitCode, output) = await RunAsync($"consistency --mode delete --endpoints {UnreachableEndpoint()} --ops 6 --concurrency 2 --json");
        Assert.Equal(3, exitCode);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(("delete", 6), (json.RootElement.GetProperty("mode").GetString(), json.RootElement.GetProperty("errors").GetInt32()));

        var settings = new ConsistencyCheckSettings([new Uri("http://a:1"), new Uri("http://b:1")], "items", "/pk", 10, 2, Mode: ConsistencyMode.Delete);
        var summary = ConsistencyCommand.Summary(settings, new ConsistencyCheckResult(10, 0, 0, 0, TimeSpan.FromSeconds(1), null, StaleDeleted: 3));
        Assert.StartsWith("STALE READS: 10 delete-then-read pairs", summary, StringComparison.Ordinal);
        Assert.Contains("stale reads: 3 of 10 completed pairs", summary, StringComparison.Ordinal);
        Assert.EndsWith(": 3 still found after the delete", summary, StringComparison.Ordinal);
        Assert.Equal(1, (int)new ConsistencyCheckResult(10, 0, 0, 0, TimeSpan.Zero, null, StaleDeleted: 1).Verdict);
    }

    [Theory]
    [InlineData(0, 0, 0, "CONSISTENT: ")]
    [InlineData(0, 2, 1, "STALE READS: ")]
    [InlineData(1, 2, 3, "ERRORS: 1 of 10 pairs failed")]
    public void The_verdict_puts_errors_before_stale_reads_and_is_the_exit_code(int errors, int stale, int exitCode, string headline)
    {
        var result = new ConsistencyCheckResult(10, stale, 0, errors, TimeSpan.FromSeconds(1), errors > 0 ? "Unavailable: down" : null);
        var settings = new ConsistencyCheckSettings([new Uri("http://127.0.0.1:1")], "items", "/pk", 10, 1);

        Assert.Equal(exitCode, (int)result.Verdict);
        Assert.StartsWith(headline, ConsistencyCommand.Summary(settings, result), StringComparison.Ordinal);
        Assert.Contains($"stale reads: {stale} of {10 - errors} completed pairs", ConsistencyCommand.Summary(settings, result), StringComparison.Ordinal);
    }

    /// <summary>A loopback port that was free a moment ago, so nothing answers there.</summary>
    private static string UnreachableEndpoint()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string arguments)
    {
        using var output = new StringWriter();
        var root = new RootCommand { ConsistencyCommand.Create() };
        var exitCode = await root.Parse(arguments).InvokeAsync(new InvocationConfiguration { Output = output, Error = output });
        return (exitCode, output.ToString());
    }
}
