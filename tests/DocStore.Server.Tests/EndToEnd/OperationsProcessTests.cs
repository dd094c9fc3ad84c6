using System.Text.Json;
using DocStore.Server.Tests.Infrastructure;
using DocStore.V1;
using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.Data.Sqlite;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace DocStore.Server.Tests.EndToEnd;

/// <summary>
/// What Kubernetes relies on, against real server processes: the health services the probes name, the
/// Prometheus endpoint on its own HTTP/1.1 port, JSON logs, and graceful shutdown on SIGTERM.
/// </summary>
public sealed class OperationsProcessTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task The_probes_health_services_liveness_readiness_and_overall_are_serving_and_others_are_unknown()
    {
        await using var server = await TestServers.StartAsync(TestPaths.NewDatabasePath());
        using var channel = server.CreateChannel();
        var health = new Health.HealthClient(channel);

        Assert.Equal(ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest { Service = "liveness" })).Status);
        Assert.Equal(ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest { Service = "readiness" })).Status);
        Assert.Equal(ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest { Service = "" })).Status);
        var unknown = await Assert.ThrowsAsync<RpcException>(() => health.CheckAsync(new HealthCheckRequest { Service = "docstore.v1.DocStoreService" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task The_metrics_endpoint_is_scraped_over_http1_and_its_counters_move_with_calls()
    {
        await using var server = await TestServers.StartAsync(TestPaths.NewDatabasePath());
        using var channel = server.CreateChannel();
        var client = new DocStoreService.DocStoreServiceClient(channel);
        Assert.Contains($"Now listening on: http://localhost:{server.MetricsPort}", server.Output, StringComparison.Ordinal);

        var before = await PrometheusText.ScrapeAsync(server.MetricsAddress);
        Assert.True(before.Has("target_info"), before.Text);
        Assert.Equal(0, before.Sum("docstore_store_errors_total"));

        await client.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct("""{"id":"m1","pk":"p","n":1}""") });
        await client.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct("""{"id":"m2","pk":"p","n":1}""") });
        await client.GetAsync(new GetRequest { Collection = "items", Id = "m1", PartitionKey = "p" });
        await RpcAssert.FailsAsync(StatusCode.NotFound, "DOCUMENT_NOT_FOUND",
            () => client.GetAsync(new GetRequest { Collection = "items", Id = "absent", PartitionKey = "p" }).ResponseAsync);
        await RpcAssert.FailsAsync(StatusCode.Aborted, "ETAG_MISMATCH",
            () => client.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct("""{"id":"m1","pk":"p"}"""), IfMatch = "\"stale\"" }).ResponseAsync);

        var after = await PrometheusText.ScrapeAsync(server.MetricsAddress);

        // ASP.NET Core's request metrics, per method (http.route) and gRPC status (0 OK, 5 NOT_FOUND, 10 ABORTED).
        const string Calls = "http_server_request_duration_seconds_count";
        Assert.True(2 == after.Sum(Calls, ("http_route", "/docstore.v1.DocStoreService/Upsert"), ("rpc_grpc_status_code", "0")), after.Text);
        Assert.Equal(1, after.Sum(Calls, ("http_route", "/docstore.v1.DocStoreService/Upsert"), ("rpc_grpc_status_code", "10")));
        Assert.Equal(1, after.Sum(Calls, ("http_route", "/docstore.v1.DocStoreService/Get"), ("rpc_grpc_status_code", "0")));
        Assert.Equal(1, after.Sum(Calls, ("http_route", "/docstore.v1.DocStoreService/Get"), ("rpc_grpc_status_code", "5")));

        // DocStore.Server: request charge per method (the embedded store's estimates), store errors by kind.
        Assert.Equal(2, after.Sum("docstore_request_charge_count", ("rpc_method", "Upsert"), ("docstore_collection", "items")));
        Assert.Equal(1, after.Sum("docstore_request_charge_count", ("rpc_method", "Get")));
        Assert.True(after.Sum("docstore_request_charge_sum", ("rpc_method", "Upsert")) > 0, after.Text);
        Assert.Equal(1, after.Sum("docstore_store_errors_total", ("rpc_method", "Get"), ("error_type", "not_found")));
        Assert.Equal(1, after.Sum("docstore_store_errors_total", ("rpc_method", "Upsert"), ("error_type", "etag_mismatch")));

        // The gRPC port does not serve the scrape path, and the metrics port does not serve gRPC.
        using var http = new HttpClient();
        using var onGrpcPort = await http.GetAsync(new Uri(server.Address, "/metrics"));
        Assert.False(onGrpcPort.IsSuccessStatusCode);
        using var metricsChannel = Grpc.Net.Client.GrpcChannel.ForAddress($"http://localhost:{server.MetricsPort}");
        await Assert.ThrowsAsync<RpcException>(() => new Health.HealthClient(metricsChannel).CheckAsync(new HealthCheckRequest()).ResponseAsync);
    }

    [Fact]
    public async Task The_consistency_layers_meter_is_exported_too()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var server = await TestServers.StartAsync(TestPaths.NewDatabasePath(), new Dictionary<string, string>
        {
            ["DocStore__Redis__Configuration"] = redis.Configuration,

            // Generous, so that a loaded machine cannot turn the lookup into a timeout (the default is 50 ms).
            ["DocStore__SessionTokens__RedisTimeout"] = "00:00:05",
        });
        using var channel = server.CreateChannel();
        var client = new DocStoreService.DocStoreServiceClient(channel);

        await client.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct("""{"id":"c","pk":"p"}""") });
        await client.GetAsync(new GetRequest { Collection = "items", Id = "c", PartitionKey = "p" });

        var scrape = await PrometheusText.ScrapeAsync(server.MetricsAddress);
        Assert.True(1 == scrape.Sum("docstore_session_tokens_advances_total", ("otel_scope_name", "DocStore.Consistency"), ("result", "ok")), scrape.Text);
        Assert.Equal(1, scrape.Sum("docstore_session_tokens_lookups_total", ("result", "hit")));
        Assert.True(scrape.Has("docstore_session_tokens_breaker_state"), scrape.Text);
    }

    [Fact]
    public async Task Metrics_port_0_turns_the_endpoint_off_and_json_logging_writes_one_object_per_line()
    {
        await using var server = await TestServers.StartAsync(TestPaths.NewDatabasePath(), new Dictionary<string, string>
        {
            ["DocStore__Metrics__Port"] = "0",
            ["DocStore__Logging__Json"] = "true",
        });

        var lines = server.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.NotEmpty(lines);
        var entries = lines.Select(line => JsonDocument.Parse(line).RootElement).ToList();
        var listening = entries.Where(e => e.GetProperty("Category").GetString() == "Microsoft.Hosting.Lifetime" && e.GetProperty("EventId").GetInt32() == 14)
            .Select(e => e.GetProperty("State").GetProperty("address").GetString())
            .ToList();
        Assert.Equal([server.Address.ToString().TrimEnd('/')], listening);
        Assert.All(entries, e => Assert.True(e.TryGetProperty("Timestamp", out _) && e.TryGetProperty("LogLevel", out _), e.ToString()));
    }

    [Fact]
    public async Task At_SIGTERM_readiness_turns_NOT_SERVING_a_call_in_flight_completes_new_connections_are_refused_and_the_process_exits()
    {
        var database = TestPaths.NewDatabasePath();
        await using var server = await TestServers.StartAsync(database, new Dictionary<string, string>
        {
            // Long enough for the readiness checks below on a loaded machine; the listener closes after it.
            ["DocStore__Shutdown__DrainDelay"] = "00:00:10",
            ["DocStore__Shutdown__GracePeriod"] = "00:01:00",
            ["DocStore__Embedded__BusyTimeout"] = "00:02:00",
        });
        using var channel = server.CreateChannel();
        var client = new DocStoreService.DocStoreServiceClient(channel);
        var health = new Health.HealthClient(channel);
        await client.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct("""{"id":"s","pk":"p","v":1}""") });

        AsyncUnaryCall<UpsertResponse> inFlight;
        using (var other = new SqliteConnection($"Data Source={database};Pooling=false"))
        {
            // Another process holds the file's write lock, so the next write waits inside the server.
            other.Open();
            using var holdWriteLock = other.BeginTransaction(deferred: false);
            inFlight = client.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct("""{"id":"s","pk":"p","v":2}""") });
            await WaitForActiveCallsAsync(server, 1);

            await server.TerminateAsync();

            // Readiness turns NOT_SERVING while the server drains; liveness stays SERVING.
            var readiness = await PollAsync(
                () => health.CheckAsync(new HealthCheckRequest { Service = "readiness" }).ResponseAsync, r => r.Status == ServingStatus.NotServing);
            Assert.Equal(ServingStatus.NotServing, readiness.Status);
            Assert.Equal(ServingStatus.NotServing, (await health.CheckAsync(new HealthCheckRequest { Service = "" })).Status);
            Assert.Equal(ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest { Service = "liveness" })).Status);

            // After the drain delay the listener closes: a new connection is refused while the call waits.
            await PollAsync(async () =>
            {
                using var fresh = server.CreateChannel();
                try
                {
                    await new Health.HealthClient(fresh).CheckAsync(new HealthCheckRequest { Service = "liveness" }, deadline: DateTime.UtcNow.AddSeconds(5));
                    return false;
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
                {
                    return true;
                }
            }, refused => refused);
            Assert.False(inFlight.ResponseAsync.IsCompleted);
            Assert.False(server.HasExited);
        }

        // The lock is released: the call in flight at SIGTERM completes, then the process exits cleanly.
        var written = await inFlight.ResponseAsync;
        Assert.Equal(2, written.Document.Body.Fields["v"].NumberValue);
        Assert.True(await server.WaitForExitAsync(Patience), "The server did not exit after its last call.\n" + server.Output);
        Assert.Equal(0, server.ExitCode);
        Assert.Contains("Shutting down: readiness is NOT_SERVING", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_call_still_running_when_the_grace_period_ends_is_cut_off_and_the_process_exits()
    {
        var database = TestPaths.NewDatabasePath();
        await using var server = await TestServers.StartAsync(database, new Dictionary<string, string>
        {
            ["DocStore__Shutdown__GracePeriod"] = "00:00:02",
            ["DocStore__Embedded__BusyTimeout"] = "00:05:00",
        });
        using var channel = server.CreateChannel();
        var client = new DocStoreService.DocStoreServiceClient(channel);
        await client.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct("""{"id":"g","pk":"p","v":1}""") });

        using var other = new SqliteConnection($"Data Source={database};Pooling=false");
        other.Open();
        using var holdWriteLock = other.BeginTransaction(deferred: false);
        var stuck = client.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct("""{"id":"g","pk":"p","v":2}""") });
        await WaitForActiveCallsAsync(server, 1);

        await server.TerminateAsync();

        // 2 s of grace, then the call is cut off. Without DocStore:Shutdown:GracePeriod the host's default
        // shutdown timeout (30 s) would apply; 25 s leaves a noisy machine ten times the margin.
        Assert.True(await server.WaitForExitAsync(TimeSpan.FromSeconds(25)), "The server outlived its grace period.\n" + server.Output);
        await Assert.ThrowsAsync<RpcException>(() => stuck.ResponseAsync);
        var refused = await Assert.ThrowsAsync<RpcException>(() => client.GetAsync(new GetRequest { Collection = "items", Id = "g", PartitionKey = "p" }).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
    }

    /// <summary>Waits until the server counts <paramref name="count"/> gRPC calls (POSTs) in progress, from its own metrics.</summary>
    private static Task<double> WaitForActiveCallsAsync(ServerProcess server, int count) =>
        PollAsync(async () => (await PrometheusText.ScrapeAsync(server.MetricsAddress)).Sum("http_server_active_requests", ("http_request_method", "POST")), active => active >= count);

    private static async Task<T> PollAsync<T>(Func<Task<T>> probe, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Still {value} after {Patience}.");
            await Task.Delay(50);
        }
    }
}
