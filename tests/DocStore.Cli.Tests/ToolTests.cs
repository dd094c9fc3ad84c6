using System.CommandLine;
using System.Text;
using System.Text.Json;
using DocStore.Cli.Bench;
using Google.Protobuf;
using Grpc.Core;

namespace DocStore.Cli.Tests;

public sealed class ToolTests
{
    [Theory]
    [InlineData(1024)]
    [InlineData(300)]
    [InlineData(1024 * 1024)]
    public void Generated_documents_are_the_requested_size_as_json_and_the_struct_says_the_same(int bytes)
    {
        var documents = new DocumentSet(5000, bytes);

        var json = documents.Json(4321);
        Assert.Equal(bytes, Encoding.UTF8.GetByteCount(json));
        Assert.StartsWith("{\"id\":\"doc-4321\",\"pk\":\"pk-321\",\"n\":0,\"payload\":\"xx", json, StringComparison.Ordinal);

        var body = documents.Body(4321);
        using var parsed = JsonDocument.Parse(JsonFormatter.Default.Format(body));
        using var expected = JsonDocument.Parse(json);
        Assert.True(JsonElement.DeepEquals(expected.RootElement, parsed.RootElement));
    }

    [Fact]
    public async Task The_closed_loop_records_successes_and_errors_per_operation()
    {
        var workload = new FakeWorkload();

        var results = await ClosedLoop.RunAsync(workload, concurrency: 4, warmup: TimeSpan.Zero, duration: TimeSpan.FromSeconds(2), CancellationToken.None);

        Assert.Equal(["ok", "failing"], results.Select(r => r.Name));
        Assert.True(results[0].Count > 0, $"{results[0].Count} successes, {workload.Calls} calls");
        Assert.Equal(0, results[0].Errors);
        Assert.Equal(0, results[1].Count);
        Assert.True(results[1].Errors > 0);
        Assert.Equal("Unavailable: down", results[1].FirstError);
        Assert.True(results[0].Count + results[1].Errors <= workload.Calls);
        Assert.Equal(TimeSpan.FromSeconds(2), results[0].Window);
    }

    [Fact]
    public void Redis_fallbacks_are_counted_from_the_servers_log_lines()
    {
        const string Output = """
            warn: DocStore.Server.Consistency.RedisTokenStore[300]
                  Redis read failed (TimeoutException): The operation has timed out.; the call goes on without the shared token
            warn: DocStore.Server.Consistency.RedisTokenStore[300]
                  Redis advance failed (RedisConnectionException): No connection; the call goes on without the shared token
            warn: DocStore.Server.Consistency.RedisTokenStore[301]
                  Redis keeps failing: skipping it for 00:00:05; reads go out without shared session tokens meanwhile
            info: DocStore.Server.Consistency.RedisTokenStore[302]
                  Redis answers again: sharing session tokens resumes
            """;

        Assert.Equal((2, 1), ServerHost.CountRedisFallbacks(Output));
        Assert.Equal((0, 0), ServerHost.CountRedisFallbacks("info: Embedded store on /tmp/x.db"));
    }

    [Fact]
    public void Resp_encodes_commands_as_arrays_of_bulk_strings()
    {
        // Lengths count UTF-8 bytes: "é" is two.
        Assert.Equal("*3\r\n$6\r\nMEMORY\r\n$5\r\nUSAGE\r\n$4\r\nk:é\r\n", Encoding.UTF8.GetString(Resp.Encode(["MEMORY", "USAGE", "k:é"])));
    }

    [Fact]
    public async Task Resp_reads_integers_strings_nulls_nested_arrays_and_errors()
    {
        Assert.Equal(42L, await Resp.ReadAsync(new StringReader(":42\r\n")));
        Assert.Equal("PONG", await Resp.ReadAsync(new StringReader("+PONG\r\n")));
        Assert.Null(await Resp.ReadAsync(new StringReader("$-1\r\n")));
        var scan = (object?[])(await Resp.ReadAsync(new StringReader("*2\r\n$1\r\n0\r\n*2\r\n$2\r\nk1\r\n$2\r\nk2\r\n")))!;
        Assert.Equal("0", scan[0]);
        Assert.Equal(["k1", "k2"], (object?[])scan[1]!);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Resp.ReadAsync(new StringReader("-ERR unknown command\r\n")));
        Assert.Contains("ERR unknown command", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--mix get=80,remove=20", "--mix: 'remove' is not an operation")]
    [InlineData("--concurrency 0", "--concurrency must be 1 or more")]
    [InlineData("--duration 0", "--duration must be above 0")]
    [InlineData("--doc-size 3000000", "--doc-size must be 64 to 2097152 bytes")]
    [InlineData("--scenario fast", "fast")]
    [InlineData("--sharing Sometimes", "Sometimes")]
    public void Bad_options_are_refused_before_anything_runs(string arguments, string message)
    {
        var root = new RootCommand { BenchCommand.Create() };

        var result = root.Parse("bench " + arguments);

        Assert.Contains(result.Errors, e => e.Message.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void Good_options_parse_cleanly()
    {
        var root = new RootCommand { BenchCommand.Create() };

        var result = root.Parse("bench --endpoint http://127.0.0.1:1 http://127.0.0.1:2 --mix get=1 --concurrency 8 --duration 2 --warmup 0 --json");

        Assert.Empty(result.Errors);
    }

    private sealed class FakeWorkload : IWorkload
    {
        private int _calls;

        public int Calls => _calls;

        public IReadOnlyList<string> Names { get; } = ["ok", "failing"];

        public int Next(Random random) => random.Next(2);

        public async Task CallAsync(int operation, int worker, Random random, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            await Task.Yield();
            if (operation == 1)
            {
                throw new RpcException(new Status(StatusCode.Unavailable, "down"));
            }
        }
    }
}
