using System.Diagnostics;
using System.Globalization;
using DocStore.Server.Tests.Infrastructure;
using DocStore.V1;
using Microsoft.Azure.Cosmos;
using Xunit.Abstractions;

namespace DocStore.Server.Tests.Cosmos;

/// <summary>
/// Measures, in one run against the same peer, a Get through DocStore on the Cosmos store (gRPC in
/// process, and a server process over loopback) against a direct SDK <c>ReadItemStreamAsync</c>, and
/// prints p50/p99 and their ratios. It asserts
/// no timings (the machine is shared); the figures are for the closing note.
/// </summary>
[Collection(CosmosPeerGroup.Name)]
public sealed class CosmosLatencyMeasurement(CosmosPeerFixture peer, ITestOutputHelper output)
{
    private const int Warmup = 30;
    private const int Samples = 300;

    [Fact]
    public async Task Get_through_DocStore_against_a_direct_SDK_read_on_the_same_peer()
    {
        var id = "latency-" + Guid.NewGuid().ToString("N");
        await peer.Client.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct($$"""{"id":"{{id}}","pk":"p","items":["apple","pear"],"total":5}""") });
        var request = new GetRequest { Collection = "items", Id = id, PartitionKey = "p" };
        var container = peer.Direct.GetContainer(peer.Database, "items");
        var partitionKey = new PartitionKey("p");

        // The same server as a real process, called over loopback HTTP/2 as a pod would be.
        var environment = peer.Peer.ServerSettings(peer.Database).ToDictionary(e => e.Key.Replace(":", "__", StringComparison.Ordinal), e => e.Value!);
        environment["DocStore__Metrics__Port"] = "0";
        await using var process = await TestServers.StartAsync(TestPaths.NewDatabasePath(), environment);
        using var channel = process.CreateChannel();
        var overLoopback = new DocStoreService.DocStoreServiceClient(channel);

        async Task DocStoreGet() => await peer.Client.GetAsync(request);

        async Task DocStoreProcessGet() => await overLoopback.GetAsync(request);

        async Task DirectRead()
        {
            using var response = await container.ReadItemStreamAsync(id, partitionKey);
            Assert.True(response.IsSuccessStatusCode);
            using var reader = new StreamReader(response.Content);
            await reader.ReadToEndAsync();
        }

        // Interleave the two so that noise from other work on the machine falls on both alike.
        var docStore = new List<double>(Samples);
        var docStoreProcess = new List<double>(Samples);
        var direct = new List<double>(Samples);
        for (var i = 0; i < Warmup + Samples; i++)
        {
            var a = await TimeAsync(DocStoreGet);
            var b = await TimeAsync(DirectRead);
            var c = await TimeAsync(DocStoreProcessGet);
            if (i >= Warmup)
            {
                docStore.Add(a);
                direct.Add(b);
                docStoreProcess.Add(c);
            }
        }

        var (dsP50, dsP99) = (Percentile(docStore, 0.50), Percentile(docStore, 0.99));
        var (dP50, dP99) = (Percentile(direct, 0.50), Percentile(direct, 0.99));
        var (pP50, pP99) = (Percentile(docStoreProcess, 0.50), Percentile(docStoreProcess, 0.99));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Direct SDK ReadItemStreamAsync: p50 {dP50:F2} ms, p99 {dP99:F2} ms ({Samples} samples each, interleaved)"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"DocStore Get, in process (TestServer): p50 {dsP50:F2} ms, p99 {dsP99:F2} ms; ratio to direct p50 {dsP50 / dP50:F2}, p99 {dsP99 / dP99:F2}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"DocStore Get, server process over loopback h2c: p50 {pP50:F2} ms, p99 {pP99:F2} ms; ratio to direct p50 {pP50 / dP50:F2}, p99 {pP99 / dP99:F2}"));
        Assert.Equal(Samples, docStore.Count);
        Assert.All(docStore.Concat(direct).Concat(docStoreProcess), ms => Assert.True(ms > 0));
    }

    private static async Task<double> TimeAsync(Func<Task> call)
    {
        var start = Stopwatch.GetTimestamp();
        await call();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }
}
