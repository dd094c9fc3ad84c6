using System.Net;
using System.Net.Sockets;
using System.Text;
using DocStore.Server.Tests.Infrastructure;
using DocStore.V1;

namespace DocStore.Server.Tests.EndToEnd;

/// <summary>Traces leave by OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set, to a receiver this test runs.</summary>
public sealed class TracingProcessTests
{
    [Fact]
    public async Task With_an_OTLP_endpoint_the_server_exports_a_span_for_each_call_and_starts_without_Redis()
    {
        var port = FreePort();
        using var receiver = new HttpListener();
        receiver.Prefixes.Add($"http://127.0.0.1:{port}/");
        receiver.Start();
        var bodies = new List<(string Path, string Body)>();
        var receiving = Task.Run(async () =>
        {
            while (receiver.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await receiver.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                lock (bodies)
                {
                    // Protobuf keeps strings as UTF-8, so span names and attributes can be found in the bytes.
                    bodies.Add((context.Request.Url!.AbsolutePath, Encoding.UTF8.GetString(body.ToArray())));
                }

                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/x-protobuf";
                context.Response.Close();
            }
        });

        await using (var server = await ServerProcess.StartAsync(TestPaths.NewDatabasePath(), new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{port}",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
        }))
        {
            using var channel = server.CreateChannel();
            var client = new DocStoreService.DocStoreServiceClient(channel);
            await client.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct("""{"id":"t","pk":"p"}""") });

            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!Exported("/docstore.v1.DocStoreService/Upsert"))
            {
                Assert.True(DateTime.UtcNow < deadline, "No span for the Upsert reached the OTLP receiver.\n" + server.Output);
                await Task.Delay(100);
            }
        }

        receiver.Stop();
        await receiving;
        lock (bodies)
        {
            Assert.All(bodies, b => Assert.Equal("/v1/traces", b.Path));
        }

        bool Exported(string route)
        {
            lock (bodies)
            {
                return bodies.Any(b => b.Path == "/v1/traces" && b.Body.Contains(route, StringComparison.Ordinal));
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
