using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace DocStore.Server.Operations;

/// <summary>
/// The Prometheus endpoint's listener: <c>/metrics</c> over HTTP/1.1 on <c>DocStore:Metrics:Port</c>,
/// beside the gRPC endpoints (HTTP/2 without TLS), which stay where <c>--urls</c>, <c>ASPNETCORE_URLS</c>,
/// <c>ASPNETCORE_HTTP_PORTS</c> or <c>Kestrel:Endpoints</c> put them (<c>http://localhost:5000</c> by default).
/// </summary>
internal static class MetricsEndpoint
{
    /// <summary>The scrape path.</summary>
    public const string Path = "/metrics";

    private const string KestrelEndpointName = "DocStoreMetrics";
    private const string DefaultUrls = "http://localhost:5000";

    /// <summary>
    /// Adds the metrics listener to the addresses Kestrel binds. Kestrel ignores <c>urls</c> when listeners
    /// are set in code, so the port is added where the gRPC addresses come from: a named endpoint beside
    /// <c>Kestrel:Endpoints</c> when that section is used, otherwise the <c>urls</c> setting, which keeps
    /// what <c>--urls</c>, <c>ASPNETCORE_URLS</c> or <c>ASPNETCORE_HTTP_PORTS</c> said (or the default).
    /// </summary>
    public static void AddListener(IConfigurationManager configuration, int port)
    {
        if (configuration.GetSection("Kestrel:Endpoints").GetChildren().Any())
        {
            configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                [$"Kestrel:Endpoints:{KestrelEndpointName}:Url"] = $"http://*:{port}",
                [$"Kestrel:Endpoints:{KestrelEndpointName}:Protocols"] = nameof(HttpProtocols.Http1),
            });
            return;
        }

        var urls = GrpcUrls(configuration);
        var host = urls.All(IsLoopback) ? "localhost" : "*";
        configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["urls"] = string.Join(';', [.. urls, $"http://{host}:{port}"]),
        });
    }

    /// <summary>HTTP/1.1 on the metrics port, HTTP/2 (gRPC over h2c) everywhere else.</summary>
    public static HttpProtocols ProtocolsFor(int endpointPort, int metricsPort) =>
        metricsPort > 0 && endpointPort == metricsPort ? HttpProtocols.Http1 : HttpProtocols.Http2;

    /// <summary>The gRPC addresses, resolved the way ASP.NET Core does: urls, else the port lists, else the default.</summary>
    private static List<string> GrpcUrls(IConfiguration configuration)
    {
        var urls = configuration["urls"];
        if (!string.IsNullOrWhiteSpace(urls))
        {
            return [.. urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
        }

        var fromPorts = Ports(configuration["http_ports"]).Select(p => $"http://*:{p}")
            .Concat(Ports(configuration["https_ports"]).Select(p => $"https://*:{p}"))
            .ToList();
        return fromPorts.Count > 0 ? fromPorts : [DefaultUrls];
    }

    private static string[] Ports(string? list) =>
        string.IsNullOrWhiteSpace(list) ? [] : list.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static bool IsLoopback(string url) =>
        Uri.TryCreate(url.Replace("://*", "://any", StringComparison.Ordinal).Replace("://+", "://any", StringComparison.Ordinal), UriKind.Absolute, out var uri)
        && (uri.IsLoopback || string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase));
}
