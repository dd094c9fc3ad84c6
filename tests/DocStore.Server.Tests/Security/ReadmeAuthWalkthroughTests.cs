using System.Diagnostics;
using System.Globalization;
using DocStore.Server.Tests.Infrastructure;

namespace DocStore.Server.Tests.Security;

/// <summary>The README's TLS and bearer-token walk-through: its buf curl lines, run against a real server, issuer and certificate.</summary>
public sealed class ReadmeAuthWalkthroughTests
{
    private const string Marker = "<!-- walkthrough-tls-jwt -->";

    [Fact]
    public async Task Readme_tls_and_token_walkthrough_works()
    {
        var buf = Path.Combine(TestPaths.RepositoryRoot, "node_modules", ".bin", "buf");
        Assert.True(File.Exists(buf), "buf is not installed; run eng/test.sh (or npm ci) at the repository root first.");
        var commands = Commands();
        Assert.Contains(commands, c => c.Command.StartsWith("dotnet run", StringComparison.Ordinal) && c.Command.Contains("--DocStore:Auth:Mode=Jwt", StringComparison.Ordinal)
            && c.Command.Contains("--DocStore:Tls:CertificatePath=tls.crt", StringComparison.Ordinal) && c.Command.Contains("--DocStore:Auth:Jwt:Audience=api://docstore", StringComparison.Ordinal));
        var curls = commands.Where(c => c.Command.StartsWith("buf curl", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, curls.Count);

        // What the block's first lines stand for: a certificate for localhost from a CA, an issuer, a token with both roles.
        var directory = TestCertificates.NewDirectory();
        var ca = TestCertificates.CreateCa("readme-ca");
        ca.IssueServer("docstore").WritePem(Path.Combine(directory, "tls.crt"), Path.Combine(directory, "tls.key"));
        ca.WritePem(Path.Combine(directory, "ca.crt"));
        await using var issuer = await OidcIssuer.StartAsync();
        await using var server = await TestServers.StartAsync(TestPaths.NewDatabasePath(), new Dictionary<string, string>
        {
            ["DocStore__Tls__CertificatePath"] = Path.Combine(directory, "tls.crt"),
            ["DocStore__Tls__KeyPath"] = Path.Combine(directory, "tls.key"),
            ["DocStore__Health__Port"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["DocStore__Auth__Mode"] = "Jwt",
            ["DocStore__Auth__Jwt__Authority"] = issuer.Authority,
            ["DocStore__Auth__Jwt__Audience"] = "api://docstore",
        });
        var token = issuer.Token("readme", ["items.write", "items.read"]);

        foreach (var (comment, command) in curls)
        {
            var (exitCode, output) = await RunAsync(buf, command.Replace("localhost:5443", $"localhost:{server.Port}", StringComparison.Ordinal), directory, token);
            if (comment.Contains("UNAUTHENTICATED", StringComparison.Ordinal))
            {
                Assert.True(exitCode != 0, $"'{comment}' should fail:\n{output}");
                Assert.Contains("unauthenticated", output, StringComparison.OrdinalIgnoreCase);
            }
            else
            {
                Assert.True(exitCode == 0, $"'{comment}' failed with exit code {exitCode}:\n{output}\nServer:\n{server.Output}");
            }

            if (comment.Contains("prints \"order-1\"", StringComparison.Ordinal))
            {
                Assert.Contains("\"order-1\"", output, StringComparison.Ordinal);
            }
        }

        Assert.DoesNotContain(token, server.Output, StringComparison.Ordinal);
    }

    /// <summary>The commands of the fenced block after the marker, continuation lines joined, each with the comment above it.</summary>
    private static List<(string Comment, string Command)> Commands()
    {
        var readme = File.ReadAllLines(Path.Combine(TestPaths.RepositoryRoot, "README.md"));
        var start = Array.IndexOf(readme, Marker);
        Assert.True(start >= 0, $"README.md has no {Marker} marker.");
        Assert.Equal("```sh", readme[start + 1]);
        var commands = new List<(string, string)>();
        var comment = "";
        var current = "";
        foreach (var line in readme.Skip(start + 2).TakeWhile(l => l != "```"))
        {
            if (line.StartsWith('#'))
            {
                comment = line;
                continue;
            }

            current += line.TrimEnd('\\').Trim() + " ";
            if (!line.EndsWith('\\'))
            {
                commands.Add((comment, current.Trim()));
                current = "";
            }
        }

        return commands;
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string buf, string command, string directory, string token)
    {
        var start = new ProcessStartInfo("bash")
        {
            ArgumentList = { "-c", command.Replace("buf curl", $"'{buf}' curl", StringComparison.Ordinal) },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory,
        };
        start.Environment["TOKEN"] = token;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
