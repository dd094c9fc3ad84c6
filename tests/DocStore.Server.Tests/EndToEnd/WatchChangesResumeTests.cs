using System.Threading.Channels;
using DocStore.Client;
using DocStore.Server.Tests.Infrastructure;
using DocStore.V1;
using Grpc.Net.Client;

namespace DocStore.Server.Tests.EndToEnd;

/// <summary>
/// The client package's WatchChangesAsync across a server that dies: a real server process is killed (SIGKILL) while
/// the stream is open and started again on the same file and port; the enumeration goes on from its last continuation,
/// with no change lost and none repeated.
/// </summary>
public sealed class WatchChangesResumeTests
{
    private sealed record Item(string Id, string Pk, int N);

    [Fact]
    public async Task WatchChangesAsync_resumes_from_its_last_continuation_after_the_server_is_killed_and_restarted()
    {
        var database = TestPaths.NewDatabasePath();
        var first = await TestServers.StartAsync(database, metrics: false);
        var port = first.Port;
        ServerProcess? second = null;
        try
        {
            using var channel = GrpcChannel.ForAddress(first.Address);
            var client = DocStoreClient.Create(channel);
            await client.UpsertAsync("items", new Item("before-1", "watched", 1));
            await client.UpsertAsync("items", new Item("before-2", "watched", 2));

            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            var seen = Channel.CreateUnbounded<(string Id, string Continuation)>();
            var watching = Task.Run(async () =>
            {
                try
                {
                    await foreach (var page in client.WatchChangesAsync<Item>("items", "watched", ChangeFeedPosition.Beginning, cancel.Token))
                    {
                        foreach (var document in page.Documents)
                        {
                            await seen.Writer.WriteAsync((document.Id, page.Continuation), cancel.Token);
                        }
                    }
                }
                catch (OperationCanceledException) when (cancel.IsCancellationRequested)
                {
                }
            });

            Assert.Equal("before-1", (await seen.Reader.ReadAsync(cancel.Token)).Id);
            var lastBeforeKill = await seen.Reader.ReadAsync(cancel.Token);
            Assert.Equal("before-2", lastBeforeKill.Id);

            await first.KillAsync();
            second = await TestServers.StartAsync(database, metrics: false, port: port);

            // Written through another channel to the new process: the watching client reconnects on its own.
            using (var writerChannel = second.CreateChannel())
            {
                var writer = new DocStoreService.DocStoreServiceClient(writerChannel);
                await writer.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct("""{"id":"after","pk":"watched","n":3}""") });
            }

            var after = await seen.Reader.ReadAsync(cancel.Token);
            Assert.Equal("after", after.Id);
            Assert.NotEqual(lastBeforeKill.Continuation, after.Continuation);

            // Nothing came twice: the stream resumed after before-2, not from the beginning it was first opened with.
            await client.UpsertAsync("items", new Item("last", "watched", 4));
            Assert.Equal("last", (await seen.Reader.ReadAsync(cancel.Token)).Id);
            await cancel.CancelAsync();
            await watching;
            Assert.False(seen.Reader.TryRead(out var extra), $"Also received {extra.Id}.");
        }
        finally
        {
            await first.DisposeAsync();
            if (second is not null)
            {
                await second.DisposeAsync();
            }
        }
    }
}
