using System.Runtime.InteropServices;
using HdrHistogram;

namespace DocStore.Cli.Bench;

/// <summary>Arithmetic on results: ratios to the ceiling, merging the halves of a split measurement.</summary>
internal static class Measurements
{
    /// <summary>
    /// An operation's throughput as a fraction of the ceiling's, measured side by side; null when the
    /// ceiling completed no call. In a mixed run an operation's rps is its share of the calls, so
    /// compare one operation at a time (as the standard scenario does) to read this against a target.
    /// </summary>
    public static double? RatioToCeiling(double rps, double ceilingRps) =>
        ceilingRps > 0 && double.IsFinite(ceilingRps) ? rps / ceilingRps : null;

    /// <summary>One result from measurements of the same operation in several windows (latencies pooled, windows summed).</summary>
    public static OperationResult Merge(IReadOnlyList<OperationResult> parts)
    {
        ArgumentOutOfRangeException.ThrowIfZero(parts.Count);
        var merged = (LongHistogram)parts[0].Latencies.Copy();
        for (var i = 1; i < parts.Count; i++)
        {
            merged.Add(parts[i].Latencies);
        }

        return new OperationResult(
            parts[0].Name,
            merged,
            parts.Sum(p => p.Errors),
            parts.Select(p => p.FirstError).FirstOrDefault(e => e is not null),
            TimeSpan.FromTicks(parts.Sum(p => p.Window.Ticks)),
            parts.All(p => p.ServerCpu is not null) ? TimeSpan.FromTicks(parts.Sum(p => p.ServerCpu!.Value.Ticks)) : null,
            parts.Sum(p => p.WindowCalls));
    }

    /// <summary>
    /// Runs each measurement for half of <paramref name="duration"/> in order, then again in reverse order (A B B A),
    /// and pools the halves, so that a drift in the machine's other load weighs on every measurement alike.
    /// </summary>
    public static async Task<OperationResult[]> MirroredAsync(IReadOnlyList<Func<TimeSpan, CancellationToken, Task<OperationResult>>> runs, TimeSpan duration, CancellationToken cancellationToken)
    {
        var half = duration / 2;
        var first = new OperationResult[runs.Count];
        var second = new OperationResult[runs.Count];
        for (var i = 0; i < runs.Count; i++)
        {
            first[i] = await runs[i](half, cancellationToken);
        }

        for (var i = runs.Count - 1; i >= 0; i--)
        {
            second[i] = await runs[i](half, cancellationToken);
        }

        return [.. first.Zip(second, (a, b) => Merge([a, b]))];
    }

    public static double Megabytes(long bytes) => bytes / (1024.0 * 1024.0);
}

/// <summary>The machine the run happened on, printed with every result.</summary>
internal sealed record MachineInfo(int ProcessorCount, string Cpu, string OperatingSystem, string Runtime, long MemoryBytes)
{
    public static MachineInfo Current()
    {
        var cpu = "unknown";
        try
        {
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? cpu;
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return new MachineInfo(
            Environment.ProcessorCount,
            cpu,
            RuntimeInformation.OSDescription,
            RuntimeInformation.FrameworkDescription,
            GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
    }

    public string Describe() =>
        $"{ProcessorCount} CPUs ({Cpu}), {Measurements.Megabytes(MemoryBytes) / 1024:0.#} GB, {OperatingSystem}, {Runtime}";
}
