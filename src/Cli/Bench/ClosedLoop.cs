using System.Diagnostics;
using Grpc.Core;
using HdrHistogram;

namespace DocStore.Cli.Bench;

/// <summary>What a closed loop calls: a set of named operations, one picked before each call.</summary>
internal interface IWorkload
{
    /// <summary>The names of the operations, indexed by what <see cref="Next"/> returns.</summary>
    IReadOnlyList<string> Names { get; }

    /// <summary>The operation a worker calls next.</summary>
    int Next(Random random);

    /// <summary>Makes one call; an <see cref="RpcException"/> counts as an error of that operation.</summary>
    Task CallAsync(int operation, int worker, Random random, CancellationToken cancellationToken);
}

/// <summary>
/// The latencies and errors of one operation in one measured window and, when known, the server's CPU time
/// over that window and the calls of every operation that completed in it.
/// </summary>
internal sealed class OperationResult(string name, LongHistogram latencies, long errors, string? firstError, TimeSpan window, TimeSpan? serverCpu = null, long windowCalls = 0)
{
    /// <summary>Histogram values are in 100 ns units (<see cref="TimeSpan.Ticks"/>).</summary>
    public const long UnitsPerMillisecond = TimeSpan.TicksPerMillisecond;

    public string Name { get; } = name;

    public long Count => Latencies.TotalCount;

    public long Errors { get; } = errors;

    /// <summary>The message of the first error, to say what went wrong.</summary>
    public string? FirstError { get; } = firstError;

    public LongHistogram Latencies { get; } = latencies;

    public TimeSpan Window { get; } = window;

    /// <summary>User plus system CPU time the server used over the measured window (all operations of the window), or null when unknown.</summary>
    public TimeSpan? ServerCpu { get; } = serverCpu;

    /// <summary>Calls of every operation of the window that completed in it, successful or not: what <see cref="ServerCpu"/> was spent on.</summary>
    public long WindowCalls { get; } = windowCalls;

    /// <summary>The server's CPU time per call in microseconds, over every call of the window; null when unknown.</summary>
    public double? ServerCpuMicrosecondsPerCall =>
        ServerCpu is { } cpu && WindowCalls > 0 ? cpu.TotalMicroseconds / WindowCalls : null;

    /// <summary>
    /// <see cref="ServerCpuMicrosecondsPerCall"/> when this operation ran alone in its window (so the CPU was
    /// spent on its calls only); null in a mix, whose CPU cannot be told apart by operation.
    /// </summary>
    public double? OwnServerCpuMicrosecondsPerCall => WindowCalls == Count + Errors ? ServerCpuMicrosecondsPerCall : null;

    /// <summary>Successful calls per second over the measured window.</summary>
    public double Rps => Count / Window.TotalSeconds;

    public double P50Ms => Percentile(50);

    public double P99Ms => Percentile(99);

    public double P999Ms => Percentile(99.9);

    public double MeanMs => Count == 0 ? 0 : Latencies.GetMean() / UnitsPerMillisecond;

    /// <summary>The latency at <paramref name="percentile"/> (0-100) in milliseconds; 0 when nothing was recorded.</summary>
    public double Percentile(double percentile) =>
        Count == 0 ? 0 : Latencies.GetValueAtPercentile(percentile) / (double)UnitsPerMillisecond;
}

/// <summary>
/// A closed-loop load generator: <c>concurrency</c> workers each make one call at a time, back to
/// back. Calls that start during the warm-up, or end after the measured window, are not recorded.
/// Each worker records into its own histograms, merged at the end, so recording takes no lock.
/// </summary>
internal static class ClosedLoop
{
    private const long HighestTrackable = TimeSpan.TicksPerMinute * 10;

    /// <summary>
    /// Runs the workload and returns one result per operation. With <paramref name="serverCpu"/> (the server's
    /// CPU time so far), it is read when the measured window opens and when it closes.
    /// </summary>
    public static async Task<IReadOnlyList<OperationResult>> RunAsync(
        IWorkload workload, int concurrency, TimeSpan warmup, TimeSpan duration, CancellationToken cancellationToken, Func<TimeSpan?>? serverCpu = null)
    {
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        var names = workload.Names;
        var begin = Stopwatch.GetTimestamp();
        var measureFrom = begin + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var measureTo = measureFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);

        var workers = new Task<Worker>[concurrency];
        for (var i = 0; i < concurrency; i++)
        {
            var index = i;
            workers[i] = Task.Run(() => RunWorkerAsync(workload, index, names.Count, measureFrom, measureTo, cancellationToken), cancellationToken);
        }

        var cpu = serverCpu is null ? Task.FromResult<TimeSpan?>(null) : SampleCpuAsync(serverCpu, measureFrom, measureTo, cancellationToken);
        var done = await Task.WhenAll(workers);
        var cpuUsed = await cpu;
        var windowCalls = done.Sum(w => w.Latencies.Sum(h => h.TotalCount) + w.Errors.Sum());
        var results = new List<OperationResult>(names.Count);
        for (var op = 0; op < names.Count; op++)
        {
            var merged = NewHistogram();
            long errors = 0;
            string? firstError = null;
            foreach (var worker in done)
            {
                merged.Add(worker.Latencies[op]);
                errors += worker.Errors[op];
                firstError ??= worker.FirstError[op];
            }

            results.Add(new OperationResult(names[op], merged, errors, firstError, duration, cpuUsed, windowCalls));
        }

        return results;
    }

    /// <summary>The CPU time <paramref name="read"/> reports between the two timestamps; null when either read fails.</summary>
    private static async Task<TimeSpan?> SampleCpuAsync(Func<TimeSpan?> read, long from, long to, CancellationToken cancellationToken)
    {
        await Task.Delay(Until(from), cancellationToken);
        var start = read();
        await Task.Delay(Until(to), cancellationToken);
        return read() - start;

        static TimeSpan Until(long timestamp) => TimeSpan.FromTicks(Math.Max(0, Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), timestamp).Ticks));
    }

    private static LongHistogram NewHistogram() => new(HighestTrackable, 3);

    private static async Task<Worker> RunWorkerAsync(IWorkload workload, int index, int operations, long measureFrom, long measureTo, CancellationToken cancellationToken)
    {
        var worker = new Worker(operations);
        var random = new Random(index * 7919 + 17);
        while (!cancellationToken.IsCancellationRequested)
        {
            var op = workload.Next(random);
            var start = Stopwatch.GetTimestamp();
            if (start >= measureTo)
            {
                break;
            }

            string? error = null;
            try
            {
                await workload.CallAsync(op, index, random, cancellationToken);
            }
            catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
            {
                error = $"{e.StatusCode}: {e.Status.Detail}";
            }

            var end = Stopwatch.GetTimestamp();
            if (start < measureFrom || end > measureTo)
            {
                continue;
            }

            if (error is null)
            {
                worker.Latencies[op].RecordValue(Math.Max(1, (long)((end - start) * (double)TimeSpan.TicksPerSecond / Stopwatch.Frequency)));
            }
            else
            {
                worker.Errors[op]++;
                worker.FirstError[op] ??= error;
            }
        }

        return worker;
    }

    private sealed class Worker
    {
        public Worker(int operations)
        {
            Latencies = new LongHistogram[operations];
            for (var i = 0; i < operations; i++)
            {
                Latencies[i] = NewHistogram();
            }

            Errors = new long[operations];
            FirstError = new string?[operations];
        }

        public LongHistogram[] Latencies { get; }

        public long[] Errors { get; }

        public string?[] FirstError { get; }
    }
}
