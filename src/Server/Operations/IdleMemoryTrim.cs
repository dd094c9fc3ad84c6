namespace DocStore.Server.Operations;

/// <summary>
/// Hands memory back to the operating system once the server goes idle. A burst of large requests
/// leaves the GC heap committed (large documents are large-object-heap garbage), and with no further
/// allocation no collection runs to give it back: RSS would stay at the burst's peak. Every
/// <see cref="Interval"/>, when the process allocated less than <see cref="IdleAllocationBytes"/> since the
/// last look, after having been busy, it runs one aggressive, compacting, blocking collection, which
/// decommits what the heap no longer needs. An idle server pays for it once per busy period.
/// </summary>
internal sealed partial class IdleMemoryTrim(ILogger<IdleMemoryTrim> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    /// <summary>Allocation over one interval under which the process counts as idle.</summary>
    private const long IdleAllocationBytes = 4 * 1024 * 1024;

    /// <summary>Allocation since the last trim over which a trim is worth its pause.</summary>
    private const long BusyAllocationBytes = 64 * 1024 * 1024;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        var seen = GC.GetTotalAllocatedBytes();
        var trimmedAt = seen;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var allocated = GC.GetTotalAllocatedBytes();
                var idle = allocated - seen < IdleAllocationBytes;
                seen = allocated;
                if (idle && allocated - trimmedAt > BusyAllocationBytes)
                {
                    var before = GC.GetGCMemoryInfo().TotalCommittedBytes;
                    GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                    trimmedAt = GC.GetTotalAllocatedBytes();
                    var after = GC.GetGCMemoryInfo().TotalCommittedBytes;
                    Log.Trimmed(logger, before / (1024 * 1024), after / (1024 * 1024));
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 420, EventName = "IdleMemoryTrimmed", Level = LogLevel.Debug, Message = "Idle: the GC heap's committed memory went from {BeforeMb} MB to {AfterMb} MB")]
        public static partial void Trimmed(ILogger logger, long beforeMb, long afterMb);
    }
}
