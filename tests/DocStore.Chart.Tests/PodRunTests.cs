using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DocStore.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace DocStore.Chart.Tests;

/// <summary>
/// The pod helm renders (Embedded store), run as the kubelet would run it: the built server started with
/// exactly the container's environment, ports and writable mounts (see <see cref="SimulatedPod"/>), probed
/// as the kubelet probes, then stopped as the kubelet stops a pod: the preStop sleep, then SIGTERM.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed partial class PodRunTests(ITestOutputHelper output)
{
    private static readonly Method<UpsertRequest, UpsertResponse> Upsert = new(
        MethodType.Unary, "docstore.v1.DocStoreService", "Upsert",
        Marshallers.Create(r => r.ToByteArray(), UpsertRequest.Parser.ParseFrom),
        Marshallers.Create(r => r.ToByteArray(), UpsertResponse.Parser.ParseFrom));

    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private void Log(string line) => output.WriteLine($"{_clock.Elapsed.TotalSeconds,7:F2} s  {line}");

    /// <summary>One kubelet gRPC probe: a new connection to the probe's port, a Check of its service, within timeoutSeconds; only SERVING passes.</summary>
    private static async Task<(bool Passed, string Result)> ProbeAsync(JsonNode probe)
    {
        var grpc = probe["grpc"]!;
        var timeout = TimeSpan.FromSeconds((long?)probe["timeoutSeconds"] ?? 1);
        using var handler = new SocketsHttpHandler { ConnectTimeout = timeout, PooledConnectionLifetime = TimeSpan.Zero };
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{(long)grpc["port"]!}", new GrpcChannelOptions { HttpHandler = handler });
        try
        {
            var reply = await new Health.HealthClient(channel).CheckAsync(
                new HealthCheckRequest { Service = (string?)grpc["service"] ?? "" }, deadline: DateTime.UtcNow + timeout);
            return (reply.Status == ServingStatus.Serving, reply.Status.ToString());
        }
        catch (RpcException e)
        {
            return (false, $"{e.StatusCode}: {e.Status.Detail}");
        }
    }

    /// <summary>A probe run at its period from now on, recording each result, until <paramref name="stop"/>.</summary>
    private Task ProbeLoopAsync(string name, JsonNode probe, List<(TimeSpan At, bool Passed, string Result)> results, CancellationToken stop) => Task.Run(async () =>
    {
        var period = TimeSpan.FromSeconds((long?)probe["periodSeconds"] ?? 10);
        while (!stop.IsCancellationRequested)
        {
            var started = _clock.Elapsed;
            var (passed, result) = await ProbeAsync(probe);
            lock (results)
            {
                results.Add((started, passed, result));
            }

            Log($"{name} (sent at {started.TotalSeconds:F2} s): {result}");
            try
            {
                await Task.Delay(period - (_clock.Elapsed - started) is { Ticks: > 0 } wait ? wait : TimeSpan.Zero, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }, CancellationToken.None);

    private static async Task<double> ActiveGrpcCallsAsync(int metricsPort)
    {
        using var http = new HttpClient();
        var text = await http.GetStringAsync(new Uri($"http://127.0.0.1:{metricsPort}/metrics"));
        return ActiveRequests().Matches(text).Where(m => m.Groups["labels"].Value.Contains("http_request_method=\"POST\"", StringComparison.Ordinal))
            .Sum(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));
    }

    [HelmFact]
    public async Task The_rendered_pod_starts_passes_its_probes_and_stops_as_the_kubelet_stops_it()
    {
        // The rendered ports, unless something on this machine already listens there (another server, another
        // test run): then the chart is rendered with free ones, so that every object follows the change.
        var rendered = await Rendered.OfAsync("embedded");
        var grpcPort = (int)(long)rendered.Container["ports"]!.AsArray().Single(p => (string?)p!["name"] == "grpc")!["containerPort"]!;
        var metricsPort = (int)(long)rendered.Container["ports"]!.AsArray().Single(p => (string?)p!["name"] == "metrics")!["containerPort"]!;
        if (!SimulatedPod.IsFree(grpcPort) || !SimulatedPod.IsFree(metricsPort))
        {
            Log($"port {grpcPort} or {metricsPort} is taken on this machine: rendering with free ports instead");
            (grpcPort, metricsPort) = (SimulatedPod.FreePort(), SimulatedPod.FreePort());
            rendered = await Rendered.OfAsync("embedded", "--set", $"containerPort={grpcPort}", "--set", $"metrics.port={metricsPort}");
        }

        // The Secret existingSecret names, made as an operator would make it (kubectl, client-side only).
        var secretYaml = await Tools.KubectlAsync("create", "secret", "generic", Variants.ExistingSecret, "--namespace", Rendered.Namespace,
            "--from-literal=cosmos-key=dGVzdC1rZXk=", "--dry-run=client", "--output=yaml");
        Assert.True(secretYaml.ExitCode == 0, secretYaml.ToString());
        var secret = Chart.Yaml(secretYaml.Stdout)!;
        var secrets = new Dictionary<string, IReadOnlyDictionary<string, string>>
        {
            [(string)secret["metadata"]!["name"]!] = secret["data"]!.AsObject().ToDictionary(p => p.Key, p => System.Text.Encoding.UTF8.GetString(Convert.FromBase64String((string)p.Value!))),
        };

        var container = rendered.Container;
        var terminationGrace = TimeSpan.FromSeconds((long)rendered.PodTemplate["spec"]!["terminationGracePeriodSeconds"]!);
        var preStop = TimeSpan.FromSeconds((long)container["lifecycle"]!["preStop"]!["sleep"]!["seconds"]!);
        await using var pod = SimulatedPod.Start(rendered, secrets);
        Log($"started pid {pod.Pid}: gRPC port {grpcPort}, metrics port {metricsPort}, environment:\n  "
            + string.Join("\n  ", pod.Environment.Select(e => pod.FromSecrets.Contains(e.Key) ? $"{e.Key}=<from the Secret>" : $"{e.Key}={e.Value}")));

        // The environment is the container's, key by key: every ConfigMap key, the Secret's key, the optional one left out.
        var configMap = rendered.Single("ConfigMap")["data"]!.AsObject();
        Assert.All(configMap.Where(p => !p.Key.EndsWith("__Path", StringComparison.Ordinal)), p => Assert.Equal((string)p.Value!, pod.Environment[p.Key]));
        Assert.Equal(pod.Mounts["/data"] + "/docstore.db", pod.Environment["DocStore__Embedded__Path"]);
        Assert.Equal("dGVzdC1rZXk=", pod.Environment["DocStore__Cosmos__Key"]);
        Assert.False(pod.Environment.ContainsKey("DocStore__Redis__Configuration"));
        Assert.Equal($"http://+:{grpcPort}", pod.Environment["ASPNETCORE_URLS"]);
        Assert.Equal("", pod.Environment["ASPNETCORE_HTTP_PORTS"]);
        var appBefore = SimulatedPod.Listing(pod.App);

        // Startup probe: at its period until it passes; failureThreshold failures in a row and the kubelet restarts the container.
        var startup = container["startupProbe"]!;
        for (var failures = 0; ;)
        {
            var started = _clock.Elapsed;
            var (passed, result) = await ProbeAsync(startup);
            Log($"startupProbe (sent at {started.TotalSeconds:F2} s): {result}");
            if (passed)
            {
                break;
            }

            failures++;
            Assert.True(!pod.HasExited, "the server exited during startup:\n" + pod.Output);
            Assert.True(failures < ((long?)startup["failureThreshold"] ?? 3), "the startup probe failed failureThreshold times: the kubelet would restart the container\n" + pod.Output);
            var wait = TimeSpan.FromSeconds((long?)startup["periodSeconds"] ?? 10) - (_clock.Elapsed - started);
            await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
        }

        // Then liveness and readiness run, each at its own period.
        using var stopProbes = new CancellationTokenSource();
        var liveness = new List<(TimeSpan At, bool Passed, string Result)>();
        var readiness = new List<(TimeSpan At, bool Passed, string Result)>();
        var loops = new[]
        {
            ProbeLoopAsync("livenessProbe", container["livenessProbe"]!, liveness, stopProbes.Token),
            ProbeLoopAsync("readinessProbe", container["readinessProbe"]!, readiness, stopProbes.Token),
        };
        while (true)
        {
            lock (readiness)
            {
                if (readiness.Any(r => r.Passed))
                {
                    break;
                }

                Assert.True(readiness.Count < 10, "the pod never became ready:\n" + string.Join('\n', readiness));
            }

            await Task.Delay(50);
        }

        Log("Ready: the pod joins the Service's endpoints");

        // The process runs as the pod's user (when the tests run as root, which can switch to it), and .NET
        // keeps its diagnostics socket in the /tmp mount: without that emptyDir it would have nowhere to write.
        var uid = File.ReadLines($"/proc/{pod.Pid}/status").Single(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t')[1];
        Log($"uid {uid}; under /tmp: {string.Join(", ", SimulatedPod.Listing(pod.Mounts["/tmp"]))}");
        if (Environment.IsPrivilegedProcess)
        {
            Assert.Equal(rendered.PodTemplate["spec"]!["securityContext"]!["runAsUser"]!.ToString(), uid);
        }

        Assert.Contains(SimulatedPod.Listing(pod.Mounts["/tmp"]), f => f.StartsWith("dotnet-diagnostic-", StringComparison.Ordinal));
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
        var calls = channel.CreateCallInvoker();
        var first = await calls.AsyncUnaryCall(Upsert, null, new CallOptions(), Request(1));
        Assert.Equal(1, first.Document.Body.Fields["v"].NumberValue);

        // Termination: the kubelet runs the preStop sleep (the pod still serves), then sends SIGTERM.
        var terminating = _clock.Elapsed;
        Log($"preStop: sleep {preStop.TotalSeconds} s");
        var lockAt = preStop - TimeSpan.FromSeconds(1.5);
        await Task.Delay(lockAt);

        // A call in flight at SIGTERM: another process holds the SQLite file's write lock, so the write waits inside the server.
        AsyncUnaryCall<UpsertResponse> inFlight;
        (bool Passed, string Result) readinessAfterTerm;
        TimeSpan notReadyAfter;
        using (var other = new SqliteConnection($"Data Source={pod.Environment["DocStore__Embedded__Path"]};Pooling=false"))
        {
            other.Open();
            using var holdWriteLock = other.BeginTransaction(deferred: false);
            inFlight = calls.AsyncUnaryCall(Upsert, null, new CallOptions(), Request(2));
            while (await ActiveGrpcCallsAsync(metricsPort) < 1)
            {
                Assert.False(inFlight.ResponseAsync.IsCompleted, "the call finished before SIGTERM");
                await Task.Delay(20);
            }

            var sleepLeft = preStop - (_clock.Elapsed - terminating);
            await Task.Delay(sleepLeft > TimeSpan.Zero ? sleepLeft : TimeSpan.Zero);
            lock (readiness)
            {
                Assert.All(readiness.Where(r => r.At >= terminating), r => Assert.True(r.Passed, $"readiness failed during the preStop sleep: {r.Result}"));
            }

            pod.Terminate();
            var sigterm = _clock.Elapsed;
            Log("SIGTERM");

            // Readiness probes from SIGTERM on, back to back: the pod must read as not ready before the kubelet's
            // next scheduled readiness probe (periodSeconds), and stay so, while the call in flight is still running.
            var period = TimeSpan.FromSeconds((long?)container["readinessProbe"]!["periodSeconds"] ?? 10);
            do
            {
                readinessAfterTerm = await ProbeAsync(container["readinessProbe"]!);
            }
            while (readinessAfterTerm.Passed && _clock.Elapsed - sigterm < period);

            notReadyAfter = _clock.Elapsed - sigterm;
            Log($"readinessProbe after SIGTERM: {readinessAfterTerm.Result} ({notReadyAfter.TotalMilliseconds:F0} ms after it)");
            Assert.False(readinessAfterTerm.Passed, $"readiness still SERVING {period.TotalSeconds} s after SIGTERM");
            var again = await ProbeAsync(container["readinessProbe"]!);
            Assert.False(again.Passed, "readiness passed again after SIGTERM");
            Assert.False(inFlight.ResponseAsync.IsCompleted, "the call in flight ended before its write lock was released");
            Assert.False(pod.HasExited, "the process exited with a call in flight");
        }

        // The lock is released: the call in flight finishes, and the process exits 0 within the termination grace period.
        var written = await inFlight.ResponseAsync;
        Log("the call in flight finished");
        Assert.Equal(2, written.Document.Body.Fields["v"].NumberValue);
        var exited = await pod.WaitForExitAsync(terminationGrace - (_clock.Elapsed - terminating));
        var stopped = _clock.Elapsed - terminating;
        await stopProbes.CancelAsync();
        await Task.WhenAll(loops);
        Assert.True(exited, $"still running {terminationGrace.TotalSeconds} s after termination began: the kubelet would SIGKILL it\n{pod.Output}");
        Log($"exit {pod.ExitCode}, {stopped.TotalSeconds:F1} s after termination began (terminationGracePeriodSeconds {terminationGrace.TotalSeconds})");
        Assert.Equal(0, pod.ExitCode);

        // Liveness never failed; every log line is one JSON object (logging.json); nothing was written outside the mounts.
        Assert.All(liveness, r => Assert.True(r.Passed, r.Result));
        Assert.NotEmpty(liveness);
        var lines = pod.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.NotEmpty(lines);
        Assert.All(lines, line => JsonDocument.Parse(line).Dispose());
        Assert.Contains(lines, l => l.Contains("Shutting down: readiness is NOT_SERVING", StringComparison.Ordinal));
        Assert.Equal(appBefore, SimulatedPod.Listing(pod.App));
        Assert.Empty(SimulatedPod.Listing(pod.Home));
        Assert.Contains("docstore.db", SimulatedPod.Listing(pod.Mounts["/data"]));
        Log($"written under /data: {string.Join(", ", SimulatedPod.Listing(pod.Mounts["/data"]))}");

        static UpsertRequest Request(int version) => new()
        {
            Collection = "items",
            Document = JsonParser.Default.Parse<Struct>($$"""{"id":"pod-run","pk":"p","v":{{version}}}"""),
        };
    }

    [GeneratedRegex(@"^http_server_active_requests\{(?<labels>[^}]*)\}\s+(?<value>\S+)", RegexOptions.Multiline)]
    private static partial Regex ActiveRequests();
}
