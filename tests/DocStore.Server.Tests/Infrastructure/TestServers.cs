using StackExchange.Redis;

namespace DocStore.Server.Tests.Infrastructure;

/// <summary>The shared process launchers (src/Processes), set up for these tests.</summary>
public static class TestServers
{
    /// <summary>
    /// Starts the server built beside the tests on <paramref name="databasePath"/>, with <paramref name="environment"/> on top; with
    /// <paramref name="metrics"/> false, the metrics port keeps its default (off); with <paramref name="port"/>, on that port.
    /// </summary>
    public static Task<ServerProcess> StartAsync(string databasePath, IReadOnlyDictionary<string, string>? environment = null, bool metrics = true, int? port = null)
    {
        var variables = new Dictionary<string, string> { ["DocStore__Embedded__Path"] = databasePath };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            variables[key] = value;
        }

        return ServerProcess.StartAsync(TestPaths.ServerDll, variables, metrics: metrics, port: port);
    }

    /// <summary>A client for inspecting a redis-server from a test, as its default user; over TLS, trusting the server's CA.</summary>
    public static Task<ConnectionMultiplexer> ConnectAsync(this RedisServer redis)
    {
        var options = ConfigurationOptions.Parse($"{redis.Configuration},allowAdmin=true");
        if (redis.Tls is { } tls)
        {
            options.TrustIssuer(System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(tls.CaPath));
        }

        return ConnectionMultiplexer.ConnectAsync(options);
    }
}
