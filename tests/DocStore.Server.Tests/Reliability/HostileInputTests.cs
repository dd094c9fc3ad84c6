using System.Net.Sockets;
using DocStore.Server.Tests.Infrastructure;
using DocStore.V1;
using Google.Protobuf;
using Grpc.Core;

namespace DocStore.Server.Tests.Reliability;

/// <summary>
/// What a hostile or careless caller can send, against a real server process: frame headers that lie,
/// bodies that claim gzip, deadlines already spent, connections that never speak. Each gets a clear
/// status or a closed socket, and none a stack trace in the log.
/// </summary>
public sealed class HostileInputTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_frame_claiming_4_GB_is_resource_exhausted_and_body_that_is_not_gzip_is_invalid_argument_without_a_stack_trace()
    {
        await using var server = await TestServers.StartAsync(TestPaths.NewDatabasePath());

        var (huge, hugeMessage) = await RawGrpc.CallAsync(server.Address, "Get", [0, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3]);
        var (notGzip, notGzipMessage) = await RawGrpc.CallAsync(server.Address, "Get", RawGrpc.Frame("not gzip at all"u8.ToArray(), compressed: true), ("grpc-encoding", "gzip"));

        Assert.True(StatusCode.ResourceExhausted == huge, $"{huge}: {hugeMessage}");
        Assert.True(StatusCode.InvalidArgument == notGzip, $"{notGzip}: {notGzipMessage}");
        Assert.Contains("gzip", notGzipMessage, StringComparison.Ordinal);
        Assert.False(server.Output.Contains("fail:", StringComparison.Ordinal) || server.Output.Contains("   at ", StringComparison.Ordinal), server.Output);

        // Valid gzip still works: the replaced provider decompresses what it should.
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(server.Address);
        var client = new DocStoreService.DocStoreServiceClient(channel);
        await client.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct("""{"id":"z","pk":"p"}""") },
            new Metadata { { "grpc-internal-encoding-request", "gzip" } });
        Assert.Equal("z", (await client.GetAsync(new GetRequest { Collection = "items", Id = "z", PartitionKey = "p" })).Document.Id);
    }

    [Fact]
    public async Task A_stream_whose_client_writes_nothing_until_the_server_answers_is_answered_in_process_and_over_a_socket()
    {
        // Regression: a check that awaited the first request frame ahead of grpc-dotnet waited forever on such a
        // call (the authenticated reflection stream hung the in-process suites). Here the server answers from the
        // route alone: the method does not exist.
        using (var inProcess = new InProcessServer())
        {
            await AssertAnsweredUnimplementedAsync(inProcess.Channel);
        }

        await using var server = await TestServers.StartAsync(TestPaths.NewDatabasePath());
        using var channel = server.CreateChannel();
        await AssertAnsweredUnimplementedAsync(channel);
    }

    [Fact]
    public async Task A_message_over_the_4_MB_receive_limit_is_resource_exhausted_from_its_header_and_a_2_MB_document_fits()
    {
        await using var server = await TestServers.StartAsync(TestPaths.NewDatabasePath());
        using var channel = server.CreateChannel();
        var client = new DocStoreService.DocStoreServiceClient(channel);

        // Before: a 16 MB limit, and a 5 MB message was buffered, decoded and converted before the size rule refused it.
        var e = await Assert.ThrowsAsync<RpcException>(() => client.UpsertAsync(new UpsertRequest { Collection = "items", DocumentJson = JsonOfSize("big", 5 * 1024 * 1024) }).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
        Assert.Contains("limit is 4194304 bytes", e.Status.Detail, StringComparison.Ordinal);

        var stored = await client.UpsertAsync(new UpsertRequest { Collection = "items", DocumentJson = JsonOfSize("two", 2 * 1024 * 1024) });
        Assert.Equal("two", stored.Document.Id);
        await RpcAssert.InvalidAsync(() => client.UpsertAsync(new UpsertRequest { Collection = "items", DocumentJson = JsonOfSize("over", (2 * 1024 * 1024) + 1) }).ResponseAsync, "document_json");
    }

    [Fact]
    public async Task An_upsert_whose_deadline_passed_before_it_started_is_deadline_exceeded_and_writes_nothing()
    {
        await using var server = await TestServers.StartAsync(TestPaths.NewDatabasePath());
        var upsert = new UpsertRequest { Collection = "items", Document = Json.Struct("""{"id":"late","pk":"p"}""") };

        var (status, message) = await RawGrpc.CallAsync(server.Address, "Upsert", RawGrpc.Frame(upsert.ToByteArray()), ("grpc-timeout", "1n"));

        Assert.True(StatusCode.DeadlineExceeded == status, $"{status}: {message}");
        using var channel = server.CreateChannel();
        var client = new DocStoreService.DocStoreServiceClient(channel);
        await RpcAssert.FailsAsync(StatusCode.NotFound, "DOCUMENT_NOT_FOUND",
            () => client.GetAsync(new GetRequest { Collection = "items", Id = "late", PartitionKey = "p" }).ResponseAsync);
    }

    [Fact]
    public async Task Connections_that_never_send_the_http2_preface_are_closed_after_the_request_headers_timeout()
    {
        await using var server = await TestServers.StartAsync(TestPaths.NewDatabasePath(), new Dictionary<string, string>
        {
            ["Kestrel__Limits__RequestHeadersTimeout"] = "00:00:02",
        });

        var silent = new List<TcpClient>();
        for (var i = 0; i < 5; i++)
        {
            var socket = new TcpClient();
            await socket.ConnectAsync("127.0.0.1", server.Port);
            silent.Add(socket);
        }

        var started = System.Diagnostics.Stopwatch.StartNew();
        foreach (var socket in silent)
        {
            using (socket)
            {
                Assert.True(await ClosedByServerAsync(socket));
            }
        }

        Assert.True(started.Elapsed < Patience, $"closed after {started.Elapsed}");
    }

    [Fact]
    public async Task A_connection_over_max_concurrent_connections_is_refused_and_one_is_served_again_once_a_held_one_closes()
    {
        await using var server = await TestServers.StartAsync(TestPaths.NewDatabasePath(), new Dictionary<string, string>
        {
            ["Kestrel__Limits__MaxConcurrentConnections"] = "2",
        }, metrics: false);

        // Two connections held open, each with a completed call. The first may have to wait for the slot of the
        // start-up health check's connection, which the server frees once it has seen that connection close.
        using var first = server.CreateChannel();
        using var second = server.CreateChannel();
        Assert.True(await ServedWithinAsync(first, Patience), server.Output);
        Assert.True(await ServedWithinAsync(second, Patience), server.Output);

        // A third connection is closed at once: its call fails UNAVAILABLE, and a raw socket that sends the HTTP/2
        // preface is closed by the server.
        using (var third = server.CreateChannel())
        {
            var refused = await Assert.ThrowsAsync<RpcException>(() => CheckHealthAsync(third));
            Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        }

        using (var raw = new TcpClient())
        {
            await raw.ConnectAsync("127.0.0.1", server.Port);
            await raw.GetStream().WriteAsync("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray());
            Assert.True(await ClosedByServerAsync(raw));
        }

        // The held connections are unaffected.
        await CheckHealthAsync(first);
        await CheckHealthAsync(second);

        // Once one of them closes, a new connection is served again.
        first.Dispose();
        using var fourth = server.CreateChannel();
        Assert.True(await ServedWithinAsync(fourth, Patience), server.Output);
        await CheckHealthAsync(second);
    }

    /// <summary>A document of exactly <paramref name="bytes"/> bytes of UTF-8 JSON, partition key <c>p</c>.</summary>
    private static ByteString JsonOfSize(string id, int bytes)
    {
        var head = "{\"id\":\"" + id + "\",\"pk\":\"p\",\"s\":\"";
        return ByteString.CopyFromUtf8(head + new string('x', bytes - head.Length - 2) + "\"}");
    }

    /// <summary>Opens a duplex call to a method that does not exist, writes nothing, and awaits the server's answer.</summary>
    private static async Task AssertAnsweredUnimplementedAsync(Grpc.Net.Client.GrpcChannel channel)
    {
        var bytes = Marshallers.Create(static (byte[] b) => b, static b => b);
        var method = new Method<byte[], byte[]>(MethodType.DuplexStreaming, DocStoreService.Descriptor.FullName, "NoSuchMethod", bytes, bytes);
        using var call = channel.CreateCallInvoker().AsyncDuplexStreamingCall(method, null, new CallOptions());
        var e = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext().WaitAsync(Patience));
        Assert.Equal(StatusCode.Unimplemented, e.StatusCode);
    }

    /// <summary>One health check over <paramref name="channel"/>, with a deadline so that a stalled connection fails the test.</summary>
    private static async Task CheckHealthAsync(Grpc.Net.Client.GrpcChannel channel)
    {
        var reply = await new Grpc.Health.V1.Health.HealthClient(channel).CheckAsync(new Grpc.Health.V1.HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
        Assert.Equal(Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    /// <summary>
    /// Whether a health check over <paramref name="channel"/> is answered within <paramref name="patience"/>, trying again
    /// while the server refuses the connection (UNAVAILABLE): it frees a slot only once it has seen a connection close.
    /// </summary>
    private static async Task<bool> ServedWithinAsync(Grpc.Net.Client.GrpcChannel channel, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            try
            {
                await CheckHealthAsync(channel);
                return true;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
            {
                return false;
            }
        }
    }

    /// <summary>Waits (at most <see cref="Patience"/>) for the server to close the socket: end of stream or a reset.</summary>
    private static async Task<bool> ClosedByServerAsync(TcpClient socket)
    {
        using var wait = new CancellationTokenSource(Patience);
        try
        {
            var buffer = new byte[256];
            while (await socket.GetStream().ReadAsync(buffer, wait.Token) > 0)
            {
                // Kestrel may write a GOAWAY before it closes; keep reading to the end.
            }

            return true;
        }
        catch (IOException)
        {
            return true;
        }
    }
}
