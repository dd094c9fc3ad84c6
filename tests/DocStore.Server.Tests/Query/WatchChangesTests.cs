extern alias server;

using System.Diagnostics;
using DocStore.Server.Tests.Infrastructure;
using DocStore.V1;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace DocStore.Server.Tests.Query;

/// <summary>WatchChanges on the embedded store: pushes, heartbeats, the stream cap, cancellation and shutdown.</summary>
public sealed class WatchChangesTests : IDisposable
{
    private readonly InProcessServer _server = InProcessServer.WithSettings(new Dictionary<string, string?>
    {
        ["DocStore:ChangeFeed:HeartbeatInterval"] = "00:00:00.300",
        ["DocStore:ChangeFeed:MaxStreams"] = "2",
    });

    private readonly string _partition = "w-" + Guid.NewGuid().ToString("N");

    public void Dispose() => _server.Dispose();

    private AsyncServerStreamingCall<WatchChangesResponse> Watch(CancellationToken cancellationToken, string continuation = "") =>
        _server.Client.WatchChanges(
            new WatchChangesRequest { Collection = "items", PartitionKey = _partition, FromNow = continuation.Length == 0, Continuation = continuation },
            cancellationToken: cancellationToken);

    private Task<UpsertResponse> UpsertAsync(string id) =>
        _server.Client.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct($$"""{"id":"{{id}}","pk":"{{_partition}}"}""") }).ResponseAsync;

    private int OpenStreams => _server.Services.GetRequiredService<server::DocStore.Server.Api.ChangeFeedStreams>().Open;

    /// <summary>The next message with documents, skipping heartbeats.</summary>
    private static async Task<WatchChangesResponse> NextChangeAsync(IAsyncStreamReader<WatchChangesResponse> stream, CancellationToken cancellationToken)
    {
        while (await stream.MoveNext(cancellationToken))
        {
            if (stream.Current.Documents.Count > 0)
            {
                return stream.Current;
            }
        }

        throw new InvalidOperationException("The stream ended.");
    }

    [Fact]
    public async Task A_write_reaches_an_open_stream()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var call = Watch(timeout.Token);
        Assert.True(await call.ResponseStream.MoveNext(timeout.Token), "No first message.");
        Assert.Empty(call.ResponseStream.Current.Documents);
        Assert.NotEmpty(call.ResponseStream.Current.Continuation);

        await UpsertAsync("pushed");

        var change = await NextChangeAsync(call.ResponseStream, timeout.Token);
        Assert.Equal("pushed", Assert.Single(change.Documents).Id);
    }

    [Fact]
    public async Task Heartbeats_carry_a_continuation_that_resumes_the_feed()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var continuations = new List<string>();
        using (var call = Watch(timeout.Token))
        {
            var started = Stopwatch.StartNew();
            while (continuations.Count < 4 && await call.ResponseStream.MoveNext(timeout.Token))
            {
                Assert.Empty(call.ResponseStream.Current.Documents);
                continuations.Add(call.ResponseStream.Current.Continuation);
            }

            // Four messages, three of them heartbeats 300 ms apart: not the poll interval's pace.
            Assert.InRange(started.Elapsed, TimeSpan.FromMilliseconds(800), TimeSpan.FromSeconds(15));
        }

        await UpsertAsync("after-heartbeat");
        using var resumed = Watch(timeout.Token, continuations[^1]);
        var change = await NextChangeAsync(resumed.ResponseStream, timeout.Token);
        Assert.Equal("after-heartbeat", Assert.Single(change.Documents).Id);
    }

    [Fact]
    public async Task Streams_over_the_cap_are_resource_exhausted_and_a_closed_stream_frees_its_place()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var first = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        using var a = Watch(first.Token);
        using var b = Watch(timeout.Token);
        Assert.True(await a.ResponseStream.MoveNext(timeout.Token));
        Assert.True(await b.ResponseStream.MoveNext(timeout.Token));

        using var c = Watch(timeout.Token);
        var refused = await Assert.ThrowsAsync<RpcException>(() => c.ResponseStream.MoveNext(timeout.Token));
        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        var details = refused.GetRpcStatus();
        Assert.Equal("TOO_MANY_STREAMS", details?.GetDetail<Google.Rpc.ErrorInfo>()?.Reason);
        Assert.NotNull(details?.GetDetail<Google.Rpc.RetryInfo>());

        await first.CancelAsync();
        while (OpenStreams > 1)
        {
            await Task.Delay(20, timeout.Token);
        }

        using var d = Watch(timeout.Token);
        Assert.True(await d.ResponseStream.MoveNext(timeout.Token));
    }

    [Fact]
    public async Task Shutdown_ends_open_streams_without_waiting_for_the_grace_period()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var call = Watch(timeout.Token);
        Assert.True(await call.ResponseStream.MoveNext(timeout.Token));

        var stopping = Stopwatch.StartNew();
        await Task.Run(_server.Dispose, timeout.Token);

        // The default grace period is 25 s; the stream ended at once instead of holding the host.
        Assert.InRange(stopping.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        call.Dispose();
    }
}
