using System.Diagnostics;

namespace DocStore.Server.Tests.Infrastructure;

/// <summary>Runs the built <c>docstore</c> command as a process.</summary>
public static class CliProcess
{
    /// <summary>Runs <c>docstore</c> with <paramref name="arguments"/>; its exit code, standard output (trimmed) and standard error.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(TestPaths.CliDll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cancel.Token);
        return (process.ExitCode, (await stdout).Trim(), await stderr);
    }
}
