using DocStore.Server.Tests.Infrastructure;
using DocStore.V1;
using Grpc.Core;
using Grpc.Reflection.V1Alpha;

namespace DocStore.Server.Tests.EndToEnd;

/// <summary>Real server processes on loopback, reached through real sockets.</summary>
public sealed class ServerProcessTests
{
    [Fact]
    public async Task A_server_started_like_the_README_serves_documents_and_lists_its_services_through_reflection()
    {
        await using var server = await TestServers.StartAsync(TestPaths.NewDatabasePath());
        using var channel = server.CreateChannel();

        var reflection = new ServerReflection.ServerReflectionClient(channel);
        using var call = reflection.ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { FileContainingSymbol = "docstore.v1.PatchOperation" });
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { FileContainingSymbol = "google.rpc.ErrorInfo" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext());
        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains("docstore.v1.DocStoreService", services);
        Assert.Contains("grpc.health.v1.Health", services);

        // The contract and the error details can be described, so tools can decode errors too.
        Assert.True(await call.ResponseStream.MoveNext());
        var contract = call.ResponseStream.Current.FileDescriptorResponse.FileDescriptorProto.Select(b => Google.Protobuf.Reflection.FileDescriptorProto.Parser.ParseFrom(b).Name);
        Assert.Contains("docstore/v1/docstore.proto", contract);
        Assert.True(await call.ResponseStream.MoveNext());
        var details = call.ResponseStream.Current.FileDescriptorResponse.FileDescriptorProto.Select(b => Google.Protobuf.Reflection.FileDescriptorProto.Parser.ParseFrom(b).Name);
        Assert.Contains("google/rpc/error_details.proto", details);

        // The default configuration: collection "items", partitioned by /pk.
        var client = new DocStoreService.DocStoreServiceClient(channel);
        await client.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct("""{"id":"r1","pk":"p","n":1}""") });
        var read = await client.GetAsync(new GetRequest { Collection = "items", Id = "r1", PartitionKey = "p" });
        Json.Equal("""{"id":"r1","pk":"p","n":1}""", read.Document.Body);
    }

    [Fact]
    public async Task An_acknowledged_write_survives_kill_9_and_a_restart()
    {
        var database = TestPaths.NewDatabasePath();
        string etag;
        await using (var first = await TestServers.StartAsync(database))
        {
            using var channel = first.CreateChannel();
            var client = new DocStoreService.DocStoreServiceClient(channel);
            await client.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct("""{"id":"durable","pk":"p","n":1}""") });
            var patched = await client.PatchAsync(new PatchRequest
            {
                Collection = "items",
                Id = "durable",
                PartitionKey = "p",
                Operations = { new PatchOperation { Increment = new IncrementOperation { Path = "/n", By = 41 } } },
            });
            etag = patched.Document.Etag;
            await first.KillAsync();
        }

        await using var second = await TestServers.StartAsync(database);
        using var channel2 = second.CreateChannel();
        var read = await new DocStoreService.DocStoreServiceClient(channel2).GetAsync(new GetRequest { Collection = "items", Id = "durable", PartitionKey = "p" });
        Json.Equal("""{"id":"durable","pk":"p","n":42}""", read.Document.Body);
        Assert.Equal(etag, read.Document.Etag);
    }

    [Fact]
    public async Task Concurrent_increments_through_two_processes_sharing_one_file_end_with_the_exact_sum()
    {
        const int Increments = 64;
        var database = TestPaths.NewDatabasePath();
        await using var a = await TestServers.StartAsync(database);
        await using var b = await TestServers.StartAsync(database);
        using var channelA = a.CreateChannel();
        using var channelB = b.CreateChannel();
        var clients = new[] { new DocStoreService.DocStoreServiceClient(channelA), new DocStoreService.DocStoreServiceClient(channelB) };

        await clients[0].UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct("""{"id":"counter","pk":"p","n":0}""") });

        var tokens = await Task.WhenAll(Enumerable.Range(0, Increments).Select(async i =>
        {
            var response = await clients[i % 2].PatchAsync(new PatchRequest
            {
                Collection = "items",
                Id = "counter",
                PartitionKey = "p",
                Operations = { new PatchOperation { Increment = new IncrementOperation { Path = "/n", By = 1 } } },
            });
            return response.Info.SessionToken;
        }));

        foreach (var client in clients)
        {
            var read = await client.GetAsync(new GetRequest { Collection = "items", Id = "counter", PartitionKey = "p" });
            Assert.Equal(Increments, read.Document.Body.Fields["n"].NumberValue);
        }

        // Every write got its own LSN from the shared file: 1 for the upsert, then one per patch.
        Assert.Equal(Enumerable.Range(2, Increments).Select(n => $"0:-1#{n}"), tokens.Order(StringComparer.Ordinal).OrderBy(t => t.Length));
    }

    [Fact]
    public async Task A_write_blocked_by_another_process_past_the_busy_timeout_is_unavailable_while_reads_go_on()
    {
        var database = TestPaths.NewDatabasePath();
        await using var server = await TestServers.StartAsync(database, new Dictionary<string, string> { ["DocStore__Embedded__BusyTimeout"] = "00:00:00.200" });
        using var channel = server.CreateChannel();
        var client = new DocStoreService.DocStoreServiceClient(channel);
        await client.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct("""{"id":"x","pk":"p","v":1}""") });

        using (var other = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database};Pooling=false"))
        {
            other.Open();
            using var holdWriteLock = other.BeginTransaction(deferred: false);

            await RpcAssert.FailsAsync(StatusCode.Unavailable, "STORE_UNAVAILABLE",
                () => client.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct("""{"id":"x","pk":"p","v":2}""") }).ResponseAsync);
            var during = await client.GetAsync(new GetRequest { Collection = "items", Id = "x", PartitionKey = "p" });
            Assert.Equal(1, during.Document.Body.Fields["v"].NumberValue);
        }

        await client.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct("""{"id":"x","pk":"p","v":3}""") });
        var after = await client.GetAsync(new GetRequest { Collection = "items", Id = "x", PartitionKey = "p" });
        Assert.Equal(3, after.Document.Body.Fields["v"].NumberValue);
    }

    [Fact]
    public async Task A_bad_configuration_stops_start_up_with_a_message_naming_the_key()
    {
        var environment = new Dictionary<string, string>
        {
            ["DocStore__Collections__orders__PartitionKeyPath"] = "customer",
            ["DocStore__Collections__carts__Container"] = "shared",
        };

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => TestServers.StartAsync(TestPaths.NewDatabasePath(), environment));
        Assert.Contains("DocStore:Collections:orders:PartitionKeyPath", e.Message, StringComparison.Ordinal);
        Assert.Contains("DocStore:Collections:carts:PartitionKeyPath is required", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Huge_bad_values_get_a_short_clear_error_over_a_real_connection()
    {
        await using var server = await TestServers.StartAsync(TestPaths.NewDatabasePath());
        using var channel = server.CreateChannel();
        var client = new DocStoreService.DocStoreServiceClient(channel);
        var huge = new string('x', 40_000);

        await RpcAssert.InvalidAsync(() => client.GetAsync(new GetRequest { Collection = huge, Id = "x", PartitionKey = "p" }).ResponseAsync, "collection");
        await RpcAssert.InvalidAsync(() => client.GetAsync(new GetRequest { Collection = "items", Id = "x", PartitionKey = "p", SessionToken = huge }).ResponseAsync, "session_token");

        var patch = new PatchRequest { Collection = "items", Id = "x", PartitionKey = "p" };
        for (var i = 0; i < 10; i++)
        {
            patch.Operations.Add(new PatchOperation { Remove = new RemoveOperation { Path = huge } });
        }

        var violations = await RpcAssert.InvalidAsync(() => client.PatchAsync(patch).ResponseAsync, [.. Enumerable.Range(0, 10).Select(i => $"operations[{i}].remove.path")]);
        Assert.All(violations.FieldViolations, v => Assert.True(v.Description.Length < 200, v.Description));
    }

    [Fact]
    public async Task A_store_file_that_cannot_be_created_stops_start_up_naming_the_key()
    {
        var blocker = TestPaths.NewDatabasePath();
        await File.WriteAllTextAsync(blocker, "a file where a directory is needed");

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => TestServers.StartAsync(Path.Combine(blocker, "docstore.db")));
        Assert.Contains("DocStore:Embedded:Path: cannot use", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unexpected_failure_is_a_plain_INTERNAL_without_details()
    {
        // A file that is not a SQLite database: the store fails in a way no request could cause.
        var database = TestPaths.NewDatabasePath();
        await using var server = await TestServers.StartAsync(database);
        using var channel = server.CreateChannel();
        var client = new DocStoreService.DocStoreServiceClient(channel);
        await client.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct("""{"id":"x","pk":"p"}""") });

        using (var corrupt = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database};Pooling=false"))
        {
            corrupt.Open();
            using var command = corrupt.CreateCommand();
            command.CommandText = "UPDATE documents SET body = x'7b2261223a' WHERE id = 'x'"; // '{"a":' - truncated JSON
            command.ExecuteNonQuery();
        }

        var error = await Assert.ThrowsAsync<RpcException>(() => client.GetAsync(new GetRequest { Collection = "items", Id = "x", PartitionKey = "p" }).ResponseAsync);
        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.DoesNotContain("   at ", error.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("Json", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("Unhandled exception in /docstore.v1.DocStoreService/Get", server.Output, StringComparison.Ordinal);
    }
}
