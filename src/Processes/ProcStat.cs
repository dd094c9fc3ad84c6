using System.Globalization;
using System.Runtime.InteropServices;

namespace DocStore.Processes;

/// <summary>What Linux's <c>/proc</c> says about a process: its CPU time and its memory. Null elsewhere, or once the process has gone.</summary>
public static partial class ProcStat
{
    /// <summary>sysconf's name for the clock ticks per second that <c>/proc/[pid]/stat</c> counts in.</summary>
    private const int ScClockTicks = 2;

    /// <summary>Clock ticks per second (USER_HZ), 100 on every common Linux build.</summary>
    private static readonly Lazy<long> ClockTicks = new(() =>
    {
        try
        {
            var ticks = OperatingSystem.IsLinux() ? Sysconf(ScClockTicks) : -1;
            return ticks > 0 ? ticks : 100;
        }
        catch (DllNotFoundException)
        {
            return 100;
        }
        catch (EntryPointNotFoundException)
        {
            return 100;
        }
    });

    /// <summary>
    /// User plus system CPU time the process has used so far (<c>utime + stime</c> of <c>/proc/[pid]/stat</c>,
    /// divided by the clock ticks per second), or null.
    /// </summary>
    public static TimeSpan? CpuTime(int processId)
    {
        var stat = Read($"/proc/{processId}/stat");
        if (stat is null)
        {
            return null;
        }

        // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so fields count from the last ')'.
        // After it, field 3 (state) is index 0; utime (field 14) is index 11 and stime (field 15) index 12.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        if (fields.Length < 13
            || !long.TryParse(fields[11], NumberStyles.None, CultureInfo.InvariantCulture, out var utime)
            || !long.TryParse(fields[12], NumberStyles.None, CultureInfo.InvariantCulture, out var stime))
        {
            return null;
        }

        return TimeSpan.FromSeconds((utime + stime) / (double)ClockTicks.Value);
    }

    /// <summary>The process's peak resident set size so far, in bytes (<c>VmHWM</c>), or null.</summary>
    public static long? PeakRssBytes(int processId) => StatusKilobytes(processId, "VmHWM:") * 1024;

    /// <summary>The process's resident set size now, in bytes (<c>VmRSS</c>), or null.</summary>
    public static long? RssBytes(int processId) => StatusKilobytes(processId, "VmRSS:") * 1024;

    private static long? StatusKilobytes(int processId, string field)
    {
        var status = Read($"/proc/{processId}/status");
        foreach (var line in status?.Split('\n') ?? [])
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                // "VmHWM:	  123456 kB"
                var parts = line[field.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                return long.Parse(parts[0], CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null; // not Linux, or the process has gone
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    [LibraryImport("libc", EntryPoint = "sysconf")]
    private static partial nint Sysconf(int name);
}
