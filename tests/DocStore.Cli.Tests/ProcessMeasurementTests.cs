using System.Buffers.Binary;
using System.Diagnostics;
using DocStore.Cli.Bench;
using DocStore.Processes;
using DocStore.V1;

namespace DocStore.Cli.Tests;

public sealed class ProcessMeasurementTests
{
    [Fact]
    public void Cpu_time_from_proc_grows_with_work_and_tracks_the_runtimes_own_figure()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // /proc is Linux's; elsewhere the bench reports n/a
        }

        var before = ProcStat.CpuTime(Environment.ProcessId)!.Value;
        var runtimeBefore = Process.GetCurrentProcess().TotalProcessorTime;

        // Spin until the runtime counts 300 ms more CPU for this process (however busy the machine is).
        var clock = Stopwatch.StartNew();
        var spin = 0L;
        while (Process.GetCurrentProcess().TotalProcessorTime - runtimeBefore < TimeSpan.FromMilliseconds(300) && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            spin++;
        }

        var used = ProcStat.CpuTime(Environment.ProcessId)!.Value - before;
        var runtimeUsed = Process.GetCurrentProcess().TotalProcessorTime - runtimeBefore;
        Assert.True(spin > 0);
        Assert.True(runtimeUsed >= TimeSpan.FromMilliseconds(300), "the spin did not get 300 ms of CPU within a minute");

        // /proc counts in clock ticks (10 ms); the two reads are a moment apart.
        Assert.InRange(used.TotalMilliseconds, runtimeUsed.TotalMilliseconds - 100, runtimeUsed.TotalMilliseconds + 100);
        Assert.NotNull(ProcStat.PeakRssBytes(Environment.ProcessId));
        Assert.Null(ProcStat.CpuTime(int.MaxValue)); // no such process
    }

    [Fact]
    public void A_grpc_frame_is_a_zero_flag_a_big_endian_length_and_the_message()
    {
        var request = new GetRequest { Collection = "items", Id = "doc-0", PartitionKey = "pk-0" };

        var frame = FramesCommand.Frame(request);

        Assert.Equal(0, frame[0]);
        Assert.Equal((uint)(frame.Length - 5), BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(1, 4)));
        Assert.Equal(request, GetRequest.Parser.ParseFrom(frame.AsSpan(5)));
    }
}
