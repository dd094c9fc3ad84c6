using System.Diagnostics;
using DocStore.Server.Tests.Infrastructure;
using DocStore.V1;
using Grpc.Core;
using Grpc.Health.V1;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace DocStore.Server.Tests.Reliability;

/// <summary>
/// The embedded store's file taken away, replaced, or out of room while a real server runs: writes
/// are refused rather than acknowledged into a file that is gone, and readiness says so.
/// </summary>
public sealed class StoreFileTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_removed_store_file_stops_writes_and_turns_readiness_not_serving_with_a_log_line()
    {
        var path = TestPaths.NewDatabasePath();
        await using var server = await TestServers.StartAsync(path);
        using var channel = server.CreateChannel();
        var client = new DocStoreService.DocStoreServiceClient(channel);
        var health = new Health.HealthClient(channel);
        await client.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct("""{"id":"before","pk":"p"}""") });

        File.Delete(path);

        await RpcAssert.FailsAsync(StatusCode.Unavailable, "STORE_UNAVAILABLE",
            () => client.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct("""{"id":"after","pk":"p"}""") }).ResponseAsync);
        Assert.Equal(ServingStatus.NotServing, (await health.CheckAsync(new HealthCheckRequest { Service = "readiness" })).Status);
        Assert.Contains("was removed while the server ran", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_store_file_replaced_by_another_is_noticed_by_the_timer_without_any_call()
    {
        var path = TestPaths.NewDatabasePath();
        var other = TestPaths.NewDatabasePath();
        await using (var seeding = await TestServers.StartAsync(other))
        {
        }

        await using var server = await TestServers.StartAsync(path);
        File.Move(other, path, overwrite: true);

        var deadline = Stopwatch.StartNew();
        while (!server.Output.Contains("was replaced", StringComparison.Ordinal) && deadline.Elapsed < Patience)
        {
            await Task.Delay(100);
        }

        Assert.Contains("was replaced", server.Output, StringComparison.Ordinal);
        using var channel = server.CreateChannel();
        Assert.Equal(ServingStatus.NotServing, (await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest { Service = "readiness" })).Status);
    }

    [Fact]
    public async Task A_session_token_beyond_the_stores_newest_write_is_refused_as_read_session_not_available()
    {
        await using var server = await TestServers.StartAsync(TestPaths.NewDatabasePath());
        using var channel = server.CreateChannel();
        var client = new DocStoreService.DocStoreServiceClient(channel);
        var written = await client.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct("""{"id":"t","pk":"p"}""") });

        await RpcAssert.FailsAsync(StatusCode.NotFound, "READ_SESSION_NOT_AVAILABLE",
            () => client.GetAsync(new GetRequest { Collection = "items", Id = "t", PartitionKey = "p", SessionToken = "0:-1#5000" }).ResponseAsync);
        await RpcAssert.FailsAsync(StatusCode.NotFound, "READ_SESSION_NOT_AVAILABLE",
            () => client.GetAsync(new GetRequest { Collection = "items", Id = "absent", PartitionKey = "p", SessionToken = "0:-1#5000" }).ResponseAsync);
        var read = await client.GetAsync(new GetRequest { Collection = "items", Id = "t", PartitionKey = "p", SessionToken = written.Info.SessionToken });
        Assert.Equal("t", read.Document.Id);

        // ReadMany and Query read at a session too, and refuse the same token the same way.
        await RpcAssert.FailsAsync(StatusCode.NotFound, "READ_SESSION_NOT_AVAILABLE",
            () => client.ReadManyAsync(new ReadManyRequest { Collection = "items", Keys = { new DocumentKey { Id = "t", PartitionKey = "p" } }, SessionToken = "0:-1#5000" }).ResponseAsync);
        await RpcAssert.FailsAsync(StatusCode.NotFound, "READ_SESSION_NOT_AVAILABLE",
            () => client.QueryAsync(new QueryRequest { Collection = "items", PartitionKey = "p", SessionToken = "0:-1#5000" }).ResponseAsync);
        var many = await client.ReadManyAsync(new ReadManyRequest { Collection = "items", Keys = { new DocumentKey { Id = "t", PartitionKey = "p" } }, SessionToken = written.Info.SessionToken });
        Assert.Equal("t", Assert.Single(many.Documents).Id);
        var page = await client.QueryAsync(new QueryRequest { Collection = "items", PartitionKey = "p", SessionToken = written.Info.SessionToken });
        Assert.Equal("t", Assert.Single(page.Documents).Id);
    }

    [Fact]
    public async Task On_a_full_disk_writes_say_disk_full_readiness_is_not_serving_and_both_recover_when_room_returns()
    {
        var directory = Path.GetDirectoryName(TestPaths.NewDatabasePath())!;
        // A disk of 3 MB: mounting it needs root, which the test machines give.
        Assert.True(await RunAsync("mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", directory), "mount -t tmpfs failed: the full-disk test needs root");

        try
        {
            await using var server = await TestServers.StartAsync(Path.Combine(directory, "docstore.db"));
            using var channel = server.CreateChannel();
            var client = new DocStoreService.DocStoreServiceClient(channel);
            var health = new Health.HealthClient(channel);
            await client.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct("""{"id":"fits","pk":"p"}""") });

            var filler = Path.Combine(directory, "filler");
            await RunAsync("dd", "if=/dev/zero", $"of={filler}", "bs=64k", "count=64");
            var big = Json.Struct($$"""{"id":"big","pk":"p","text":"{{new string('x', 400_000)}}"}""");

            var error = await RpcAssert.FailsAsync(StatusCode.Unavailable, "STORE_UNAVAILABLE",
                () => client.UpsertAsync(new UpsertRequest { Collection = "items", Document = big }).ResponseAsync);
            Assert.Contains("disk", error.Message, StringComparison.Ordinal);
            Assert.Contains("full", error.Message, StringComparison.Ordinal);
            Assert.Equal(ServingStatus.NotServing, (await health.CheckAsync(new HealthCheckRequest { Service = "readiness" })).Status);

            File.Delete(filler);
            Assert.Equal(ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest { Service = "readiness" })).Status);
            await client.UpsertAsync(new UpsertRequest { Collection = "items", Document = big });
        }
        finally
        {
            await RunAsync("umount", "-l", directory);
        }
    }

    private static async Task<bool> RunAsync(string command, params string[] arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(command, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            await process.WaitForExitAsync();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
