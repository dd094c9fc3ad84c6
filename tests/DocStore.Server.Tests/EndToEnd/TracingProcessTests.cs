using System.Net;
using System.Text;
using DocStore.Server.Tests.Infrastructure;
using DocStore.V1;

namespace DocStore.Server.Tests.EndToEnd;

/// <summary>Traces leave by OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set, to a receiver this test runs.</summary>
public sealed class TracingProcessTests
{
    [Fact]
    public async Task With_an_OTLP_endpoint_and_no_Redis_the_server_starts_and_exports_a_span_for_each_call()
    {
        using var receiver = OtlpReceiver.Start();
        await using var server = await TestServers.StartAsync(TestPaths.NewDatabasePath(), receiver.Environment());
        using var channel = server.CreateChannel();
        await new DocStoreService.DocStoreServiceClient(channel).UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct("""{"id":"t","pk":"p"}""") });

        await receiver.WaitForAsync("/docstore.v1.DocStoreService/Upsert", server);
        Assert.All(receiver.Paths(), path => Assert.Equal("/v1/traces", path));
        Assert.False(receiver.Received("OpenTelemetry.Instrumentation.StackExchangeRedis"));
    }

    [Fact]
    public async Task With_Redis_configured_its_commands_are_traced_too()
    {
        await using var redis = await RedisServer.StartAsync();
        using var receiver = OtlpReceiver.Start();
        var environment = receiver.Environment();
        environment["DocStore__Redis__Configuration"] = redis.Configuration;
        environment["DocStore__SessionTokens__RedisTimeout"] = "00:00:05";
        await using var server = await TestServers.StartAsync(TestPaths.NewDatabasePath(), environment);
        using var channel = server.CreateChannel();
        await new DocStoreService.DocStoreServiceClient(channel).UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct("""{"id":"r","pk":"p"}""") });

        // The instrumentation's activity source names the spans' scope; its spans are flushed every few seconds.
        await receiver.WaitForAsync("OpenTelemetry.Instrumentation.StackExchangeRedis", server);
    }

    /// <summary>An OTLP/HTTP endpoint on a free loopback port that keeps every export it receives.</summary>
    private sealed class OtlpReceiver : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly List<(string Path, string Body)> _exports = [];
        private readonly Task _receiving;

        private OtlpReceiver(int port)
        {
            Port = port;
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            _listener.Start();
            _receiving = Task.Run(ReceiveAsync);
        }

        public int Port { get; }

        public static OtlpReceiver Start() => new(FreePort.Next());

        public Dictionary<string, string> Environment() => new()
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{Port}",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
        };

        /// <summary>Whether an export holds <paramref name="text"/>: protobuf keeps strings as UTF-8, so span names, attributes and scope names can be found in the bytes.</summary>
        public bool Received(string text)
        {
            lock (_exports)
            {
                return _exports.Any(e => e.Body.Contains(text, StringComparison.Ordinal));
            }
        }

        public List<string> Paths()
        {
            lock (_exports)
            {
                return [.. _exports.Select(e => e.Path)];
            }
        }

        public async Task WaitForAsync(string text, ServerProcess server)
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!Received(text))
            {
                Assert.True(DateTime.UtcNow < deadline, $"No export with '{text}' reached the OTLP receiver.\n{server.Output}");
                await Task.Delay(100);
            }
        }

        public void Dispose()
        {
            _listener.Stop();
            _receiving.GetAwaiter().GetResult();
            _listener.Close();
        }

        private async Task ReceiveAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                lock (_exports)
                {
                    _exports.Add((context.Request.Url!.AbsolutePath, Encoding.UTF8.GetString(body.ToArray())));
                }

                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/x-protobuf";
                context.Response.Close();
            }
        }
    }
}
