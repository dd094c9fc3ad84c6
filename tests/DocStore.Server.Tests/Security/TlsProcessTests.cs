using System.Diagnostics;
using System.Globalization;
using DocStore.Server.Tests.Infrastructure;
using DocStore.V1;
using Google.Rpc;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace DocStore.Server.Tests.Security;

/// <summary>
/// Real server processes with TLS: client certificates (mTLS) made in the test, the plaintext health port, a
/// certificate replaced on disk while the server runs, and a server that refuses to start exposed without authentication.
/// </summary>
public sealed class TlsProcessTests
{
    private const string OrdersSpiffeId = "spiffe://cluster.local/ns/shop/sa/orders";

    [Fact]
    public async Task Client_certificates_are_judged_by_the_trusted_CA_and_their_SPIFFE_id_by_the_grants()
    {
        var directory = TestCertificates.NewDirectory();
        var serverCa = TestCertificates.CreateCa("server-ca");
        var clientCa = TestCertificates.CreateCa("client-ca");
        var otherCa = TestCertificates.CreateCa("other-ca");
        serverCa.IssueServer("docstore").WritePem(Path.Combine(directory, "tls.crt"), Path.Combine(directory, "tls.key"));
        clientCa.WritePem(Path.Combine(directory, "client-ca.crt"));

        var healthPort = FreePort.Next();
        await using var server = await TestServers.StartAsync(TestPaths.NewDatabasePath(), new Dictionary<string, string>
        {
            ["DocStore__Tls__CertificatePath"] = Path.Combine(directory, "tls.crt"),
            ["DocStore__Tls__KeyPath"] = Path.Combine(directory, "tls.key"),
            ["DocStore__Health__Port"] = healthPort.ToString(CultureInfo.InvariantCulture),
            ["DocStore__Auth__Mode"] = "Certificate",
            ["DocStore__Auth__Certificate__TrustedCaPath"] = Path.Combine(directory, "client-ca.crt"),
            ["DocStore__Auth__Grants__0__Principal"] = OrdersSpiffeId,
            ["DocStore__Auth__Grants__0__Collections__0"] = "items",
            ["DocStore__Auth__Grants__0__Actions__0"] = "read",
            ["DocStore__Auth__Grants__1__Principal"] = "CN=billing",
            ["DocStore__Auth__Grants__1__Collections__0"] = "*",
            ["DocStore__Auth__Grants__1__Actions__0"] = "write",
        });

        var get = new GetRequest { Collection = "items", Id = "absent", PartitionKey = "p" };
        var upsert = new UpsertRequest { Collection = "items", Document = Json.Struct("""{"id":"m1","pk":"p"}""") };

        // The SPIFFE id matches grant 0: read, not write.
        var orders = clientCa.IssueClient("CN=orders-pod", new Uri(OrdersSpiffeId));
        using (var channel = TlsClient.Channel(server.Port, serverCa.Certificate, orders.WithKey()))
        {
            var client = new DocStoreService.DocStoreServiceClient(channel);
            await RpcAssert.FailsAsync(StatusCode.NotFound, "DOCUMENT_NOT_FOUND", () => client.GetAsync(get).ResponseAsync);
            var denied = await RpcAssert.FailsAsync(StatusCode.PermissionDenied, "PERMISSION_DENIED", () => client.UpsertAsync(upsert).ResponseAsync);
            Assert.Contains(OrdersSpiffeId, denied.Message, StringComparison.Ordinal);
            Assert.Equal("upsert", denied.GetDetail<ErrorInfo>().Metadata["action"]);
        }

        // A subject without SANs matches grant 1: write on every collection.
        var billing = clientCa.IssueClient("CN=billing", spiffeId: null);
        using (var channel = TlsClient.Channel(server.Port, serverCa.Certificate, billing.WithKey()))
        {
            var written = await new DocStoreService.DocStoreServiceClient(channel).UpsertAsync(upsert);
            Assert.False(string.IsNullOrEmpty(written.Document.Etag));
        }

        // The same SPIFFE id from another CA, an expired certificate, and none at all: UNAUTHENTICATED, not a failed handshake.
        var impostor = otherCa.IssueClient("CN=orders-pod", new Uri(OrdersSpiffeId));
        var expired = clientCa.IssueClient("CN=orders-pod", new Uri(OrdersSpiffeId), DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddMinutes(-5));
        foreach (var certificate in new[] { impostor.WithKey(), expired.WithKey(), null })
        {
            using var channel = TlsClient.Channel(server.Port, serverCa.Certificate, certificate);
            var status = await RpcAssert.FailsAsync(StatusCode.Unauthenticated, "UNAUTHENTICATED", () => new DocStoreService.DocStoreServiceClient(channel).GetAsync(get).ResponseAsync);
            Assert.Equal("The call has no valid client certificate.", status.Message);
        }

        // Probes: the plaintext health port answers without a certificate and serves nothing else.
        using (var plain = GrpcChannel.ForAddress($"http://127.0.0.1:{healthPort}"))
        {
            var health = await new Health.HealthClient(plain).CheckAsync(new HealthCheckRequest { Service = "readiness" });
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
            var e = await Assert.ThrowsAsync<RpcException>(() => new DocStoreService.DocStoreServiceClient(plain).GetAsync(get).ResponseAsync);
            Assert.Equal(StatusCode.Unimplemented, e.StatusCode);
        }

        // The gRPC port speaks TLS only.
        using (var plain = GrpcChannel.ForAddress($"http://127.0.0.1:{server.Port}"))
        {
            var e = await Assert.ThrowsAsync<RpcException>(() => new Health.HealthClient(plain).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10)).ResponseAsync);
            Assert.NotEqual(StatusCode.OK, e.StatusCode);
        }

        Assert.Contains("PERMISSION_DENIED: " + OrdersSpiffeId + " upsert in items", server.Output, StringComparison.Ordinal);
        Assert.Contains("OK: CN=billing upsert in items, id m1, partition key p", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_certificate_replaced_on_disk_serves_new_connections_without_a_restart()
    {
        var directory = TestCertificates.NewDirectory();
        var ca = TestCertificates.CreateCa("rotation-ca");
        var first = ca.IssueServer("docstore-first");
        var second = ca.IssueServer("docstore-second");
        var certificatePath = Path.Combine(directory, "tls.crt");
        var keyPath = Path.Combine(directory, "tls.key");
        first.WritePem(certificatePath, keyPath);

        var healthPort = FreePort.Next();
        await using var server = await TestServers.StartAsync(TestPaths.NewDatabasePath(), new Dictionary<string, string>
        {
            ["DocStore__Tls__CertificatePath"] = certificatePath,
            ["DocStore__Tls__KeyPath"] = keyPath,
            ["DocStore__Health__Port"] = healthPort.ToString(CultureInfo.InvariantCulture),
        });

        Assert.Equal(first.Certificate.Thumbprint, await ServedCertificateAsync(server.Port, ca));

        // As kubelet does when cert-manager renews the Secret: new files in place of the old.
        second.WritePem(certificatePath + ".new", keyPath + ".new");
        File.Move(keyPath + ".new", keyPath, overwrite: true);
        File.Move(certificatePath + ".new", certificatePath, overwrite: true);

        var deadline = DateTime.UtcNow.AddSeconds(15);
        string thumbprint;
        while ((thumbprint = await ServedCertificateAsync(server.Port, ca)) != second.Certificate.Thumbprint && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
        }

        Assert.Equal(second.Certificate.Thumbprint, thumbprint);
        Assert.False(server.HasExited);
        Assert.Contains("docstore-second", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mode_None_on_a_non_loopback_address_without_AllowAnonymous_refuses_to_start_naming_the_key()
    {
        var port = FreePort.Next();
        var (exitCode, output) = await RunServerAsync(port, allowAnonymous: null);
        Assert.True(exitCode == 1, $"Expected exit code 1, got {exitCode}:\n" + output);
        Assert.Contains("DocStore:Auth:AllowAnonymous", output, StringComparison.Ordinal);
        Assert.Contains($"http://0.0.0.0:{port}", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mode_None_on_a_non_loopback_address_serves_with_AllowAnonymous()
    {
        var port = FreePort.Next();
        var (exitCode, output) = await RunServerAsync(port, allowAnonymous: "true");
        Assert.True(exitCode == 0, "The server did not serve:\n" + output);
    }

    /// <summary>The thumbprint of the certificate a new connection gets.</summary>
    private static async Task<string> ServedCertificateAsync(int port, TestCertificates ca)
    {
        string? seen = null;
        using var channel = TlsClient.Channel(port, ca.Certificate, seen: c => seen = c.Thumbprint);
        var reply = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest { Service = "liveness" });
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
        return seen ?? throw new InvalidOperationException("No handshake was seen.");
    }

    /// <summary>
    /// Runs the server on <c>http://0.0.0.0:{port}</c> with Mode=None: its exit code and output when it stops by
    /// itself, or 0 once it answers a health check (it is then killed).
    /// </summary>
    private static async Task<(int ExitCode, string Output)> RunServerAsync(int port, string? allowAnonymous)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { TestPaths.ServerDll, "--urls", $"http://0.0.0.0:{port}" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.Environment["DocStore__Embedded__Path"] = TestPaths.NewDatabasePath();
        start.Environment["DocStore__Metrics__Port"] = "0";
        if (allowAnonymous is not null)
        {
            start.Environment["DocStore__Auth__AllowAnonymous"] = allowAnonymous;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var output = new CapturedOutput();
        process.OutputDataReceived += (_, e) => output.Append(e.Data);
        process.ErrorDataReceived += (_, e) => output.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        try
        {
            while (DateTime.UtcNow < deadline)
            {
                if (process.HasExited)
                {
                    await process.WaitForExitAsync();
                    return (process.ExitCode, output.ToString());
                }

                try
                {
                    await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(2));
                    return (0, output.ToString());
                }
                catch (RpcException)
                {
                    await Task.Delay(200);
                }
            }

            throw new TimeoutException("The server neither served nor exited:\n" + output);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
    }
}
