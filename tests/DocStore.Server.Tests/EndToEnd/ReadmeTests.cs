using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DocStore.Server.Tests.Infrastructure;

namespace DocStore.Server.Tests.EndToEnd;

/// <summary>The README's walk-through, run as written (only the port changes) against a real server.</summary>
public sealed partial class ReadmeTests
{
    [Fact]
    public async Task Readme_walkthrough_works_verbatim()
    {
        var buf = Path.Combine(TestPaths.RepositoryRoot, "node_modules", ".bin", "buf");
        Assert.True(File.Exists(buf), "buf is not installed; run eng/test.sh (or npm ci) at the repository root first.");

        var commands = WalkthroughCommands();
        Assert.True(commands.Count >= 6, $"Expected the walk-through's commands, found {commands.Count}.");

        await using var server = await TestServers.StartAsync(TestPaths.NewDatabasePath());
        foreach (var (comment, command) in commands)
        {
            var (exitCode, output) = await RunAsync(command.Replace("localhost:5000", $"127.0.0.1:{server.Port}", StringComparison.Ordinal));
            var expectedError = ErrorCode().Match(comment);
            if (expectedError.Success)
            {
                Assert.True(exitCode != 0, $"'{comment}' should fail:\n{output}");
                Assert.Contains($"\"code\": \"{expectedError.Groups[1].Value.ToLowerInvariant()}\"", output, StringComparison.Ordinal);
            }
            else
            {
                Assert.True(exitCode == 0, $"'{comment}' failed with exit code {exitCode}:\n{output}\nServer:\n{server.Output}");
            }

            if (Prints().Match(comment) is { Success: true } prints)
            {
                Assert.True(output.Contains(prints.Groups[1].Value, StringComparison.Ordinal), $"'{comment}' printed:\n{output}");
            }
        }

        // The walk-through's upsert, patch and batch ran in order: total 3 + 2, "pear" appended, the cart ordered.
        Assert.Equal(10, commands.Count(c => Prints().IsMatch(c.Comment)));
        var (_, get) = await RunAsync(commands.Single(c => c.Comment.StartsWith("# Read it back", StringComparison.Ordinal)).Command
            .Replace("localhost:5000", $"127.0.0.1:{server.Port}", StringComparison.Ordinal));
        var body = JsonNode.Parse(get)!["document"]!["body"]!;
        Assert.Equal(5, body["total"]!.GetValue<double>());
        Assert.Equal("""["apple","pear"]""", body["items"]!.ToJsonString());
        Assert.Equal("ordered", body["status"]!.GetValue<string>());
    }

    /// <summary>The commands of the fenced block after &lt;!-- walkthrough --&gt;, each with the comment above it.</summary>
    private static List<(string Comment, string Command)> WalkthroughCommands()
    {
        var readme = File.ReadAllLines(Path.Combine(TestPaths.RepositoryRoot, "README.md"));
        var start = Array.IndexOf(readme, "<!-- walkthrough -->");
        Assert.True(start >= 0, "README.md has no <!-- walkthrough --> marker.");
        Assert.Equal("```sh", readme[start + 1]);

        var commands = new List<(string, string)>();
        var comment = "";
        var current = "";
        for (var i = start + 2; readme[i] != "```"; i++)
        {
            var line = readme[i];
            if (line.StartsWith('#'))
            {
                comment = line;
            }
            else if (line.EndsWith('\\'))
            {
                current += line[..^1];
            }
            else if (line.Length > 0)
            {
                commands.Add((comment, current + line));
                current = "";
            }
        }

        return commands;
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string command)
    {
        var start = new ProcessStartInfo("bash")
        {
            ArgumentList = { "-c", command },
            WorkingDirectory = TestPaths.RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>A comment's promise about the output: (prints TEXT), where TEXT may itself hold quotes.</summary>
    [GeneratedRegex(@"\(prints (.+)\)$")]
    private static partial Regex Prints();

    [GeneratedRegex("error: ([A-Z_]+)")]
    private static partial Regex ErrorCode();
}
